"""Strategies, action plans and tasks; a task's status moves only through its history."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.audit import service as audit
from api.auth.principal import Principal
from api.crud import service as crud
from api.crud.service import Resource
from api.pagination import PageParams, paginate
from api.plans.models import (
    Action,
    ActionPlan,
    Outcome,
    Principle,
    Priority,
    StatusUpdate,
    Strategy,
    Task,
)
from api.plans.schemas import (
    ActionCreate,
    ActionFilters,
    ActionPlanCreate,
    ActionPlanFilters,
    ActionPlanRead,
    ActionPlanUpdate,
    ActionRead,
    ActionUpdate,
    OutcomeCreate,
    OutcomeFilters,
    OutcomeRead,
    OutcomeUpdate,
    PrincipleCreate,
    PrincipleRead,
    PrincipleUpdate,
    PriorityCreate,
    PriorityRead,
    PriorityUpdate,
    StatusUpdateCreate,
    StrategyChildFilters,
    StrategyCreate,
    StrategyFilters,
    StrategyRead,
    StrategyUpdate,
    TaskCreate,
    TaskFilters,
    TaskRead,
    TaskUpdate,
)

STATUS_FIELDS = ("rag", "position", "planned_improvement", "deadline")

strategies = Resource(
    model=Strategy,
    path="strategies",
    create_schema=StrategyCreate,
    update_schema=StrategyUpdate,
    read_schema=StrategyRead,
    filter_schema=StrategyFilters,
    sortable=("id", "title", "updated_at"),
    search=("title", "vision"),
)
principles = Resource(
    model=Principle,
    path="principles",
    create_schema=PrincipleCreate,
    update_schema=PrincipleUpdate,
    read_schema=PrincipleRead,
    filter_schema=StrategyChildFilters,
    sortable=("id", "position"),
    default_sort=("strategy_id", "position"),
)
priorities = Resource(
    model=Priority,
    path="priorities",
    create_schema=PriorityCreate,
    update_schema=PriorityUpdate,
    read_schema=PriorityRead,
    filter_schema=StrategyChildFilters,
    sortable=("id", "position"),
    default_sort=("strategy_id", "position"),
)
outcomes = Resource(
    model=Outcome,
    path="outcomes",
    create_schema=OutcomeCreate,
    update_schema=OutcomeUpdate,
    read_schema=OutcomeRead,
    filter_schema=OutcomeFilters,
    sortable=("id", "code", "title", "updated_at"),
    default_sort=("strategy_id", "code"),
    search=("code", "title"),
)
action_plans = Resource(
    model=ActionPlan,
    path="action-plans",
    create_schema=ActionPlanCreate,
    update_schema=ActionPlanUpdate,
    read_schema=ActionPlanRead,
    filter_schema=ActionPlanFilters,
    sortable=("id", "title", "updated_at"),
)
actions = Resource(
    model=Action,
    path="actions",
    create_schema=ActionCreate,
    update_schema=ActionUpdate,
    read_schema=ActionRead,
    filter_schema=ActionFilters,
    sortable=("id", "ref", "title", "updated_at"),
    default_sort=("action_plan_id", "outcome_id", "ref"),
    search=("ref", "title"),
)


def _task_filters(stmt: Select[Any], filters: BaseModel) -> Select[Any]:
    assert isinstance(filters, TaskFilters)
    if filters.outcome_id or filters.action_plan_id or filters.partnership_id:
        stmt = stmt.join(Action, col(Action.id) == col(Task.action_id))
        if filters.outcome_id:
            stmt = stmt.where(col(Action.outcome_id) == filters.outcome_id)
        if filters.action_plan_id:
            stmt = stmt.where(col(Action.action_plan_id) == filters.action_plan_id)
        if filters.partnership_id:
            stmt = stmt.join(ActionPlan, col(ActionPlan.id) == col(Action.action_plan_id)).where(
                col(ActionPlan.partnership_id) == filters.partnership_id
            )
    if filters.not_rated is not None:
        stmt = stmt.where(
            col(Task.rag).is_(None) if filters.not_rated else col(Task.rag).is_not(None)
        )
    return stmt


def _history_from_patch(
    session: Session,
    principal: Principal,
    task: Task,
    changes: dict[str, Any],
    before: dict[str, Any] | None,
) -> None:
    """A PATCH that moves status fields is recorded in the history like a status update."""
    if any(name in changes for name in STATUS_FIELDS) and session.is_modified(task):
        session.add(_history_row(principal, task, date.today(), note=None, on_behalf_of_id=None))
        task.last_reported_on = max(task.last_reported_on or date.min, date.today())


def _history_row(
    principal: Principal,
    task: Task,
    reported_on: date,
    note: str | None,
    on_behalf_of_id: int | None,
) -> StatusUpdate:
    assert task.id is not None
    return StatusUpdate(
        task_id=task.id,
        rag=task.rag,
        position=task.position,
        planned_improvement=task.planned_improvement,
        deadline=task.deadline,
        reported_on=reported_on,
        note=note,
        author=principal.label,
        author_user_id=principal.user_id,
        author_api_key_id=principal.api_key_id,
        on_behalf_of_id=on_behalf_of_id if on_behalf_of_id else principal.organisation_id,
    )


tasks = Resource(
    model=Task,
    path="tasks",
    create_schema=TaskCreate,
    update_schema=TaskUpdate,
    read_schema=TaskRead,
    filter_schema=TaskFilters,
    sortable=("id", "ref", "title", "deadline", "rag", "updated_at", "last_reported_on"),
    default_sort=("action_id", "ref"),
    search=("title", "target", "position"),
    filter_hook=_task_filters,
    before_update=_history_from_patch,
)


def add_status_update(
    session: Session, principal: Principal, task_id: int, body: StatusUpdateCreate
) -> StatusUpdate:
    """Append to the task's history; the task takes the new values if this is its latest."""
    task = crud.get_row(session, principal, tasks, task_id)
    changes = body.model_dump(exclude_unset=True, include=set(STATUS_FIELDS))
    tasks.policy.authorize_update(session, principal, task, changes)
    crud.check_references(session, StatusUpdate, body.model_dump(include={"on_behalf_of_id"}))
    reported_on = body.reported_on or date.today()
    before = audit.snapshot(task)
    is_latest = task.last_reported_on is None or reported_on >= task.last_reported_on
    if is_latest:
        for key, value in changes.items():
            setattr(task, key, value)
        task.last_reported_on = reported_on
        entry = _history_row(principal, task, reported_on, body.note, body.on_behalf_of_id)
    else:
        # A late entry for an earlier date: recorded in the history, current fields unchanged.
        entry = _history_row(principal, task, reported_on, body.note, body.on_behalf_of_id)
        for key, value in changes.items():
            setattr(entry, key, value)
    session.add(entry)
    crud.flush(session, tasks, "update")
    audit.record(
        session, principal, "create", "status_update", entry.id, after=audit.snapshot(entry)
    )
    if is_latest:
        audit.record(
            session, principal, "update", "task", task.id, before=before, after=audit.snapshot(task)
        )
    return entry


def list_status_updates(
    session: Session, principal: Principal, task_id: int, page: PageParams
) -> tuple[Sequence[StatusUpdate], int]:
    """A task's history, newest first."""
    crud.get_row(session, principal, tasks, task_id)
    stmt = (
        select(StatusUpdate)
        .where(col(StatusUpdate.task_id) == task_id)
        .order_by(col(StatusUpdate.reported_on).desc(), col(StatusUpdate.id).desc())
    )
    return paginate(session, stmt, page)
