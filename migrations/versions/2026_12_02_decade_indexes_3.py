"""One more index for a decade of tasks (PostgreSQL only): the open tasks by deadline, the
order of the dashboard's most overdue list, which can then stop after its twenty rows (the
plain deadline index walks past every complete task with an earlier deadline).

SQLite keeps its plain indexes, as for migrations 0014 and 0016.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 16:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX ix_task_open_deadline ON task (deadline, id) "
        "WHERE rag IS NULL OR rag <> 'complete'"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_task_open_deadline")
