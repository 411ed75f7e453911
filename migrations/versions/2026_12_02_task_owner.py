"""A task's owner: the person responsible for it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing tasks have no owner until one is named.
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_person_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_task_owner_person_id"), ["owner_person_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_task_owner_person_id_person"), "person", ["owner_person_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_task_owner_person_id_person"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_task_owner_person_id"))
        batch_op.drop_column("owner_person_id")
