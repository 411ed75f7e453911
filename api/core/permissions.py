"""Permission primitives that need no feature: scopes, roles, and partnership ids.

Which partnerships a principal may see or manage is computed from memberships by
:mod:`api.partnerships.access`; the helpers here take those ids (``None``: every partnership)
and say whether a row belongs to one of them.
"""

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import ColumnElement, Table, false, select
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from api.core.errors import Forbidden
from api.core.principal import Principal, Role, Scope

PartnershipIds = frozenset[int] | None  # None: every partnership (admins)


def require_scope(principal: Principal, scope: Scope) -> None:
    if not principal.has_scope(scope):
        raise Forbidden(f"This credential lacks the '{scope}' scope")


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles and not principal.is_admin:
        raise Forbidden("Your role may not do this")


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
