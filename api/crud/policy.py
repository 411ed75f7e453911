"""Default permissions for a CRUD resource; features subclass to add object-level rules."""

from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from api.auth.models import Role, Scope
from api.auth.principal import Principal
from api.errors import Forbidden, NotFound


def require_scope(principal: Principal, scope: Scope) -> None:
    if not principal.has_scope(scope):
        raise Forbidden(f"This credential lacks the '{scope}' scope")


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles and not principal.is_admin:
        raise Forbidden("Your role may not do this")


class Policy:
    """Deny by default: every principal with ``read`` scope reads, only admins write."""

    read_roles: frozenset[Role] = frozenset({Role.admin, Role.officer, Role.member, Role.partner})

    def visible(self, session: Session, principal: Principal, stmt: Select[Any]) -> Select[Any]:
        """Narrow a query to what ``principal`` may see (unseen rows are then 404s)."""
        if principal.role not in self.read_roles:
            raise Forbidden("Your role may not read this resource")
        require_scope(principal, Scope.read)
        return stmt

    def authorize_create(
        self, session: Session, principal: Principal, data: dict[str, Any]
    ) -> None:
        require_scope(principal, Scope.write_all)
        require_role(principal, Role.admin)

    def authorize_update(
        self, session: Session, principal: Principal, row: SQLModel, changes: dict[str, Any]
    ) -> None:
        require_scope(principal, Scope.write_all)
        require_role(principal, Role.admin)

    def authorize_delete(self, session: Session, principal: Principal, row: SQLModel) -> None:
        require_scope(principal, Scope.write_all)
        require_role(principal, Role.admin)


class PublicReadPolicy(Policy):
    """Reference data every role may read, the county included."""

    read_roles = frozenset(Role)


def not_found(resource: str, row_id: Any) -> NotFound:
    return NotFound(f"No {resource} with id {row_id}")
