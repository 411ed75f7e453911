"""Public flags for the residents' site: partnerships (shown unless made private) and papers
(hidden unless marked public).

Revision ID: 0010
Revises: 0009 (0005 on main; the lead re-chains)
Create Date: 2026-12-02 02:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing partnerships stay public (their public meetings were already in the open iCal
    # feed); existing papers stay private until an officer marks them public.
    with op.batch_alter_table("partnership", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.create_index(batch_op.f("ix_partnership_public"), ["public"], unique=False)
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(batch_op.f("ix_report_public"), ["public"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_public"))
        batch_op.drop_column("public")
    with op.batch_alter_table("partnership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partnership_public"))
        batch_op.drop_column("public")
