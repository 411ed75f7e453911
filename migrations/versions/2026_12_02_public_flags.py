"""Public flags for the residents' site: partnerships (shown unless made private) and papers
(hidden unless marked public); residents' e-mail subscriptions to a partnership.

Revision ID: 0010
Revises: 0009 (0005 on main; the lead re-chains)
Create Date: 2026-12-02 02:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.core.models

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
    op.create_table(
        "public_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("created_at", api.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", api.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_public_subscription_partnership_id_partnership"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_subscription")),
        sa.UniqueConstraint(
            "email", "partnership_id", name=op.f("uq_public_subscription_email_partnership_id")
        ),
    )
    with op.batch_alter_table("public_subscription", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_public_subscription_confirmed_at"), ["confirmed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_public_subscription_partnership_id"), ["partnership_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("public_subscription")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_public"))
        batch_op.drop_column("public")
    with op.batch_alter_table("partnership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partnership_public"))
        batch_op.drop_column("public")
