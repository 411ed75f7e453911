"""The one place that answers "which partnerships may this principal see or manage?".

Every feature narrows its queries and checks its writes through these helpers, so the rules of
DESIGN §5 are stated once:

- ``admin`` sees and manages everything (``None`` below means "no restriction").
- A user (``officer`` or ``member``) sees the partnerships their person holds a membership of
  that is open today; an ``officer`` manages those where the membership role is chair,
  vice-chair or officer.
- A ``partner`` API key sees the partnerships its organisation is represented on today.
- The ``county`` sees no partnership data.

Answers are computed with one query per principal and cached on the session for the request.
"""

from collections.abc import Callable, Collection, Iterable
from typing import Any

from sqlalchemy import ColumnElement, Table, false, or_, select, true
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col

from api.auth.models import Role, Scope
from api.auth.principal import Principal
from api.core import clock
from api.errors import Forbidden
from api.partnerships.models import Membership, MembershipRole

MANAGER_ROLES = frozenset({MembershipRole.chair, MembershipRole.vice_chair, MembershipRole.officer})

PartnershipIds = frozenset[int] | None  # None: every partnership (admins)


def require_scope(principal: Principal, scope: Scope) -> None:
    if not principal.has_scope(scope):
        raise Forbidden(f"This credential lacks the '{scope}' scope")


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles and not principal.is_admin:
        raise Forbidden("Your role may not do this")


def _open_today() -> ColumnElement[bool]:
    today = clock.today()
    ended_on = col(Membership.ended_on)
    return (col(Membership.started_on) <= today) & or_(ended_on.is_(None), ended_on >= today)


def _cached(session: Session, key: tuple[str, str], compute: Any) -> Any:
    cache: dict[tuple[str, str], Any] = session.info.setdefault("lsphub_access", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def partnership_ids_for(session: Session, principal: Principal) -> PartnershipIds:
    """Partnerships whose data ``principal`` may read; ``None`` means all of them."""
    if principal.is_admin:
        return None

    def compute() -> frozenset[int]:
        if principal.kind == "user" and principal.person_id is not None:
            where = col(Membership.person_id) == principal.person_id
        elif principal.role == Role.partner and principal.organisation_id is not None:
            where = col(Membership.on_behalf_of_id) == principal.organisation_id
        else:
            return frozenset()
        stmt = select(col(Membership.partnership_id)).where(where, _open_today()).distinct()
        return frozenset(session.scalars(stmt))

    return _cached(session, (principal.label, "read"), compute)


def managed_partnership_ids(session: Session, principal: Principal) -> PartnershipIds:
    """Partnerships ``principal`` may manage (write); ``None`` means all of them."""
    if principal.is_admin:
        return None

    def compute() -> frozenset[int]:
        if principal.role != Role.officer or principal.person_id is None:
            return frozenset()
        stmt = (
            select(col(Membership.partnership_id))
            .where(
                col(Membership.person_id) == principal.person_id,
                col(Membership.role).in_([r.value for r in MANAGER_ROLES]),
                _open_today(),
            )
            .distinct()
        )
        return frozenset(session.scalars(stmt))

    return _cached(session, (principal.label, "manage"), compute)


def can_see_partnership(session: Session, principal: Principal, partnership_id: int | None) -> bool:
    ids = partnership_ids_for(session, principal)
    return ids is None or (partnership_id is not None and partnership_id in ids)


def can_manage_partnership(
    session: Session, principal: Principal, partnership_id: int | None
) -> bool:
    """True for admins and for officers who chair, vice-chair or officer the partnership."""
    if not principal.has_scope(Scope.write_all):
        return False
    ids = managed_partnership_ids(session, principal)
    return ids is None or (partnership_id is not None and partnership_id in ids)


def require_manage_partnership(
    session: Session, principal: Principal, partnership_id: int | None
) -> None:
    if not can_manage_partnership(session, principal, partnership_id):
        require_scope(principal, Scope.write_all)
        raise Forbidden("Only the partnership's officers and administrators may change this")


def organisation_sits_on(
    session: Session, organisation_id: int | None, partnership_ids: PartnershipIds
) -> bool:
    """True if the organisation is represented today on one of ``partnership_ids``."""
    if organisation_id is None:
        return False
    if partnership_ids is None:
        return True
    if not partnership_ids:
        return False
    stmt = select(col(Membership.id)).where(
        col(Membership.on_behalf_of_id) == organisation_id,
        col(Membership.partnership_id).in_(sorted(partnership_ids)),
        _open_today(),
    )
    return session.scalar(stmt.limit(1)) is not None


# -- reaching a partnership from any table -----------------------------------------------------
#
# A *chain* names the columns that lead from a table to its partnership, each a foreign key
# except the last, which is read on the final table: ``task`` -> ("action_id",
# "action_plan_id", "partnership_id"); a partnership itself is ("id",).


def _tables(model: type[SQLModel], chain: tuple[str, ...]) -> list[Table]:
    tables: list[Table] = [model.__table__]  # type: ignore[attr-defined]
    for name in chain[:-1]:
        fk = next(iter(tables[-1].c[name].foreign_keys))
        tables.append(fk.column.table)
    return tables


def in_partnerships(
    model: type[SQLModel], chain: tuple[str, ...], ids: Collection[int]
) -> ColumnElement[bool]:
    """SQL condition: the row of ``model`` belongs to one of ``ids`` (nested ``IN``s)."""
    if not ids:
        return false()
    tables = _tables(model, chain)
    clause: ColumnElement[bool] = tables[-1].c[chain[-1]].in_(sorted(ids))
    for table, parent, name in reversed(list(zip(tables, tables[1:], chain, strict=False))):
        clause = table.c[name].in_(select(parent.c.id).where(clause))
    return clause


def visible_clause(
    session: Session, principal: Principal, model: type[SQLModel], chain: tuple[str, ...]
) -> ColumnElement[bool]:
    """SQL condition: ``principal`` may read this row of ``model``."""
    ids = partnership_ids_for(session, principal)
    return true() if ids is None else in_partnerships(model, chain, ids)


def partnership_of(
    session: Session, model: type[SQLModel], chain: tuple[str, ...], data: dict[str, Any]
) -> int | None:
    """The partnership a row (or a row about to be created, as a dict) belongs to: one query
    joining the chain's parents, or none when the row names its partnership itself."""
    value = data.get(chain[0])
    parents = _tables(model, chain)[1:]
    if value is None or not parents:
        return value
    stmt = select(parents[-1].c[chain[-1]]).select_from(parents[0])
    for parent, child, link in zip(parents, parents[1:], chain[1:], strict=False):
        stmt = stmt.join(child, child.c.id == parent.c[link])
    return session.scalar(stmt.where(parents[0].c.id == value))


def row_data(row: SQLModel, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


# -- property-level rules ----------------------------------------------------------------------


def authorize_on_behalf_of(
    session: Session,
    principal: Principal,
    organisation_id: int | None,
    *,
    partnership: Callable[[], int | None] = lambda: None,
    also_allowed: int | None = None,
) -> None:
    """Nobody writes "on behalf of" another organisation, except admins and the officers of
    the partnership concerned (who may record for ``also_allowed``, e.g. a task's lead).
    ``partnership`` looks the partnership up, only when that is needed."""
    if organisation_id is None or organisation_id == principal.organisation_id:
        return
    if principal.is_admin:
        return
    if organisation_id == also_allowed and can_manage_partnership(
        session, principal, partnership()
    ):
        return
    raise Forbidden(
        "You may only act on behalf of your own organisation",
        errors=[{"loc": ["body", "on_behalf_of_id"], "msg": "not your organisation"}],
    )
