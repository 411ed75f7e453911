"""Indexes for a decade of meetings (both databases): a partnership's meetings by status and
date (the governance checks' twelve-month window and each partnership's latest held meeting)
and attendance by meeting with the member and status (the checks' attendance and quorum
figures read from the index alone).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 16:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_meeting_partnership_status_starts",
        "meeting",
        ["partnership_id", "status", "starts_at"],
        unique=False,
    )
    op.create_index(
        "ix_attendance_meeting_member_status",
        "attendance",
        ["meeting_id", "membership_id", "status"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_attendance_meeting_member_status", table_name="attendance")
    op.drop_index("ix_meeting_partnership_status_starts", table_name="meeting")
