from pydantic import AwareDatetime, BaseModel, Field
from sqlmodel import SQLModel

from api.core.models import (
    STRICT,
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
    status: MeetingStatus = MeetingStatus.scheduled
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


class MeetingRead(MeetingBase, RecordMeta, Permitted):
    quorum: Quorum


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


class AttendanceRead(RecordMeta):
    meeting_id: int
    membership_id: int
    person_id: int
    role: MembershipRole
    voting: bool
    status: AttendanceStatus
    substitute_person_id: int | None
    note: str | None


# -- decisions ---------------------------------------------------------------------------------


class DecisionActionCreate(StrictBody):
    """An action the decision adds to the partnership's action plan (only if carried)."""

    model_config = STRICT
    action_plan_id: Id | None = Field(
        default=None, description="Defaults to the partnership's only action plan"
    )
    outcome_id: Id
    ref: str = Field(max_length=20)
    title: str = Field(max_length=500)


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
