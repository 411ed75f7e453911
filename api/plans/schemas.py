from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from api.core.models import (
    CAN_DESCRIPTION,
    STRICT,
    Can,
    Id,
    Permitted,
    QueryDate,
    RecordMeta,
    StrictBody,
    partial_model,
)
from api.plans.models import (
    ActionBase,
    ActionPlanBase,
    OutcomeBase,
    PrincipleBase,
    PriorityBase,
    Rag,
    StrategyBase,
    TaskBase,
)


class StrategyCreate(StrategyBase, StrictBody):
    model_config = STRICT


StrategyUpdate = partial_model(StrategyBase, "StrategyUpdate")


class StrategyRead(StrategyBase, RecordMeta, Permitted):
    pass


class StrategyFilters(BaseModel):
    partnership_id: Id | None = None
    q: str | None = Field(None, max_length=100)


class PrincipleCreate(PrincipleBase, StrictBody):
    model_config = STRICT


PrincipleUpdate = partial_model(PrincipleBase, "PrincipleUpdate", exclude=("strategy_id",))


class PrincipleRead(PrincipleBase, RecordMeta, Permitted):
    pass


class PriorityCreate(PriorityBase, StrictBody):
    model_config = STRICT


PriorityUpdate = partial_model(PriorityBase, "PriorityUpdate", exclude=("strategy_id",))


class PriorityRead(PriorityBase, RecordMeta, Permitted):
    pass


class StrategyChildFilters(BaseModel):
    strategy_id: Id | None = None


class OutcomeCreate(OutcomeBase, StrictBody):
    model_config = STRICT


OutcomeUpdate = partial_model(OutcomeBase, "OutcomeUpdate", exclude=("strategy_id",))


class OutcomeRead(OutcomeBase, RecordMeta, Permitted):
    pass


class OutcomeFilters(BaseModel):
    strategy_id: Id | None = None
    priority_id: Id | None = None
    lead_partnership_id: Id | None = None
    code: str | None = Field(None, max_length=20)
    q: str | None = Field(None, max_length=100)


class ActionPlanCreate(ActionPlanBase, StrictBody):
    model_config = STRICT


ActionPlanUpdate = partial_model(ActionPlanBase, "ActionPlanUpdate", exclude=("partnership_id",))


class ActionPlanRead(ActionPlanBase, RecordMeta, Permitted):
    pass


class ActionPlanFilters(BaseModel):
    partnership_id: Id | None = None


class ActionCreate(ActionBase, StrictBody):
    model_config = STRICT


ActionUpdate = partial_model(ActionBase, "ActionUpdate", exclude=("action_plan_id",))


class ActionRead(ActionBase, RecordMeta, Permitted):
    pass


class ActionFilters(BaseModel):
    action_plan_id: Id | None = None
    outcome_id: Id | None = None
    q: str | None = Field(None, max_length=100)


class TaskCreate(TaskBase, StrictBody):
    model_config = STRICT


TaskUpdate = partial_model(TaskBase, "TaskUpdate", exclude=("last_reported_on",))


class TaskCan(Can):
    update_status: bool = Field(
        description="May record a status update (RAG, position) for your organisation"
    )


class TaskRead(TaskBase, RecordMeta, Permitted):
    owner_name: str | None = Field(
        default=None, description="The owner's name (names only: never e-mail or phone)"
    )
    can: TaskCan | None = Field(default=None, description=CAN_DESCRIPTION)


class TaskFilters(BaseModel):
    partnership_id: Id | None = Field(None, description="Tasks in this partnership's plans")
    outcome_id: Id | None = None
    action_id: Id | None = None
    action_plan_id: Id | None = None
    rag: Rag | None = None
    not_rated: bool | None = Field(None, description="Only tasks without a RAG status")
    lead_organisation_id: Id | None = None
    owner_person_id: Id | None = Field(None, description="Tasks this person owns")
    deadline_before: QueryDate | None = None
    deadline_after: QueryDate | None = None
    q: str | None = Field(None, max_length=100, description="Text in title, target or position")
    stale: bool | None = Field(
        None,
        description="Only tasks with (true) or without (false) an update within their "
        "partnership's reporting cycle; complete tasks are never stale",
    )
    overdue: bool | None = Field(
        None,
        description="Only tasks past their deadline and not complete (true), or the others (false)",
    )


class StatusUpdateCreate(StrictBody):
    """A new entry in a task's history; the task's current fields move to it."""

    model_config = STRICT

    rag: Rag | None = None
    position: str | None = Field(None, max_length=10_000)
    planned_improvement: str | None = Field(None, max_length=10_000)
    deadline: date | None = None
    reported_on: date | None = Field(None, description="Defaults to today")
    note: str | None = Field(None, max_length=10_000)
    on_behalf_of_id: Id | None = None


class StatusUpdateRead(BaseModel):
    id: int
    task_id: int
    rag: Rag | None
    position: str | None
    planned_improvement: str | None
    deadline: date | None
    reported_on: date
    note: str | None
    author: str
    on_behalf_of_id: int | None
    created_at: datetime


# -- the worklist: the tasks one's organisation leads --------------------------------------------


class WorklistGroupKey(StrEnum):
    due_this_cycle = "due_this_cycle"
    not_updated = "not_updated"
    overdue = "overdue"
    red = "red"
    other = "other"


class WorklistTask(TaskRead):
    partnership_id: int
    partnership_name: str
    action_ref: str
    action_title: str
    outcome_code: str
    overdue: bool = Field(description="Past its deadline and not complete")
    stale: bool = Field(description="Not updated within its partnership's reporting cycle")
    can: TaskCan = Field(description="What you may do with this task")


class WorklistGroup(BaseModel):
    key: WorklistGroupKey
    title: str
    items: list[WorklistTask]


class Worklist(BaseModel):
    """The tasks the caller's organisation leads in the partnerships the caller belongs to,
    in groups; a task is in every group whose condition it meets, and in ``other`` when it
    meets none."""

    as_of: date
    organisation_id: int | None = Field(description="The organisation whose tasks these are")
    total: int = Field(description="Tasks listed (each counted once)")
    groups: list[WorklistGroup]
