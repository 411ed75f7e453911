"""Audit events may be pending: seq, prev_hash and hash NULL until the event is linked into the
chain (on PostgreSQL just after its transaction commits), and the triggers allow exactly that
one change: all three from NULL to a value, nothing else touched. Every other UPDATE, and every
DELETE (PostgreSQL: TRUNCATE too), is refused as before.

SQLite rebuilds audit_event to drop the NOT NULLs, which drops its triggers: they are created
again. A partial index of the pending events keeps the linker's look-up small. Downgrading
links whatever is pending first.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.core.models
from api.core.audit_chain import link_pending

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINKS = ("seq", "prev_hash", "hash")
# Everything else an event holds: linking must leave it as it was.
CONTENT = ("id", "at", "principal", "action", "resource", "resource_id", "request_id")
JSON_CONTENT = ("before", "after")  # PostgreSQL's json has no equality: compared as text


def _linking(same: str, same_json: str) -> str:
    """The condition under which an UPDATE is the one allowed: linking a pending event."""
    return " AND ".join(
        [
            *(f"OLD.{name} IS NULL" for name in LINKS),
            *(f"NEW.{name} IS NOT NULL" for name in LINKS),
            *(same.format(name=name) for name in CONTENT),
            *(same_json.format(name=name) for name in JSON_CONTENT),
        ]
    )


POSTGRESQL_LINKING = _linking(
    "NEW.{name} IS NOT DISTINCT FROM OLD.{name}",
    "NEW.{name}::text IS NOT DISTINCT FROM OLD.{name}::text",
)
SQLITE_LINKING = _linking("NEW.{name} IS OLD.{name}", "NEW.{name} IS OLD.{name}")

POSTGRESQL_UP = (
    "DROP TRIGGER audit_event_append_only ON audit_event",
    """
    CREATE TRIGGER audit_event_append_only
    BEFORE DELETE OR TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()
    """,
    f"""
    CREATE FUNCTION audit_event_link_once() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF {POSTGRESQL_LINKING} THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_event is append-only: UPDATE refused'
            USING HINT = 'Audit events are never changed, only linked into the chain once.';
    END;
    $$
    """,
    """
    CREATE TRIGGER audit_event_link_once
    BEFORE UPDATE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_link_once()
    """,
)
POSTGRESQL_DOWN = (
    "DROP TRIGGER audit_event_link_once ON audit_event",
    "DROP FUNCTION audit_event_link_once()",
    "DROP TRIGGER audit_event_append_only ON audit_event",
    """
    CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()
    """,
)
SQLITE_DROP = ("DROP TRIGGER audit_event_no_update", "DROP TRIGGER audit_event_no_delete")
SQLITE_DELETE = """
    CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
    BEGIN
        SELECT RAISE(ABORT, 'audit_event is append-only: DELETE refused');
    END
    """
SQLITE_UP = (
    f"""
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
    WHEN NOT ({SQLITE_LINKING})
    BEGIN
        SELECT RAISE(ABORT, 'audit_event is append-only: UPDATE refused');
    END
    """,
    SQLITE_DELETE,
)
SQLITE_DOWN = (
    """
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
    BEGIN
        SELECT RAISE(ABORT, 'audit_event is append-only: UPDATE refused');
    END
    """,
    SQLITE_DELETE,
)

EVENTS = sa.table(
    "audit_event",
    sa.column("id", sa.Integer()),
    sa.column("at", api.core.models.UTCDateTime(timezone=True)),
    *(sa.column(name) for name in ("principal", "action", "resource", "resource_id")),
    sa.column("before", sa.JSON()),
    sa.column("after", sa.JSON()),
    sa.column("request_id"),
    sa.column("seq", sa.BigInteger()),
    sa.column("prev_hash"),
    sa.column("hash"),
)


def _nullable(nullable: bool) -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.BigInteger(), nullable=nullable)
        for name in ("prev_hash", "hash"):
            batch_op.alter_column(
                name, existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=nullable
            )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _nullable(True)
        for statement in POSTGRESQL_UP:
            op.execute(statement)
    else:
        for statement in SQLITE_DROP:
            op.execute(statement)
        _nullable(True)
        for statement in SQLITE_UP:
            op.execute(statement)
    pending = sa.text("seq IS NULL")
    op.create_index(
        "ix_audit_event_pending",
        "audit_event",
        ["id"],
        postgresql_where=pending,
        sqlite_where=pending,
    )


def downgrade() -> None:
    link_pending(op.get_bind(), EVENTS)  # type: ignore[arg-type]
    op.drop_index("ix_audit_event_pending", table_name="audit_event")
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_DOWN:
            op.execute(statement)
        _nullable(False)
        return
    for statement in SQLITE_DROP:
        op.execute(statement)
    _nullable(False)
    for statement in SQLITE_DOWN:
        op.execute(statement)
