"""The policy base: permissions for a resource; features pick or subclass one to add
object-level rules.

Deny by default. Reads narrow the query (what the caller may not see is a 404, never a 403);
writes are checked on the row and on the changes. Records owned by a partnership use
:class:`api.partnerships.policy.PartnershipPolicy`, which asks :mod:`api.partnerships.access`
which partnerships a principal may see or manage.
"""

from collections.abc import Callable, Hashable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from api.core.errors import Forbidden, NotFound
from api.core.permissions import require_role, require_scope
from api.core.principal import Principal, Role, Scope

__all__ = [
    "AdminPolicy",
    "ManagedReferencePolicy",
    "Policy",
    "PublicReadPolicy",
    "allowed",
    "not_found",
    "require_role",
    "require_scope",
]

STAFF_ROLES = frozenset({Role.admin, Role.officer, Role.member, Role.partner})


class Policy:
    """Every principal with ``read`` scope in ``read_roles`` reads; only admins write."""

    read_roles: frozenset[Role] = STAFF_ROLES
    read_scopes: frozenset[Scope] = frozenset({Scope.read})

    def authorize_read(self, principal: Principal) -> None:
        """Type-level check: may this role read this kind of record at all (else 403)?"""
        if principal.role not in self.read_roles:
            raise Forbidden("Your role may not read this resource")
        if not principal.scopes & self.read_scopes:
            scopes = "' or '".join(sorted(self.read_scopes))
            raise Forbidden(f"This credential lacks the '{scopes}' scope")

    def visible(self, session: Session, principal: Principal, stmt: Select[Any]) -> Select[Any]:
        """Narrow a query to what ``principal`` may see (unseen rows are then 404s)."""
        self.authorize_read(principal)
        return stmt

    def masked(self, session: Session, principal: Principal) -> Mapping[str, ColumnElement[Any]]:
        """Columns ``principal`` may not read on every visible row, each with the expression
        that stands in for it in filters, search and sorting (NULL where it is hidden), so a
        hidden value can be neither matched nor ordered by."""
        return {}

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

    def can(self, session: Session, principal: Principal, row: SQLModel) -> dict[str, bool]:
        """What ``principal`` may do with ``row`` (a ``Can``), asked of the very checks that
        guard the writes, so the answer and the outcome of trying agree."""
        return {
            "update": allowed(lambda: self.authorize_update(session, principal, row, {})),
            "delete": allowed(lambda: self.authorize_delete(session, principal, row)),
        }

    def can_key(self, principal: Principal, values: Mapping[str, Any]) -> Hashable | None:
        """What :meth:`can` depends on in a row with these column ``values``, for
        ``principal``: rows with equal keys get the same answer, so a list page asks once per
        key. ``None`` (this default): ask for every row. A policy that states a key states
        the one of its own checks; a subclass that changes them must state its own."""
        return None


def allowed(check: Callable[[], None]) -> bool:
    """True unless the permission check refuses (403, or 404 for what may not be seen)."""
    try:
        check()
    except (Forbidden, NotFound):
        return False
    return True


class AdminPolicy(Policy):
    """Accounts, keys, webhooks and the audit log: administrators only, reads included."""

    read_roles = frozenset({Role.admin})


class PublicReadPolicy(Policy):
    """Data every role may read, the county included (with ``read`` or ``laa:read``)."""

    read_roles = frozenset(Role)
    read_scopes = frozenset({Scope.read, Scope.laa_read})


class ManagedReferencePolicy(Policy):
    """Directory data (organisations, people): staff read; admins and officers add and
    correct entries (officers need them to add members); only admins delete."""

    def authorize_create(
        self, session: Session, principal: Principal, data: dict[str, Any]
    ) -> None:
        require_scope(principal, Scope.write_all)
        require_role(principal, Role.officer)

    def authorize_update(
        self, session: Session, principal: Principal, row: SQLModel, changes: dict[str, Any]
    ) -> None:
        require_scope(principal, Scope.write_all)
        require_role(principal, Role.officer)


def not_found(resource: str, row_id: Any) -> NotFound:
    return NotFound(f"No {resource} with id {row_id}")
