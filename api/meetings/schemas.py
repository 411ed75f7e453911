from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, Field
from sqlmodel import SQLModel

from api.core.models import (
    CAN_DESCRIPTION,
    STRICT,
    Can,
    Id,
    Permitted,
    QueryDateTime,
    RecordMeta,
    StrictBody,
    partial_model,
)
from api.meetings.models import (
    AgendaItemBase,
    AttendanceStatus,
    CastingVote,
    DecisionBase,
    DecisionMethod,
    MeetingBase,
    MeetingKind,
    MeetingStatus,
)
from api.partnerships.models import MembershipRole


class MeetingCreate(SQLModel, StrictBody):
    """A meeting; minutes are approved through ``POST /meetings/{id}/minutes-approval``."""

    model_config = STRICT
    partnership_id: Id
    kind: MeetingKind = MeetingKind.ordinary
    title: str = Field(max_length=200)
    starts_at: AwareDatetime = Field(description="With a UTC offset, e.g. 2026-01-15T14:00:00Z")
    ends_at: AwareDatetime | None = None
    location: str | None = Field(default=None, max_length=300)
    online_url: str | None = Field(
        default=None,
        max_length=500,
        pattern=r"^https?://[^\s/]+\S*$",
        description="Where to join online (http or https)",
    )
    status: MeetingStatus = MeetingStatus.scheduled
    cancellation_reason: str | None = Field(
        default=None, max_length=1000, description="Required when the meeting is cancelled"
    )
    adjourned_to_id: Id | None = Field(
        default=None, description="Required when status is adjourned: the meeting it resumes at"
    )
    public: bool = True
    minutes: str | None = Field(default=None, max_length=200_000, description="Markdown")


MeetingUpdate = partial_model(MeetingCreate, "MeetingUpdate", exclude=("partnership_id",))


class Quorum(BaseModel):
    """Present voting members plus voting substitutes, against the partnership's quorum."""

    required: int
    present_voting: int
    quorate: bool


class MeetingCan(Can):
    """Beyond ``update`` and ``delete`` (permissions), the steps of the meeting cycle the
    caller may take now: these depend on the meeting's state as well (started, quorate,
    minutes written or approved), so even an administrator sees some of them false."""

    cancel: bool
    reinstate: bool = Field(description="Put a cancelled meeting back on the calendar")
    mark_held: bool
    adjourn: bool = Field(description="Adjourn to a resumed meeting: started, not quorate")
    record_attendance: bool = Field(description="Record anyone's attendance (officers)")
    send_apologies: bool = Field(
        description="Send one's own apologies or name a substitute, before the meeting"
    )
    decide: bool = Field(description="Record decisions: started and quorate")
    write_minutes: bool
    approve_minutes: bool = Field(
        description="The minutes are written and ready for approval by a later meeting"
    )


class MeetingRead(MeetingBase, RecordMeta, Permitted):
    can: MeetingCan | None = Field(default=None, description=CAN_DESCRIPTION)
    quorum: Quorum
    agenda_published_at: AwareDatetime | None = Field(
        None, description="When an officer published the agenda pack"
    )


class MeetingFilters(BaseModel):
    partnership_id: Id | None = None
    status: MeetingStatus | None = None
    kind: MeetingKind | None = None
    public: bool | None = None
    starts_at_after: QueryDateTime | None = None
    starts_at_before: QueryDateTime | None = None
    q: str | None = Field(None, max_length=100)


class MinutesApproval(StrictBody):
    model_config = STRICT
    approved_by_meeting_id: Id = Field(description="The later meeting that approved the minutes")
    agenda_item_id: Id | None = Field(
        default=None, description="The approving meeting's item (minutes of the last meeting)"
    )


class AdjournmentCreate(StrictBody):
    """An inquorate meeting is adjourned: this creates the resumed meeting."""

    model_config = STRICT
    starts_at: AwareDatetime = Field(description="When the resumed meeting starts")
    ends_at: AwareDatetime | None = None
    location: str | None = Field(default=None, max_length=300)
    online_url: str | None = Field(default=None, max_length=500, pattern=r"^https?://[^\s/]+\S*$")
    reason: str = Field(min_length=1, max_length=1000, description="Recorded on both meetings")
    title: str | None = Field(default=None, max_length=200, description="Defaults to '… (resumed)'")


class Adjournment(BaseModel):
    adjourned: "MeetingRead"
    resumed: "MeetingRead"


class AgendaItemCreate(AgendaItemBase, StrictBody):
    model_config = STRICT


