"""Indexes for a decade of data (PostgreSQL only): trigram indexes for ``?q=`` on tasks, a
covering partial index of open tasks by action for the staleness counts (read without
touching the table), a partial index of open tasks by last report for the dashboard's
stalest, and status updates by task and date for the reports' latest update.

SQLite keeps its plain indexes: the same queries run there without these.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 06:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CREATE = (
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_task_title_trgm ON task USING gin (title gin_trgm_ops)",
    "CREATE INDEX ix_task_target_trgm ON task USING gin (target gin_trgm_ops)",
    'CREATE INDEX ix_task_position_trgm ON task USING gin ("position" gin_trgm_ops)',
    "CREATE INDEX ix_task_open_by_action ON task (action_id, last_reported_on) "
    "INCLUDE (rag, deadline, lead_organisation_id) WHERE rag IS NULL OR rag <> 'complete'",
    "CREATE INDEX ix_task_open_last_reported ON task (last_reported_on NULLS FIRST, id) "
    "WHERE rag IS NULL OR rag <> 'complete'",
    "CREATE INDEX ix_status_update_task_reported ON status_update (task_id, reported_on, id)",
)

DROP = (
    "DROP INDEX IF EXISTS ix_status_update_task_reported",
    "DROP INDEX IF EXISTS ix_task_open_last_reported",
    "DROP INDEX IF EXISTS ix_task_open_by_action",
    "DROP INDEX IF EXISTS ix_task_position_trgm",
    "DROP INDEX IF EXISTS ix_task_target_trgm",
    "DROP INDEX IF EXISTS ix_task_title_trgm",
    # The extension stays: other objects may have come to use it.
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in CREATE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in DROP:
        op.execute(statement)
