"""What every import kind provides, and the batch writers they share.

A kind works on *column dicts*: ``{column name: parsed value}``. ``load`` returns the current
state of existing records in that same shape, so the engine can diff a row against the
database column by column, and ``export`` yields the same dicts, so an export is an import file.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from api.core.principal import Principal
from api.imports.columns import Column

Key = tuple[Any, ...]
Values = dict[str, Any]
BATCH = 5_000
COPY_THRESHOLD = 2_000  # below this, INSERT … RETURNING is as quick as COPY


@dataclass
class RowError:
    row: int
    column: str | None
    value: str | None
    message: str


class Errors:
    """Every error of an import, of which the first ``cap`` are kept."""

    def __init__(self, cap: int = 200) -> None:
        self.cap = cap
        self.items: list[RowError] = []
        self.count = 0
        self.rows: set[int] = set()

    def add(self, row: int, column: str | None, value: Any, message: str) -> None:
        self.count += 1
        self.rows.add(row)
        if len(self.items) < self.cap:
            shown = None if value is None else str(value)[:200]
            self.items.append(RowError(row, column, shown, message))

    def __bool__(self) -> bool:
        return self.count > 0


@dataclass(slots=True)
class Row:
    number: int
    values: Values  # parsed, by column name; only the columns the file has
    cells: list[str | None]  # as given, for error messages
    positions: dict[str, int]  # column name -> index in ``cells`` (shared by all rows)
    refs: dict[str, Any] = field(default_factory=dict)  # ids resolved by the kind

    def key(self, names: Sequence[str]) -> Key:
        return tuple(map(self.values.get, names))

    def cell(self, name: str) -> str | None:
        index = self.positions.get(name, -1)
        return self.cells[index] if 0 <= index < len(self.cells) else None


@dataclass
class Existing:
    """A record as it is now: its ids and its column dict."""

    ids: dict[str, int]
    values: Values
    extra: Values = field(default_factory=dict)  # what the kind needs besides the columns


@dataclass
class Update:
    row: Row
    existing: Existing
    changed: dict[str, tuple[Any, Any]]  # column -> (before, after)


@dataclass
class Context:
    session: Session
    principal: Principal
    errors: Errors
    columns_present: set[str]
    allowed_partnerships: frozenset[int] | None  # None: every partnership
    today: date
    now: datetime
    progress: Callable[[str, int, int | None], None] = lambda phase, done, total: None
    header_ok: bool = True
    state: dict[str, Any] = field(default_factory=dict)  # what a kind keeps from load to apply

    @property
    def conn(self) -> Connection:
        return self.session.connection()


class Kind:
    """One importable/exportable kind; subclasses fill in the columns and the four steps."""

    name: str  # URL segment: "laa-targets"
    title: str
    columns: Sequence[Column]
    key: Sequence[str]
    has_partnership: bool = False  # rows name a partnership (officers import into theirs)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def row_key(self, row: Row) -> Key:
        return row.key(self.key)

    def key_label(self) -> str:
        return " + ".join(self.key)

    def resolve(self, ctx: Context, rows: list[Row]) -> None:
        """Check references in bulk (slugs, codes); report bad rows to ``ctx.errors``."""

    def load(self, ctx: Context, rows: list[Row]) -> Iterable[tuple[Key, Existing]]:
        """The existing records the rows' natural keys may match, as (key, record) pairs.

        May be a generator: the engine diffs as they come, so they are never all in memory.
        """
        raise NotImplementedError

    def check(self, ctx: Context, creates: list[Row], updates: list[Update]) -> None:
        """Rules that need the stored state (after the diff); report to ``ctx.errors``."""

    def apply(self, ctx: Context, creates: list[Row], updates: list[Update]) -> None:
        raise NotImplementedError

    def export(self, session: Session, partnerships: set[int] | None) -> Iterator[Values]:
        raise NotImplementedError


# -- shared helpers ---------------------------------------------------------------------------


def table_of(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined]


def chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def pairs(session: Session, key: Any, value: Any) -> dict[Any, Any]:
    """``{key: value}`` over a whole (small) table, in one query: ids by slug, codes by id."""
    return dict(session.execute(select(key, value)).all())


def entity_defaults(table: Table, now: datetime) -> Values:
    defaults: Values = {}
    if "created_at" in table.c:
        defaults["created_at"] = now
    if "updated_at" in table.c:
        defaults["updated_at"] = now
    if "version" in table.c:
        defaults["version"] = 1
    return defaults


def insert_rows(
    ctx: Context,
    model: type[SQLModel],
    rows: list[Values],
    *,
    label: str | None = None,
    report: bool = True,
) -> list[int]:
    """Insert in batches and return the new ids in row order.

    PostgreSQL, for large batches: ids are drawn from the table's sequence in one query and the
    rows are streamed with ``COPY`` in the same transaction. Elsewhere: multi-row
    ``INSERT … RETURNING`` (SQLAlchemy's insertmanyvalues).
    """
    if not rows:
        return []
    table = table_of(model)
    defaults = entity_defaults(table, ctx.now)
    conn = ctx.conn
    name = label or table.name
    dialect = conn.dialect.name
    progress = ctx.progress if report else lambda phase, done, total: None
    if (dialect == "postgresql" and len(rows) < COPY_THRESHOLD) or dialect not in (
        "postgresql",
        "sqlite",
    ):
        ids: list[int] = []
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        for part in chunks(rows):
            ids.extend(conn.execute(stmt, [{**defaults, **r} for r in part]).scalars().all())
            progress(f"writing {name}", len(ids), len(rows))
        return ids
    if dialect == "postgresql":
        # Ids drawn from the table's sequence in one query, rows streamed with COPY.
        ids = list(
            conn.execute(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"
                ),
                {"t": table.name, "n": len(rows)},
            ).scalars()
        )
    else:
        # SQLite cannot return the ids of a multi-row INSERT in order (SQLAlchemy would send one
        # statement per row). Writes hold the database lock from BEGIN IMMEDIATE on, so the
        # next ids are max(id) + 1, … and one executemany per batch carries them.
        start = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
        ids = list(range(start + 1, start + 1 + len(rows)))
    names, to_tuples = _tuple_maker(
        conn, table, sorted({k for r in rows for k in r} - {"id"}), defaults
    )
    quoted = ", ".join(f'"{n}"' for n in ["id", *names])
    raw = conn.connection.driver_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        for offset in range(0, len(rows), BATCH):
            batch = to_tuples(ids[offset : offset + BATCH], rows[offset : offset + BATCH])
            if dialect == "postgresql":
                with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                    for values in batch:
                        copy.write_row(values)
            else:
                marks = ", ".join("?" for _ in range(len(names) + 1))
                cursor.executemany(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})', batch)
            progress(f"writing {name}", min(offset + BATCH, len(rows)), len(rows))
    finally:
        cursor.close()
    return ids


def _tuple_maker(
    conn: Connection, table: Table, names: list[str], defaults: Values
) -> tuple[list[str], Callable[[Sequence[int], Sequence[Values]], list[tuple[Any, ...]]]]:
    """The column order and a function turning rows into DB-API tuples (``id`` first).

    Values go through each column type's bind processor, as SQLAlchemy itself would do;
    calling them directly saves its per-row bookkeeping. Defaults (timestamps shared by all
    rows) are processed once and go last. A key missing from a row is NULL.
    """

    def processor(name: str) -> Callable[[Any], Any] | None:
        return table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)

    own = [n for n in names if n not in defaults]
    fixed_names = [n for n in defaults if n != "id"]
    fixed: tuple[Any, ...] = ()
    for n in fixed_names:
        process = processor(n)
        fixed += (process(defaults[n]) if process else defaults[n],)
    processed = [(i, p) for i, n in enumerate(own) if (p := processor(n)) is not None]
    getter = itemgetter(*own) if len(own) > 1 else None

    def values_of(row: Values) -> list[Any]:
        if getter is not None:
            try:
                return list(getter(row))
            except KeyError:
                pass
        return [row.get(n) for n in own]

    def make(ids: Sequence[int], rows: Sequence[Values]) -> list[tuple[Any, ...]]:
        out: list[tuple[Any, ...]] = []
        for row_id, row in zip(ids, rows, strict=True):
            values = values_of(row)
            for i, process in processed:
                if values[i] is not None:
                    values[i] = process(values[i])
            out.append((row_id, *values, *fixed))
        return out

    return [*own, *fixed_names], make


def update_rows(ctx: Context, model: type[SQLModel], rows: list[Values]) -> None:
    """``UPDATE … WHERE id = ?`` executemany, grouped by the set of columns changed.

    Bumps ``version`` and ``updated_at`` like an ORM update would.
    """
    if not rows:
        return
    table = table_of(model)
    groups: dict[tuple[str, ...], list[Values]] = defaultdict(list)
    for r in rows:
        groups[tuple(sorted(k for k in r if k != "id"))].append(r)
    conn = ctx.conn
    done = 0
    for names, items in groups.items():
        values: dict[str, Any] = {n: bindparam(f"p_{n}", type_=table.c[n].type) for n in names}
        if "version" in table.c:
            values["version"] = table.c.version + 1
        if "updated_at" in table.c:
            values["updated_at"] = bindparam("p__now", type_=table.c.updated_at.type)
        stmt = update(table).where(table.c.id == bindparam("p__id")).values(values)
        for part in chunks(items):
            params = [
                {"p__id": r["id"], "p__now": ctx.now, **{f"p_{n}": r[n] for n in names}}
                for r in part
            ]
            conn.execute(stmt, params)
            done += len(part)
            ctx.progress(f"updating {table.name}", done, len(rows))


def check_partnership(
    ctx: Context, row: Row, slug_column: str, partnerships: Mapping[str, int | None]
) -> int | None:
    """The id of the row's partnership, or an error when unknown or not the caller's."""
    slug = row.values.get(slug_column)
    if slug is None:
        return None
    pid = partnerships.get(slug)
    if pid is None:
        ctx.errors.add(row.number, slug_column, slug, "no partnership with this slug")
        return None
    if ctx.allowed_partnerships is not None and pid not in ctx.allowed_partnerships:
        ctx.errors.add(row.number, slug_column, slug, "you may not import into this partnership")
        return None
    return pid
