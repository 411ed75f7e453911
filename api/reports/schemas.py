from collections.abc import Mapping
from datetime import date

from pydantic import BaseModel, Field

from api.core.models import STRICT, Id, Permitted, QueryDate, RecordMeta, StrictBody, partial_model
from api.plans.models import Rag
from api.reports.models import ReportBase

# -- papers (the LSP report form) --------------------------------------------------------------

IndicatorIds = list[Id]


class ReportCreate(ReportBase, StrictBody):
    model_config = STRICT

    indicator_ids: IndicatorIds = Field(
        default_factory=list, max_length=200, description="Linked indicators"
    )


_ReportFieldsUpdate = partial_model(ReportBase, "ReportFieldsUpdate")


class ReportUpdate(_ReportFieldsUpdate):  # type: ignore[misc,valid-type]
    """Fields to change; absent fields keep their value. ``indicator_ids`` replaces the links."""

    indicator_ids: IndicatorIds | None = Field(None, max_length=200)


class ReportRead(ReportBase, RecordMeta, Permitted):
    indicator_ids: list[int] = Field(default_factory=list)


class ReportFilters(BaseModel):
    partnership_id: Id | None = None
    indicator_id: Id | None = Field(None, description="Papers linked to this indicator")
    published_on_after: QueryDate | None = None
    published_on_before: QueryDate | None = None
    q: str | None = Field(None, max_length=100, description="Text in title or description")


# -- performance report (DESIGN §6) ------------------------------------------------------------


class Contact(BaseModel):
    """The partnership's officer: who to ask about the report."""

    person_id: int
    name: str
    email: str | None = Field(
        description="Null unless you may see the officer's contact details (you share a "
        "partnership with them today, or you are an admin)"
    )


STATUSES = ("green", "amber", "red", "complete", "not_rated")
"""The keys of a Summary that partition the tasks: every RAG value, then no rating yet."""


class Summary(BaseModel):
    """Counts of tasks by status; green + amber + red + complete + not_rated == total.

    ``stale`` overlaps the others: tasks (not complete) without an update within the
    partnership's reporting cycle as of the report date."""

    green: int = 0
    amber: int = 0
    red: int = 0
    complete: int = 0
    not_rated: int = 0
    total: int = 0
    stale: int = 0

    def add(self, rag: str | None, n: int, stale: int = 0) -> None:
        """Count ``n`` tasks of a RAG status (its value; None: not rated yet), ``stale`` of them
        stale: one group of a GROUP BY."""
        name = rag or "not_rated"
        setattr(self, name, getattr(self, name) + n)
        self.total += n
        self.stale += stale

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> "Summary":
        """From counts keyed by status (a RAG value or ``not_rated``) and ``stale``: a report
        counts its tasks in a plain dict, since a model's attribute assignment costs ~1 µs
        and a 1,000-task report made 3,000 of them."""
        statuses = {name: counts.get(name, 0) for name in STATUSES}
        return cls(**statuses, total=sum(statuses.values()), stale=counts.get("stale", 0))

    def merge(self, other: "Summary") -> None:
        for name in type(self).model_fields:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class ReportTask(BaseModel):
    id: int
    ref: str
    title: str
    target: str | None
    position: str | None
    rag: Rag | None
    planned_improvement: str | None
    deadline: date | None
    lead_organisation_id: int | None
    lead_organisation: str | None
    reported_on: date | None = Field(description="Date of the update the row shows")
    stale: bool


class ReportAction(BaseModel):
    id: int
    ref: str
    title: str
    tasks: list[ReportTask]


class OutcomeSection(BaseModel):
    """One outcome as one sub-group reports it."""

    outcome_id: int
    code: str
    title: str
    date: date
    partnership_id: int
    sub_group: str
    contact: Contact | None
    actions: list[ReportAction]
    summary: Summary


class ReportScope(BaseModel):
    kind: str = Field(description="'partnership' or 'outcome'")
    id: int
    name: str


class PerformanceReport(BaseModel):
    title: str
    as_of: date
    scope: ReportScope
    outcomes: list[OutcomeSection]
    summary: Summary


# -- strategy progress -------------------------------------------------------------------------


class LatestUpdate(BaseModel):
    task_id: int
    ref: str
    title: str
    rag: Rag | None
    position: str | None
    reported_on: date


class IndicatorProgress(BaseModel):
    indicator_id: int
    code: str
    title: str
    unit: str
    polarity: str
    area: str | None
    latest_value: float | None
    latest_period: str | None
    latest_reported_on: date | None
    target: float | None
    target_period: str | None
    baseline: float | None
    met: bool | None = Field(description="Latest value meets the target (by polarity)")
    rag: str = Field(
        description="green/amber/red against the target's trajectory, or no_data (as in the "
        "LAA export)"
    )


class OutcomeProgress(BaseModel):
    outcome_id: int
    code: str
    title: str
    achieve: str | None = Field(description="What we said we'd achieve")
    how: str | None
    lead_partnership_id: int | None
    lead_partnership: str | None
    rag: Rag | None = Field(description="Roll-up of the outcome's tasks, see summary")
    summary: Summary
    latest_updates: list[LatestUpdate]
    indicators: list[IndicatorProgress]


class PriorityProgress(BaseModel):
    priority_id: int | None
    position: int | None
    text: str | None
    outcomes: list[OutcomeProgress]


class PrincipleText(BaseModel):
    position: int
    text: str


class StrategyProgress(BaseModel):
    strategy_id: int
    title: str
    vision: str | None
    period: str | None
    as_of: date
    principles: list[PrincipleText]
    priorities: list[PriorityProgress]
    summary: Summary


# -- freshness: whom to chase ------------------------------------------------------------------


class OrganisationFreshness(BaseModel):
    organisation_id: int | None = Field(description="None: tasks with no lead organisation")
    organisation: str | None
    led_tasks: int = Field(description="Open (not complete) tasks the organisation leads")
    updated_this_cycle: int
    stale: int
    share_updated: float = Field(description="updated_this_cycle / led_tasks, 0..1")
    last_reported_on: date | None


class Freshness(BaseModel):
    as_of: date
    partnership_id: int | None
    organisations: list[OrganisationFreshness] = Field(
        description="Least up to date first: by share updated, then most stale"
    )


# -- what the caller may read ------------------------------------------------------------------


class PartnershipReportLink(BaseModel):
    partnership_id: int
    name: str
    kind: str
    status: str
    has_action_plan: bool = Field(description="It has a performance report to read")
    leads_outcomes: bool = Field(
        description="It leads an outcome of a strategy (a `partnership_id` for the LAA export)"
    )


class StrategyLink(BaseModel):
    strategy_id: int
    title: str
    period: str | None


class ReportIndex(BaseModel):
    """The performance reports and strategy progress tables the caller may read."""

    partnerships: list[PartnershipReportLink]
    strategies: list[StrategyLink]
