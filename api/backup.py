"""Logical backups: every table to one JSON document, and back into an empty database.

``export_all`` writes the rows of every table in dependency order (parents first), including
users, password hashes and API key hashes, so a restore is a complete copy of the service.
``restore`` loads such a document into a freshly migrated database (``lsphub migrate``) and
refuses one that already holds data. The format is portable between SQLite and PostgreSQL.

    {"format": "lsphub-backup", "version": 1, "revision": "<alembic head>",
     "tables": {"organisation": [{"id": 1, ...}, ...], ...}}
"""

import base64
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    LargeBinary,
    Table,
    bindparam,
    func,
    insert,
    select,
    text,
)
from sqlalchemy import update as sa_update
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

FORMAT = "lsphub-backup"
VERSION = 1
BATCH = 1000
# Rows `lsphub migrate` itself loads (the National Indicator catalogue): a database holding
# only these still counts as empty, and they are replaced by the backup's own rows.
REFERENCE_TABLES = frozenset({"indicator"})


class BackupError(Exception):
    """The document or the target database is not fit for a restore."""


def tables() -> list[Table]:
    import api.models  # noqa: F401  (every table registered)

    return list(SQLModel.metadata.sorted_tables)


def _kind(column_type: Any) -> type | None:
    impl = column_type.impl if isinstance(column_type, TypeDecorator) else column_type
    if isinstance(impl, DateTime):
        return datetime
    if isinstance(impl, Date):
        return date
    if isinstance(impl, LargeBinary):
        return bytes
    return None


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _decode(kind: type | None, value: Any) -> Any:
    if value is None or kind is None:
        return value
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    return base64.b64decode(value)


def current_revision(conn: Connection) -> str | None:
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:
        return None


def iter_rows(conn: Connection, table: Table) -> Iterator[dict[str, Any]]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(stream_results=True).execute(select(table).order_by(*order))
    for row in result.mappings():
        yield {name: _encode(value) for name, value in row.items()}


def export_all(conn: Connection) -> dict[str, Any]:
    """Every table's rows, parents before children, each ordered by primary key."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "revision": current_revision(conn),
        "tables": {table.name: list(iter_rows(conn, table)) for table in tables()},
    }


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)


def check_empty(conn: Connection) -> None:
    busy = [t.name for t in tables() if t.name not in REFERENCE_TABLES and _count(conn, t)]
    if busy:
        raise BackupError(
            "the database is not empty (rows in " + ", ".join(busy[:5]) + "); restore needs a "
            "freshly migrated database"
        )


def _batches(rows: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def restore(conn: Connection, document: dict[str, Any]) -> dict[str, int]:
    """Load ``document`` into the (empty, migrated) database on ``conn``; rows per table.

    Runs inside the caller's transaction: on any error nothing is written.
    """
    if document.get("format") != FORMAT or document.get("version") != VERSION:
        raise BackupError(f"not an {FORMAT} version {VERSION} document")
    revision = current_revision(conn)
    if document.get("revision") != revision:
        raise BackupError(
            f"the backup is at schema revision {document.get('revision')}, the database at "
            f"{revision}; restore with the matching release, then migrate"
        )
    check_empty(conn)
    known = {t.name: t for t in tables()}
    unknown = sorted(set(document["tables"]) - set(known))
    if unknown:
        raise BackupError(f"unknown tables in the backup: {', '.join(unknown)}")
    for name in REFERENCE_TABLES:
        conn.execute(known[name].delete())
    counts: dict[str, int] = {}
    for table in tables():
        rows = document["tables"].get(table.name, [])
        kinds = {c.name: _kind(c.type) for c in table.columns}
        decoded = [{k: _decode(kinds.get(k), v) for k, v in row.items()} for row in rows]
        # Rows pointing at rows of the same table (a partnership's parent, an adjourned
        # meeting) are inserted without the pointer, which is set once every row exists.
        self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
        # (Columns with an ON UPDATE default, such as updated_at, are set back explicitly.)
        restated = self_refs + [c.name for c in table.columns if c.onupdate is not None]
        deferred = [
            {"_id": row["id"], **{c: row.get(c) for c in restated}}
            for row in decoded
            if any(row.get(c) is not None for c in self_refs)
        ]
        for batch in _batches(decoded):
            conn.execute(insert(table), [{**r, **dict.fromkeys(self_refs)} if deferred else r
                                         for r in batch])  # fmt: skip
        if deferred:
            stmt = (
                sa_update(table)
                .where(table.c.id == bindparam("_id"))
                .values({c: bindparam(c) for c in restated})
            )
            conn.execute(stmt, deferred)
        counts[table.name] = len(rows)
    if conn.dialect.name == "postgresql":
        _reset_sequences(conn)
    return counts


def _reset_sequences(conn: Connection) -> None:
    """Point each serial id's sequence past the restored ids."""
    for table in tables():
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        conn.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
            ),
            {"t": f'"{table.name}"'},
        )