AgendaItemUpdate = partial_model(AgendaItemBase, "AgendaItemUpdate", exclude=("meeting_id",))


class AgendaItemRead(AgendaItemBase, RecordMeta, Permitted):
    pass


class AgendaItemFilters(BaseModel):
    meeting_id: Id | None = None
    report_id: Id | None = None


class AgendaReorder(StrictBody):
    model_config = STRICT
    item_ids: list[Id] = Field(
        max_length=500, description="Every agenda item of the meeting, in the new order"
    )


# -- attendance --------------------------------------------------------------------------------


class AttendanceRecord(StrictBody):
    """One member's attendance. ``substitute``: the member sent apologies and
    ``substitute_person_id`` attends (and votes) in their place."""

    model_config = STRICT
    status: AttendanceStatus
    substitute_person_id: Id | None = None
    note: str | None = Field(default=None, max_length=500)


class SubstitutionLimit(BaseModel):
    """How close a member is to the substitution limit at this meeting."""

    membership_id: int
    substitutions: int = Field(
        description="Substitutes sent in the 12 months to this meeting, not counting this one"
    )
    limit: int
    ends_membership: bool = Field(
        description="Recording a substitute here ends the membership (substitution_limit)"
    )


class Reinstatement(StrictBody):
    model_config = STRICT
    reason: str = Field(min_length=1, max_length=1000)


class AttendanceRead(RecordMeta):
    meeting_id: int
    membership_id: int
    person_id: int
    role: MembershipRole
    voting: bool
    status: AttendanceStatus
    substitute_person_id: int | None
    note: str | None
    ended_membership: bool = Field(
        default=False, description="This record ended the membership at the substitution limit"
    )


# -- decisions ---------------------------------------------------------------------------------


class DecisionTaskCreate(StrictBody):
    """A task under the new action: who leads it and by when."""

    model_config = STRICT
    title: str = Field(min_length=1, max_length=500)
    ref: str | None = Field(default=None, max_length=20, description="Defaults to a, b, c…")
    lead_organisation_id: Id | None = None
    deadline: date | None = None


class DecisionActionCreate(StrictBody):
    """An action the decision adds to the partnership's action plan (only if carried)."""

    model_config = STRICT
    action_plan_id: Id | None = Field(
        default=None, description="Defaults to the partnership's only action plan"
    )
    outcome_id: Id
    ref: str | None = Field(
        default=None, max_length=20, description="Defaults to the next number for the outcome"
    )
    title: str = Field(min_length=1, max_length=500)
    tasks: list[DecisionTaskCreate] = Field(default_factory=list, max_length=20)


class DecisionCreate(StrictBody):
    """A motion and its vote; the service computes ``result`` from the rules."""

    model_config = STRICT
    agenda_item_id: Id | None = None
    text: str = Field(min_length=1, max_length=20_000)
    method: DecisionMethod = DecisionMethod.consensus
    votes_for: int = Field(default=0, ge=0, le=10_000)
    votes_against: int = Field(default=0, ge=0, le=10_000)
    votes_abstain: int = Field(default=0, ge=0, le=10_000)
    chair_casting_vote: CastingVote | None = Field(
        default=None, description="Only on a tie in a simple-majority vote"
    )
    subject_membership_id: Id | None = Field(
        default=None, description="Expulsion: the member concerned (two_thirds only)"
    )
    member_heard: bool = Field(
        default=False, description="Expulsion: the member was given the right to be heard"
    )
    actions: list[DecisionActionCreate] = Field(default_factory=list, max_length=50)


class DecisionRead(DecisionBase, RecordMeta):
    action_ids: list[int] = Field(default_factory=list)
    task_ids: list[int] = Field(default_factory=list)


# -- minutes -----------------------------------------------------------------------------------


class MinuteWrite(StrictBody):
    model_config = STRICT
    text: str = Field(max_length=20_000, description="Markdown")


class MinuteRead(RecordMeta):
    meeting_id: int
    agenda_item_id: int
    text: str


class MinutesItem(BaseModel):
    """One agenda item with its minute (null until written) and the decisions taken on it."""

    agenda_item_id: int
    position: int
    title: str
    minute: MinuteRead | None
    decisions: list[DecisionRead]


class MinutesRead(BaseModel):
    meeting_id: int
    approved: bool
    minutes_approved_at: datetime | None
    minutes_approved_by_meeting_id: int | None
    general: str | None = Field(description="The meeting's own minutes text (PATCH the meeting)")
    items: list[MinutesItem]
    other_decisions: list[DecisionRead] = Field(description="Decisions on no agenda item")


Adjournment.model_rebuild()
