from datetime import date, datetime

from pydantic import BaseModel, Field

from api.partnerships.models import MembershipRole, PartnershipKind, PartnershipStatus
from api.plans.models import Rag
from api.reports.schemas import Summary


class MyPartnership(BaseModel):
    id: int
    name: str
    kind: PartnershipKind
    status: PartnershipStatus
    role: MembershipRole | None = Field(description="The caller's role in it, if a member")


class OutcomeRag(BaseModel):
    partnership_id: int
    outcome_id: int
    code: str
    title: str
    summary: Summary
    overdue: int


class TaskBrief(BaseModel):
    id: int
    ref: str = Field(description="Action ref and task ref, e.g. 2.1.1b")
    title: str
    partnership_id: int
    rag: Rag | None
    deadline: date | None
    last_reported_on: date | None
    lead_organisation_id: int | None
    lead_organisation: str | None


class TaskList(BaseModel):
    total: int
    items: list[TaskBrief] = Field(description="The most urgent first, at most 20")


class MeetingBrief(BaseModel):
    id: int
    partnership_id: int
    title: str
    starts_at: datetime
    location: str | None


class Dashboard(BaseModel):
    as_of: date
    partnerships: list[MyPartnership]
    rag_by_outcome: list[OutcomeRag]
    overdue: TaskList = Field(description="Open tasks past their deadline")
    stale: TaskList = Field(description="Open tasks without an update this reporting cycle")
    next_meetings: list[MeetingBrief]
    governance_findings: int | None = Field(
        description="Governance findings in the caller's partnerships; null when the caller's "
        "role may not see governance checks"
    )
