"""Permissions for a CRUD resource; features pick or subclass one to add object-level rules.

Deny by default. Reads narrow the query (what the caller may not see is a 404, never a 403);
writes are checked on the row and on the changes. Which partnerships a principal may see or
manage is decided in one place, :mod:`api.auth.permissions`.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from api.auth.models import Role, Scope
from api.auth.permissions import (
    can_manage_partnership,
    partnership_of,
    require_role,
    require_scope,
    row_data,
    visible_clause,
)
from api.auth.principal import Principal
from api.errors import Forbidden, NotFound

__all__ = [
    "AdminPolicy",
    "ManagedReferencePolicy",
    "PartnershipPolicy",
    "Policy",
    "PublicReadPolicy",
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


class PartnershipPolicy(Policy):
    """Records that belong to a partnership through ``chain`` (see api.auth.permissions).

    Readers see the records of their partnerships; admins and the partnership's officers
    create, change and delete them. With ``narrow_reads=False`` every staff role reads all
    rows (e.g. the community strategy) while writes stay with the owning partnership.
    """

    def __init__(
        self, model: type[SQLModel], chain: tuple[str, ...], *, narrow_reads: bool = True
    ) -> None:
        self.model = model
        self.chain = chain
        self.narrow_reads = narrow_reads

    def visible(self, session: Session, principal: Principal, stmt: Select[Any]) -> Select[Any]:
        self.authorize_read(principal)
        if not self.narrow_reads:
            return stmt
        return stmt.where(visible_clause(session, principal, self.model, self.chain))

    def partnership_id(self, session: Session, data: dict[str, Any]) -> int | None:
        return partnership_of(session, self.model, self.chain, data)

    def require_manage(self, session: Session, principal: Principal, data: dict[str, Any]) -> None:
        require_scope(principal, Scope.write_all)
        if principal.is_admin:
            return  # admins manage every partnership: no need to look this row's up
        if not can_manage_partnership(session, principal, self.partnership_id(session, data)):
            raise Forbidden("Only the partnership's officers and administrators may change this")

    def authorize_create(
        self, session: Session, principal: Principal, data: dict[str, Any]
    ) -> None:
        self.require_manage(session, principal, data)

    def authorize_update(
        self, session: Session, principal: Principal, row: SQLModel, changes: dict[str, Any]
    ) -> None:
        self.require_manage(session, principal, row_data(row, self.chain[:1]))
        if self.chain[0] in changes:  # moving the row: the new owner must be managed too
            self.require_manage(session, principal, changes)

    def authorize_delete(self, session: Session, principal: Principal, row: SQLModel) -> None:
        self.require_manage(session, principal, row_data(row, self.chain[:1]))


def not_found(resource: str, row_id: Any) -> NotFound:
    return NotFound(f"No {resource} with id {row_id}")
