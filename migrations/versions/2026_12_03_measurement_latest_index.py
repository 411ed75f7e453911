"""Each indicator's latest measurement on or before a date, from an index: strategy progress
reads it backwards once per linked indicator instead of ranking every measurement.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_measurement_indicator_reported", "measurement", ["indicator_id", "reported_on", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_measurement_indicator_reported", table_name="measurement")
