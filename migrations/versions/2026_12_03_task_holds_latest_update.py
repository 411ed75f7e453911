"""Every task holds its latest status update.

Reports as of today now read a task's own status columns instead of looking up its latest
update, so this brings older data into line with what every write path now keeps:

- a task with updates takes its latest one's fields (an import could give a task a late
  update's values while an earlier-numbered, later-dated update stayed the latest);
- a task with a ``last_reported_on`` and no update (created over the API with one) gets its
  first update from its own fields, dated that day.

Rows written here are not in the audit log: they restate what the task and its history
already said. Nothing to undo on downgrade.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 09:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIELDS = ("rag", "position", "planned_improvement", "deadline")
LATEST = (
    "(SELECT s.{column} FROM status_update s WHERE s.task_id = task.id "
    "ORDER BY s.reported_on DESC, s.id DESC LIMIT 1)"
)


def upgrade() -> None:
    distinct = "IS DISTINCT FROM" if op.get_bind().dialect.name == "postgresql" else "IS NOT"
    pairs = [("last_reported_on", "reported_on"), *((f, f) for f in FIELDS)]
    assignments = ", ".join(f"{task} = {LATEST.format(column=s)}" for task, s in pairs)
    drifted = " OR ".join(f"{task} {distinct} {LATEST.format(column=s)}" for task, s in pairs)
    op.execute(
        f"UPDATE task SET {assignments}, version = version + 1 "
        "WHERE EXISTS (SELECT 1 FROM status_update s WHERE s.task_id = task.id) "
        f"AND ({drifted})"
    )
    op.execute(
        "INSERT INTO status_update (task_id, rag, position, planned_improvement, deadline, "
        "reported_on, note, author, created_at) "
        "SELECT id, rag, position, planned_improvement, deadline, last_reported_on, "
        "'Recorded from the task when its history began', 'LSP Hub', CURRENT_TIMESTAMP "
        "FROM task WHERE last_reported_on IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM status_update s WHERE s.task_id = task.id)"
    )


def downgrade() -> None:
    pass
