"""Two more indexes for a decade of tasks (PostgreSQL only): tasks of one RAG status by
deadline (the task list's ``rag=red&sort=-deadline``, the dashboard's overdue lists) and the
complete tasks by action (the dashboard's per-outcome counts of complete tasks, read without
touching the table).

SQLite keeps its plain indexes, as for migration 0014.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 13:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CREATE = (
    "CREATE INDEX ix_task_rag_deadline ON task (rag, deadline, id)",
    "CREATE INDEX ix_task_complete_by_action ON task (action_id, rag) WHERE rag = 'complete'",
)

DROP = (
    "DROP INDEX IF EXISTS ix_task_complete_by_action",
    "DROP INDEX IF EXISTS ix_task_rag_deadline",
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
