from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.core.models import Entity, UTCDateTime, enum_check, enum_column


class MeetingKind(StrEnum):
    ordinary = "ordinary"
    extraordinary = "extraordinary"
    away_day = "away_day"
    conference = "conference"


class MeetingStatus(StrEnum):
    scheduled = "scheduled"
    held = "held"
    adjourned = "adjourned"
    cancelled = "cancelled"


class AttendanceStatus(StrEnum):
    present = "present"
    apologies = "apologies"
    absent = "absent"
    substitute = "substitute"


class DecisionMethod(StrEnum):
    consensus = "consensus"
    simple_majority = "simple_majority"
    two_thirds = "two_thirds"


class DecisionResult(StrEnum):
    carried = "carried"
    lost = "lost"


class CastingVote(StrEnum):
    for_ = "for"
    against = "against"


class MeetingBase(SQLModel):
    partnership_id: int = Field(foreign_key="partnership.id", index=True)
    kind: MeetingKind = enum_column(MeetingKind, default=MeetingKind.ordinary)
    title: str = Field(max_length=200)
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    location: str | None = Field(default=None, max_length=300)
    online_url: str | None = Field(default=None, max_length=500)
    status: MeetingStatus = enum_column(MeetingStatus, default=MeetingStatus.scheduled, index=True)
    adjourned_to_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    # The resumed meeting names the inquorate meeting it continues.
    adjourned_from_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    adjournment_reason: str | None = Field(default=None, max_length=1000)
    cancellation_reason: str | None = Field(default=None, max_length=1000)
    public: bool = Field(default=True, index=True)
    minutes: str | None = Field(default=None, sa_type=Text)
    minutes_approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    minutes_approved_by_meeting_id: int | None = Field(
        default=None, foreign_key="meeting.id", index=True
    )


class Meeting(MeetingBase, Entity, table=True):
    __table_args__ = (
        enum_check("kind", MeetingKind),
        enum_check("status", MeetingStatus),
        # A partnership's meetings of one status by date: the governance checks' window and
        # each partnership's latest held meeting (migration 0017).
        Index("ix_meeting_partnership_status_starts", "partnership_id", "status", "starts_at"),
    )

    agenda_published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AgendaItemBase(SQLModel):
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    position: int = Field(default=0)
    title: str = Field(max_length=300)
    presenter: str | None = Field(default=None, max_length=200)
    report_id: int | None = Field(default=None, foreign_key="report.id", index=True)
    outcome: str | None = Field(default=None, sa_type=Text)
    minutes_allotted: int | None = Field(default=None, ge=1, le=600)


class AgendaItem(AgendaItemBase, Entity, table=True):
    __tablename__ = "agenda_item"


class AttendanceBase(SQLModel):
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    membership_id: int = Field(foreign_key="membership.id", index=True)
    status: AttendanceStatus = enum_column(AttendanceStatus, index=True)
    substitute_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    note: str | None = Field(default=None, max_length=500)


class Attendance(AttendanceBase, Entity, table=True):
    __table_args__ = (
        enum_check("status", AttendanceStatus),
        UniqueConstraint("meeting_id", "membership_id"),
        # The attendance at many meetings read from the index alone (migration 0017).
        Index("ix_attendance_meeting_member_status", "meeting_id", "membership_id", "status"),
    )


class DecisionBase(SQLModel):
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    agenda_item_id: int | None = Field(default=None, foreign_key="agenda_item.id", index=True)
    text: str = Field(sa_type=Text)
    method: DecisionMethod = enum_column(DecisionMethod, default=DecisionMethod.consensus)
    votes_for: int = 0
    votes_against: int = 0
    votes_abstain: int = 0
    chair_casting_vote: CastingVote | None = enum_column(CastingVote, default=None, nullable=True)
    result: DecisionResult = enum_column(DecisionResult)
    # Expulsion: the member concerned and whether they were heard first.
    subject_membership_id: int | None = Field(default=None, foreign_key="membership.id", index=True)
    member_heard: bool = False
    # "Minutes of the last meeting agreed": the earlier meeting whose minutes this approved.
    approves_minutes_of_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)


class Decision(DecisionBase, Entity, table=True):
    __table_args__ = (
        enum_check("method", DecisionMethod),
        enum_check("result", DecisionResult),
        enum_check("chair_casting_vote", CastingVote, nullable=True),
    )


class MinuteBase(SQLModel):
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    agenda_item_id: int = Field(foreign_key="agenda_item.id", index=True)
    text: str = Field(default="", sa_type=Text)


class Minute(MinuteBase, Entity, table=True):
    """The minute of one agenda item; a draft until the meeting's minutes are approved."""

    __table_args__ = (UniqueConstraint("meeting_id", "agenda_item_id"),)
