"""One way to page through lists: ``limit``/``offset`` in, ``{items,total,limit,offset}`` out."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    DateTime,
    Dialect,
    Integer,
    Select,
    String,
    TypeDecorator,
    func,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

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
    """A :func:`page_statement` compiled once for a dialect: the SQL the driver is sent, its
    parameters, the names of the columns before the total, and the result processors of the
    columns that have one (``(position, processor)``)."""

    sql: str
    params: dict[str, Any]
    names: tuple[str, ...]
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]


@lru_cache(maxsize=512)  # keyed by statements that are themselves cached (built once)
def compiled_page(paged: Select[Any], dialect: Dialect) -> CompiledPage | None:
    """``paged`` as :class:`CompiledPage` for ``dialect``, or ``None`` when the driver's
    parameters are not simply the statement's own: a positional paramstyle (SQLite) or a
    parameter whose type processes its value on the way in."""
    compiled = paged.compile(dialect=dialect)
    binds = compiled.binds.values()
    columns = list(paged.selected_columns)
    if (
        dialect.positional
        or any(b.type.dialect_impl(dialect).bind_processor(dialect) is not None for b in binds)
        or not all(_held_as_loaded(column.type) for column in columns)
    ):
        return None
    processors = []
    for position, column in enumerate(columns[:-1]):
        process = column.type.dialect_impl(dialect).result_processor(dialect, None)
        if process is not None:
            processors.append((position, process))
    names = tuple(str(column.key) for column in columns[:-1])
    return CompiledPage(compiled.string, dict(compiled.params), names, tuple(processors))


# Types whose result processing does not depend on the column's type in the result
# (SQLAlchemy's numeric processors, for one, pick a conversion by the database's type code).
_PLAIN_TYPES = (Integer, String, Boolean, Date, DateTime)


def _held_as_loaded(sql_type: TypeEngine[Any]) -> bool:
    """Can ``sql_type``'s result processor be chosen without the result's type codes?"""
    while isinstance(sql_type, TypeDecorator):
        sql_type = sql_type.impl_instance
    return isinstance(sql_type, _PLAIN_TYPES)


def read_compiled_page(
    session: Session, stmt: Select[Any], page: CompiledPage, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """:func:`read_page` for a statement compiled once (:func:`compiled_page`): the SQL goes to
    a cursor of the driver as it is, without a compiled-cache look-up, an execution context or
    result metadata, and the rows through the columns' result processors. When a listener
    watches the engine's cursor executions it goes through ``exec_driver_sql``, which tells
    the listener."""
    connection = session.connection()
    dispatch = connection.dispatch
    if dispatch.before_cursor_execute or dispatch.after_cursor_execute:
        rows: Sequence[Any] = connection.exec_driver_sql(page.sql, page.params).all()
    else:
        rows = _fetch_all(connection, page)
    if page.processors:
        rows = [_processed(row, page.processors) for row in rows]
    return _records(session, stmt, page.names, rows, offset)


def _processed(
    row: Sequence[Any], processors: Sequence[tuple[int, Callable[[Any], Any]]]
) -> list[Any]:
    """``row`` with each processed column's value passed through its result processor."""
    values = list(row)
    for position, process in processors:
        values[position] = process(values[position])
    return values


def _fetch_all(connection: Connection, page: CompiledPage) -> Sequence[Any]:
    """The rows of ``page`` from a cursor of the connection's driver. A driver error sends the
    statement again through ``exec_driver_sql``, which reports it as SQLAlchemy reports any
    (a dead connection fails again at once and invalidates the pool: a 503, as elsewhere;
    inside a transaction the error is that the transaction was aborted)."""
    try:
        cursor = connection.connection.cursor()
        try:
            cursor.execute(page.sql, page.params)
            return cursor.fetchall()
        finally:
            cursor.close()
    except connection.dialect.loaded_dbapi.Error:
        return connection.exec_driver_sql(page.sql, page.params).all()


def _count(stmt: Select[Any]) -> Select[Any]:
    return select(func.count()).select_from(stmt.order_by(None).subquery())


def count_rows(session: Session, stmt: Select[Any]) -> int:
    return session.scalar(_count(stmt)) or 0
