"""An action's tasks by the date they were last reported: strategy progress reads each
action's newest backwards (``api.reports.performance.newest_current_tasks``) instead of
ranking every task of a county's strategy. It replaces the plain ``action_id`` index, whose
look-ups it serves as well.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_task_action_reported", "task", ["action_id", "last_reported_on", "id"])
    op.drop_index("ix_task_action_id", table_name="task")


def downgrade() -> None:
    op.create_index("ix_task_action_id", "task", ["action_id"])
    op.drop_index("ix_task_action_reported", table_name="task")
