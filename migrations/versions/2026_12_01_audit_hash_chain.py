"""Audit hash chain: seq, prev_hash and hash on every audit event; triggers refuse changes.

Existing events are chained in id order (the order they were written). Then triggers refuse
UPDATE and DELETE on audit_event (PostgreSQL: TRUNCATE too). A later SQLite migration that
rebuilds audit_event in batch mode drops its triggers and must create them again.

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-01 23:44:47.108988
"""

from collections.abc import Sequence
from types import SimpleNamespace

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.core.models
from api.core.audit_chain import CHAINED_FIELDS, GENESIS, event_hash

revision: str = '0004'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000

POSTGRESQL_TRIGGERS = (
    """
    CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP
            USING HINT = 'Audit events are never changed or deleted.';
    END;
    $$
    """,
    """
    CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()
    """,
)
SQLITE_TRIGGERS = tuple(
    f"""
    CREATE TRIGGER audit_event_no_{operation.lower()} BEFORE {operation} ON audit_event
    BEGIN
        SELECT RAISE(ABORT, 'audit_event is append-only: {operation} refused');
    END
    """
    for operation in ("UPDATE", "DELETE")
)
DROP_TRIGGERS = {
    "postgresql": (
        "DROP TRIGGER audit_event_append_only ON audit_event",
        "DROP FUNCTION audit_event_append_only()",
    ),
    "sqlite": ("DROP TRIGGER audit_event_no_update", "DROP TRIGGER audit_event_no_delete"),
}


def _chain_existing_events() -> None:
    """Chain the events already stored, in id order, a batch at a time."""
    events = sa.table(
        'audit_event',
        sa.column('id', sa.Integer()),
        sa.column('at', api.core.models.UTCDateTime(timezone=True)),
        *(sa.column(name) for name in ('principal', 'action', 'resource', 'resource_id')),
        sa.column('before', sa.JSON()),
        sa.column('after', sa.JSON()),
        sa.column('request_id'),
        sa.column('seq', sa.BigInteger()),
        sa.column('prev_hash'),
        sa.column('hash'),
    )
    store = (
        sa.update(events)
        .where(events.c.id == sa.bindparam('_id'))
        .values(seq=sa.bindparam('seq'), prev_hash=sa.bindparam('prev_hash'), hash=sa.bindparam('hash'))
    )
    content = [events.c[name] for name in CHAINED_FIELDS if name not in ('seq', 'prev_hash')]
    conn = op.get_bind()
    last_id, seq, prev = 0, 0, GENESIS
    while True:
        rows = conn.execute(
            sa.select(events.c.id, *content).where(events.c.id > last_id).order_by(events.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        linked = []
        for row in rows:
            seq += 1
            event = SimpleNamespace(**row._mapping, seq=seq, prev_hash=prev)
            prev = event_hash(event)
            linked.append({'_id': row.id, 'seq': seq, 'prev_hash': event.prev_hash, 'hash': prev})
        conn.execute(store, linked)
        last_id = rows[-1].id


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))

    _chain_existing_events()

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_seq'), ['seq'])

    dialect = op.get_bind().dialect.name
    for statement in POSTGRESQL_TRIGGERS if dialect == 'postgresql' else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_event_seq'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
