"""One way to page through lists: ``limit``/``offset`` in, ``{items,total,limit,offset}`` out."""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import Dialect, Select, func, select
from sqlalchemy.orm import Session

from api.core.compiled import CompiledSelect, compile_select, fetch_compiled

MAX_LIMIT = 500


class PageParams(BaseModel):
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=10_000_000)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def paginate(session: Session, stmt: Select[Any], page: PageParams) -> tuple[Sequence[Any], int]:
    """Rows of one page and the total count; ``stmt`` must already be fully ordered."""
    total = count_rows(session, stmt)
    return session.scalars(stmt.limit(page.limit).offset(page.offset)).all(), total


def page_statement(stmt: Select[Any], limit: int, offset: int) -> Select[Any]:
    """One page of a Core select of columns (read-only lists) with its total: the total rides
    along as an uncorrelated scalar subquery, which the database evaluates once, in the last
    column. ``stmt`` must already be fully ordered."""
    total_column = _count(stmt).scalar_subquery().correlate(None)
    return stmt.add_columns(total_column).limit(limit).offset(offset)


def read_page(
    session: Session, stmt: Select[Any], paged: Select[Any], offset: int
) -> tuple[list[dict[str, Any]], int]:
    """:func:`paginate` for ``paged``, a :func:`page_statement` of ``stmt`` (or a select around
    it keeping the total last): plain ``column -> value`` dicts, no ORM objects, and one round
    trip. Only a page past the end costs a second query (the count of ``stmt``)."""
    result = session.connection().execute(paged)  # Core: a select needs no ORM execution
    return _records(session, stmt, list(result.keys())[:-1], result.all(), offset)


def _records(
    session: Session, stmt: Select[Any], names: Sequence[str], rows: Sequence[Any], offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page's rows (the total in their last column) as ``column -> value`` dicts, and the
    total; only a page past the end costs a second query, the count of ``stmt``."""
    if not rows:
        return [], count_rows(session, stmt) if offset else 0
    return [dict(zip(names, row, strict=False)) for row in rows], rows[0][-1]


@dataclass(frozen=True)
class CompiledPage:
    """A :func:`page_statement` compiled once for a dialect (:func:`compile_select`) and the
    names of its columns before the total."""

    select: CompiledSelect
    names: tuple[str, ...]


@lru_cache(maxsize=512)  # keyed by statements that are themselves cached (built once)
def compiled_page(paged: Select[Any], dialect: Dialect) -> CompiledPage | None:
    """``paged`` as :class:`CompiledPage` for ``dialect``, or ``None`` when it cannot be sent
    as compiled (:func:`compile_select`)."""
    compiled = compile_select(paged, dialect)
    if compiled is None:
        return None
    names = tuple(str(column.key) for column in list(paged.selected_columns)[:-1])
    return CompiledPage(compiled, names)


def read_compiled_page(
    session: Session, stmt: Select[Any], page: CompiledPage, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """:func:`read_page` for a statement compiled once (:func:`compiled_page`): the SQL goes to
    a cursor of the driver as it is, without a compiled-cache look-up, an execution context or
    result metadata (:func:`fetch_compiled`)."""
    rows = fetch_compiled(session.connection(), page.select, {})
    return _records(session, stmt, page.names, rows, offset)


def _count(stmt: Select[Any]) -> Select[Any]:
    return select(func.count()).select_from(stmt.order_by(None).subquery())


def count_rows(session: Session, stmt: Select[Any]) -> int:
    return session.scalar(_count(stmt)) or 0
