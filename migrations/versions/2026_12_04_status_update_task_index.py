"""A task's status updates by date on SQLite too, and no plain ``status_update (task_id)``
index: ``(task_id, reported_on, id)`` (PostgreSQL since 0014) serves every look-up by task as
well, and on small tables the planner took the plain one and sorted each task's updates.
Every status update wrote both.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.create_index(
            "ix_status_update_task_reported", "status_update", ["task_id", "reported_on", "id"]
        )
    op.drop_index("ix_status_update_task_id", table_name="status_update")


def downgrade() -> None:
    op.create_index("ix_status_update_task_id", "status_update", ["task_id"])
    if op.get_bind().dialect.name != "postgresql":
        op.drop_index("ix_status_update_task_reported", table_name="status_update")
