"""A task's owner: the person responsible for it.

On SQLite the column is added in place (``ALTER TABLE … ADD COLUMN`` with its named foreign
key), not by the batch mode's copy of the table, which would drop the search index's
triggers on ``task``. Downgrading there has to copy the table, so it rebuilds the index.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from api.search import index

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = "fk_task_owner_person_id_person"


def upgrade() -> None:
    # Existing tasks have no owner until one is named.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE task ADD COLUMN owner_person_id INTEGER CONSTRAINT {FK} "
            "REFERENCES person (id)"
        )
    else:
        op.add_column("task", sa.Column("owner_person_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FK, "task", "person", ["owner_person_id"], ["id"])
    op.create_index("ix_task_owner_person_id", "task", ["owner_person_id"], unique=False)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_index("ix_task_owner_person_id", table_name="task")
    if dialect != "sqlite":
        op.drop_constraint(FK, "task", type_="foreignkey")
        op.drop_column("task", "owner_person_id")
        return
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_column("owner_person_id")  # its foreign key goes with it
    # The copy of the table lost its triggers: rebuild the search index.
    for statement in index.drop_statements(dialect):
        op.execute(statement)
    op.execute("DELETE FROM search_entry")
    for statement in index.create_statements(dialect):
        op.execute(statement)
