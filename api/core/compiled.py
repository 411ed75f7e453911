"""Selects compiled once and sent to the driver's cursor as they are.

A hot read (a list's whole page, a plan's report rows) runs the same statement with new
parameters every time. SQLAlchemy looks its compiled form up in a cache, builds an execution
context and result metadata, and wraps every row; for a statement built once all of that can
be done once. :func:`fetch_all` sends the compiled SQL straight to a cursor of the driver,
passing the parameters through their types' bind processors and the columns through their
result processors, and falls back to ordinary execution where that would not be the same.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Dialect,
    Integer,
    Select,
    String,
    TypeDecorator,
)
from sqlalchemy.types import TypeEngine

Processor = Callable[[Any], Any]
AnySelect = Select[*tuple[Any, ...]]
"""A select of any columns."""


@dataclass(frozen=True)
class CompiledSelect:
    """A select compiled once for a dialect: the SQL the driver is sent, the statement's own
    parameter values, the bind processors of the parameters that have one and the result
    processors of the columns that have one (``(position, processor)``)."""

    sql: str
    params: dict[str, Any]
    bind_processors: tuple[tuple[str, Processor], ...]
    processors: tuple[tuple[int, Processor], ...]

    def parameters(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """The driver's parameters: the statement's own with ``given`` over them, each through
        its type's bind processor."""
        params = {**self.params, **given}
        for name, process in self.bind_processors:
            if params[name] is not None:
                params[name] = process(params[name])
        return params

    def rows(self, fetched: Sequence[Any]) -> Sequence[Any]:
        """The driver's rows with each processed column passed through its result processor."""
        if not self.processors:
            return fetched
        return [_processed(row, self.processors) for row in fetched]


@lru_cache(maxsize=512)  # keyed by statements that are themselves cached (built once)
def compile_select(stmt: AnySelect, dialect: Dialect) -> CompiledSelect | None:
    """``stmt`` as :class:`CompiledSelect` for ``dialect``, or ``None`` when sending it as
    compiled would not be what SQLAlchemy sends: a positional paramstyle (SQLite), a
    parameter expanded or rendered at execution (``IN`` of a list), or a column whose result
    processor depends on the result's type codes."""
    if dialect.positional:
        return None
    compiled = stmt.compile(dialect=dialect)
    binds = compiled.binds
    if any(bind.expanding or bind.literal_execute for bind in binds.values()):
        return None
    columns = list(stmt.selected_columns)
    if not all(_held_as_loaded(column.type) for column in columns):
        return None
    bind_processors = tuple(
        (name, process)
        for name, bind in binds.items()
        if (process := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    )
    processors = tuple(
        (position, process)
        for position, column in enumerate(columns)
        if (process := column.type.dialect_impl(dialect).result_processor(dialect, None))
        is not None
    )
    return CompiledSelect(compiled.string, dict(compiled.params), bind_processors, processors)


# Types whose result processing does not depend on the column's type in the result
# (SQLAlchemy's numeric processors, for one, pick a conversion by the database's type code;
# JSON's is the dialect's deserializer, or none where the driver decodes it).
_PLAIN_TYPES = (Integer, String, Boolean, Date, DateTime, JSON)


def _held_as_loaded(sql_type: TypeEngine[Any]) -> bool:
    """Can ``sql_type``'s result processor be chosen without the result's type codes?"""
    while isinstance(sql_type, TypeDecorator):
        sql_type = sql_type.impl_instance
    return isinstance(sql_type, _PLAIN_TYPES)


def fetch_all(
    connection: Connection, stmt: AnySelect, params: Mapping[str, Any] | None = None
) -> Sequence[Any]:
    """Every row of ``stmt``, a select built once (the compiled form is cached by the
    statement), through :func:`compile_select` where it applies, else executed as usual."""
    compiled = compile_select(stmt, connection.dialect)
    if compiled is None:
        return connection.execute(stmt, dict(params or {})).all()
    return fetch_compiled(connection, compiled, params or {})


def fetch_compiled(
    connection: Connection, compiled: CompiledSelect, params: Mapping[str, Any]
) -> Sequence[Any]:
    """The rows of ``compiled`` from a cursor of the connection's driver. When a listener
    watches the engine's cursor executions the SQL goes through ``exec_driver_sql``, which
    tells the listener. A driver error sends the statement again through ``exec_driver_sql``,
    which reports it as SQLAlchemy reports any (a dead connection fails again at once and
    invalidates the pool: a 503, as elsewhere; inside a transaction the error is that the
    transaction was aborted)."""
    sent = compiled.parameters(params)
    if watched(connection):
        rows: Sequence[Any] = connection.exec_driver_sql(compiled.sql, sent).all()
    else:
        try:
            cursor = connection.connection.cursor()
            try:
                cursor.execute(compiled.sql, sent)
                rows = cursor.fetchall()
            finally:
                cursor.close()
        except connection.dialect.loaded_dbapi.Error:
            rows = connection.exec_driver_sql(compiled.sql, sent).all()
    return compiled.rows(rows)


def watched(connection: Connection) -> bool:
    """Whether listeners watch the engine's cursor executions (the tests' statement counts):
    a statement sent to the driver directly must then go through SQLAlchemy, which tells
    them."""
    return bool(
        connection.dispatch.before_cursor_execute or connection.dispatch.after_cursor_execute
    )


def _processed(row: Sequence[Any], processors: Sequence[tuple[int, Processor]]) -> list[Any]:
    """``row`` with each processed column's value passed through its result processor."""
    values = list(row)
    for position, process in processors:
        values[position] = process(values[position])
    return values
