"""Who may read and write indicator data: every role reads it, the county with ``laa:read``."""

from typing import Any

from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from api.core.policy import PublicReadPolicy, require_role, require_scope
from api.core.principal import Principal, Role, Scope


class LaaReadPolicy(PublicReadPolicy):
    """Indicators: every role reads (``read`` or ``laa:read`` scope); ``write_roles`` write
    with the ``write:all`` scope (admins always)."""

    write_roles: frozenset[Role] = frozenset({Role.admin})

    def _authorize_write(self, principal: Principal) -> None:
        require_scope(principal, Scope.write_all)
        require_role(principal, *self.write_roles)

    def authorize_create(
        self, session: Session, principal: Principal, data: dict[str, Any]
    ) -> None:
        self._authorize_write(principal)

    def authorize_update(
        self, session: Session, principal: Principal, row: SQLModel, changes: dict[str, Any]
    ) -> None:
        self._authorize_write(principal)

    def authorize_delete(self, session: Session, principal: Principal, row: SQLModel) -> None:
        self._authorize_write(principal)


class LaaDataPolicy(LaaReadPolicy):
    """LAA targets and measurements: officers record them as well as admins."""

    write_roles = frozenset({Role.admin, Role.officer})


LAA_READ = LaaReadPolicy()


def authorize_laa_read(principal: Principal) -> None:
    """The LAA export and RAG: the same readers as indicators (403 for anyone else)."""
    LAA_READ.authorize_read(principal)
