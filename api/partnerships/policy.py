"""The policy of records owned by a partnership (meetings, plans, memberships, ...)."""

from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from api.core.errors import Forbidden
from api.core.permissions import partnership_of, require_scope, row_data
from api.core.policy import Policy
from api.core.principal import Principal, Scope
from api.partnerships.access import (
    can_manage_partnership,
    managed_partnership_ids,
    visible_clause,
)


class PartnershipPolicy(Policy):
    """Records that belong to a partnership through ``chain`` (see api.core.permissions).

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
        # Who manages none (members, partner keys) is refused without looking the row's up.
        if not managed_partnership_ids(session, principal) or not can_manage_partnership(
            session, principal, self.partnership_id(session, data)
        ):
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
