"""Strategies, action plans and tasks; a task's status moves only through its history."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    CompoundSelect,
    Date,
    Select,
    Table,
    and_,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal,
    or_,
    union_all,
    update,
)
from sqlalchemy import select as sa_select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import col, select

from api.core import audit, clock
from api.core.audit_guard import WRITES
from api.core.calendar import add_months
from api.core.errors import Unprocessable, field_error
from api.core.events import emit
from api.core.pagination import PageParams, paginate
from api.core.principal import Principal
from api.crud import service as crud
from api.crud.service import Resource, ResourceRules, WriteAction
from api.partnerships.access import lineage, partnership_ids_for, person_belongs_to
from api.partnerships.models import Partnership
from api.partnerships.policy import PartnershipPolicy
from api.people.models import Person
from api.plans.events import TaskTurnedRed
from api.plans.models import (
    Action,
    ActionPlan,
    Outcome,
    Principle,
    Priority,
    Rag,
    StatusUpdate,
    Strategy,
    Task,
)
from api.plans.policy import (
    STATUS_FIELDS,
    OutcomePolicy,
    TaskPolicy,
    authorize_status_on_behalf_of,
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
    TaskCan,
    TaskCreate,
    TaskFilters,
    TaskRead,
    TaskUpdate,
    Worklist,
    WorklistGroup,
    WorklistGroupKey,
    WorklistTask,
)
from api.webhooks import service as webhooks
from api.webhooks.schemas import WebhookEvent

STRATEGY = ("strategy_id", "partnership_id")

strategies = Resource(
    model=Strategy,
    policy=PartnershipPolicy(Strategy, ("partnership_id",), narrow_reads=False),
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
    policy=PartnershipPolicy(Principle, STRATEGY, narrow_reads=False),
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
    policy=PartnershipPolicy(Priority, STRATEGY, narrow_reads=False),
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
    policy=OutcomePolicy(),
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
    policy=PartnershipPolicy(ActionPlan, ("partnership_id",)),
    path="action-plans",
    create_schema=ActionPlanCreate,
    update_schema=ActionPlanUpdate,
    read_schema=ActionPlanRead,
    filter_schema=ActionPlanFilters,
    sortable=("id", "title", "updated_at"),
)


def check_action_outcome(
    session: Session,
    action_plan_id: int,
    outcome_id: int,
    loc: Sequence[str | int] = ("body", "outcome_id"),
) -> None:
    """An action serves an outcome of its partnership's strategy — a strategy of the plan's
    partnership or of one above it (the community strategy a thematic group delivers), or a
    strategy no partnership owns — or an outcome the plan's partnership leads. 422 naming
    ``loc`` otherwise."""
    owner, lead = session.execute(
        select(col(Strategy.partnership_id), col(Outcome.lead_partnership_id))
        .join(Outcome, col(Outcome.strategy_id) == col(Strategy.id))
        .where(col(Outcome.id) == outcome_id)
    ).one()
    if owner is None:
        return
    plan_partnership = session.scalar(
        select(col(ActionPlan.partnership_id)).where(col(ActionPlan.id) == action_plan_id)
    )
    if lead == plan_partnership or owner in lineage(session, plan_partnership):
        return
    raise Unprocessable(
        f"outcome_id: outcome {outcome_id} is not in this partnership's strategy",
        slug="outcome-outside-strategy",
        errors=[
            field_error(
                list(loc),
                "neither led by this partnership nor in the strategy of this partnership or "
                "one above it",
            )
        ],
    )


class ActionRules(ResourceRules[Action]):
    def before_create(self, session: Session, principal: Principal, row: Action) -> None:
        check_action_outcome(session, row.action_plan_id, row.outcome_id)

    def before_update(
        self,
        session: Session,
        principal: Principal,
        row: Action,
        changes: dict[str, Any],
        previous: dict[str, Any],
    ) -> None:
        if "outcome_id" in changes:
            check_action_outcome(session, row.action_plan_id, row.outcome_id)


actions = Resource(
    model=Action,
    policy=PartnershipPolicy(Action, ("action_plan_id", "partnership_id")),
    rules=ActionRules(),
    path="actions",
    create_schema=ActionCreate,
    update_schema=ActionUpdate,
    read_schema=ActionRead,
    filter_schema=ActionFilters,
    sortable=("id", "ref", "title", "updated_at"),
    default_sort=("action_plan_id", "outcome_id", "ref"),
    search=("ref", "title"),
)


# -- staleness ---------------------------------------------------------------------------------


def is_stale(rag: Rag | str | None, last_reported_on: date | None, cutoff: date) -> bool:
    """No update since ``cutoff``; a complete task needs no more updates, so it is never stale."""
    if rag == Rag.complete:
        return False
    return last_reported_on is None or last_reported_on < cutoff


class MonthsBefore(FunctionElement[date]):
    """SQL twin of ``add_months(day, -months)``: ``day`` minus a column of months, on both
    databases, clamped to the month's end like :func:`api.core.calendar.add_months`."""

    type = Date()
    name = "months_before"
    inherit_cache = True


@compiles(MonthsBefore, "postgresql")
def _months_before_pg(element: MonthsBefore, compiler: SQLCompiler, **kw: Any) -> str:
    day, months = (compiler.process(c, **kw) for c in element.clauses)
    # PostgreSQL clamps month arithmetic to the month's end, as add_months() does.
    return f"CAST(CAST({day} AS DATE) - make_interval(months => {months}) AS DATE)"


@compiles(MonthsBefore, "sqlite")
def _months_before_sqlite(element: MonthsBefore, compiler: SQLCompiler, **kw: Any) -> str:
    day, months = (compiler.process(c, **kw) for c in element.clauses)
    first = f"date({day}, 'start of month', '-' || ({months}) || ' months'"
    same_day = f"{first}, '+' || (CAST(strftime('%d', {day}) AS INTEGER) - 1) || ' days')"
    month_end = f"{first}, '+1 month', '-1 day')"
    return f"min({same_day}, {month_end})"


def reporting_cutoff(today: date | ColumnElement[date]) -> ColumnElement[date]:
    """The day before which an open task is stale on ``today`` (a date, or a parameter): its
    partnership's reporting cycle back from ``today`` (for statements that join Partnership)."""
    day = today if isinstance(today, ColumnElement) else literal(today, Date())
    return MonthsBefore(day, col(Partnership.reporting_cycle_months))


def reporting_cutoffs(today: date, scope: ColumnElement[bool] | None = None) -> CTE:
    """One row per action (matching ``scope``, on Action and ActionPlan, when given): its
    outcome, its partnership and the day before which its open tasks are stale on ``today``
    (the partnership's reporting cycle back from ``today``).

    Joining tasks to this (``action_id``) instead of to Action, ActionPlan and Partnership
    works out the month arithmetic once per action rather than once per task; on PostgreSQL
    the CTE is ``MATERIALIZED`` so the planner keeps it that way, and open tasks are then
    read through ``ix_task_open_by_action`` alone (migration 0014).
    """
    cutoffs: Select[*tuple[Any, ...]] = (
        sa_select(
            col(Action.id).label("action_id"),
            col(Action.outcome_id).label("outcome_id"),
            col(ActionPlan.partnership_id).label("partnership_id"),
            reporting_cutoff(today).label("cutoff"),
        )
        .join(ActionPlan, col(ActionPlan.id) == col(Action.action_plan_id))
        .join(Partnership, col(Partnership.id) == col(ActionPlan.partnership_id))
    )
    if scope is not None:
        cutoffs = cutoffs.where(scope)
    return cutoffs.cte("reporting_cutoff").prefix_with("MATERIALIZED", dialect="postgresql")


def open_task() -> ColumnElement[bool]:
    """Not complete (a task without a rating is open)."""
    return or_(col(Task.rag).is_(None), col(Task.rag) != Rag.complete.value)


def stale_condition(cutoff: ColumnElement[date]) -> ColumnElement[bool]:
    """Tasks stale against ``cutoff``, the ``cutoff`` column of :func:`reporting_cutoffs`
    joined on the task's action."""
    return and_(
        open_task(),
        or_(col(Task.last_reported_on).is_(None), col(Task.last_reported_on) < cutoff),
    )


def counts_by_status(
    cutoffs: CTE,
    groups: Sequence[ColumnElement[Any]],
    sums: Mapping[str, ColumnElement[bool]],
    *,
    tasks: ColumnElement[bool] | None = None,
    within: ColumnElement[bool] | None = None,
) -> CompoundSelect:
    """Rows ``(*groups, rag, n, *sums)``: the tasks (matching ``tasks``) of the actions of
    :func:`reporting_cutoffs` (matching ``within``) counted per group and RAG status as they
    stand, with how many of each group meet each condition of ``sums`` (by name).

    Open tasks (the only ones that can be stale or overdue) and complete ones are counted
    apart: on PostgreSQL the open ones are read from ix_task_open_by_action alone (migration
    0014), the complete ones counted per action from ix_task_complete_by_action (migration
    0016), their sums 0, before those few thousand counts meet the cutoffs, not task by task.
    ``groups`` are columns of ``cutoffs``."""
    by_action = cutoffs.c.action_id == col(Task.action_id)
    task_filter = [tasks] if tasks is not None else []
    cutoff_filter = [within] if within is not None else []
    open_counts = (
        sa_select(
            *groups,
            col(Task.rag),
            func.count().label("n"),
            *(func.sum(case((when, 1), else_=0)).label(name) for name, when in sums.items()),
        )
        .select_from(Task)
        .join(cutoffs, by_action)
        .where(open_task(), *task_filter, *cutoff_filter)
        .group_by(*groups, col(Task.rag))
    )
    complete_by_action = (
        sa_select(col(Task.action_id), func.count().label("n"))
        .where(col(Task.rag) == Rag.complete.value, *task_filter)
        .group_by(col(Task.action_id))
        .subquery("complete_by_action")
    )
    complete_counts = (
        sa_select(
            *groups,
            literal(Rag.complete.value),
            cast(func.sum(complete_by_action.c.n), BigInteger),
            *(literal(0) for _ in sums),
        )
        .select_from(complete_by_action)
        .join(cutoffs, cutoffs.c.action_id == complete_by_action.c.action_id)
        .where(*cutoff_filter)
        .group_by(*groups)
    )
    return union_all(open_counts, complete_counts)


def overdue_condition(today: date) -> ColumnElement[bool]:
    """Tasks past their deadline on ``today`` and not complete (never NULL, so it negates)."""
    return and_(
        col(Task.deadline).is_not(None),
        col(Task.deadline) < today,
        or_(col(Task.rag).is_(None), col(Task.rag) != Rag.complete.value),
    )


def task_filters(stmt: Select[Any], filters: BaseModel) -> Select[Any]:
    """Tasks by outcome, action plan, partnership, staleness or rating."""
    assert isinstance(filters, TaskFilters)
    if filters.outcome_id or filters.action_plan_id or filters.partnership_id is not None:
        stmt = stmt.join(Action, col(Action.id) == col(Task.action_id))
        if filters.outcome_id:
            stmt = stmt.where(col(Action.outcome_id) == filters.outcome_id)
        if filters.action_plan_id:
            stmt = stmt.where(col(Action.action_plan_id) == filters.action_plan_id)
        if filters.partnership_id is not None:
            stmt = stmt.join(ActionPlan, col(ActionPlan.id) == col(Action.action_plan_id))
            stmt = stmt.where(col(ActionPlan.partnership_id) == filters.partnership_id)
    if filters.stale is not None:
        cutoffs = reporting_cutoffs(clock.today())
        stmt = stmt.join(cutoffs, cutoffs.c.action_id == col(Task.action_id))
        stale = stale_condition(cutoffs.c.cutoff)
        stmt = stmt.where(stale if filters.stale else ~stale)
    if filters.overdue is not None:
        overdue = overdue_condition(clock.today())
        stmt = stmt.where(overdue if filters.overdue else ~overdue)
    if filters.not_rated is not None:
        stmt = stmt.where(
            col(Task.rag).is_(None) if filters.not_rated else col(Task.rag).is_not(None)
        )
    return stmt


# -- status rules ------------------------------------------------------------------------------


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_status_rules(
    base: Mapping[str, Any], provided: Mapping[str, Any], *, note: str | None, require_change: bool
) -> None:
    """Rules on a move of a task's status (DESIGN §3, issue 6).

    ``base`` is the status the update starts from, ``provided`` the status fields sent.
    A move to ``complete`` must say what was achieved (position) and a move to ``red`` must
    say how it will be put right (planned improvement), both in the same update. An update
    that changes nothing and carries no note is refused.
    """
    new = {name: provided.get(name, base.get(name)) for name in STATUS_FIELDS}
    if require_change and new == {n: base.get(n) for n in STATUS_FIELDS} and _blank(note):
        raise Unprocessable(
            "A status update must change the RAG status, position, planned improvement or "
            "deadline, or carry a note",
            slug="no-change",
            errors=[field_error("body", "nothing changed and no note given")],
        )
    moved_to = new["rag"] if new["rag"] != base.get("rag") else None
    if moved_to == Rag.complete and _blank(provided.get("position")):
        raise Unprocessable(
            "position: a task marked complete needs its position (what was achieved)",
            slug="position-required",
            errors=[field_error("position", "required when the task moves to complete")],
        )
    if moved_to == Rag.red and _blank(provided.get("planned_improvement")):
        raise Unprocessable(
            "planned_improvement: a task moving to red needs a planned improvement",
            slug="planned-improvement-required",
            errors=[field_error("planned_improvement", "required when the task moves to red")],
        )


def check_not_future(field: str, day: date | None, today: date) -> None:
    """A report date is not later than today: 422 naming ``field`` otherwise."""
    if day is not None and day > today:
        raise Unprocessable(
            f"{field}: {day} is in the future",
            slug="future-date",
            errors=[field_error(field, "cannot be later than today")],
        )


def _history_values(
    principal: Principal,
    task: Task,
    reported_on: date,
    note: str | None,
    on_behalf_of_id: int | None,
) -> dict[str, Any]:
    """A history entry's columns for ``task`` (its status as the task holds it; the caller
    overrides what the move changes)."""
    assert task.id is not None
    return {
        "task_id": task.id,
        "rag": task.rag,
        "position": task.position,
        "planned_improvement": task.planned_improvement,
        "deadline": task.deadline,
        "reported_on": reported_on,
        "note": note,
        "author": principal.label,
        "author_user_id": principal.user_id,
        "author_api_key_id": principal.api_key_id,
        "on_behalf_of_id": on_behalf_of_id if on_behalf_of_id else principal.organisation_id,
    }


@dataclass(frozen=True)
class StatusMove:
    """A move of a task's status, however it arrives (PATCH of status fields, POST of a
    status update, an import row)."""

    provided: dict[str, Any]  # the status fields sent
    base: dict[str, Any]  # the status the move starts from
    reported_on: date
    note: str | None = None
    on_behalf_of_id: int | None = None
    require_change: bool = True  # a POST must change something or carry a note


@dataclass(frozen=True)
class Moved:
    """What a checked :class:`StatusMove` writes: the history entry's columns and, when the
    entry is the task's latest, the task's new values (empty for a late entry)."""

    entry: dict[str, Any]
    task_values: dict[str, Any]
    turned_red: bool


def is_latest(task: Task, day: date) -> bool:
    """An update dated ``day`` is the task's latest (so the task takes its values)."""
    return task.last_reported_on is None or day >= task.last_reported_on


def check_move(principal: Principal, task: Task, move: StatusMove) -> Moved:
    """The rules of every status change, and what it writes: the history entry always and,
    when it is the latest, the task's values. A late entry for an earlier date is history
    only; the task's current fields stay."""
    check_status_rules(move.base, move.provided, note=move.note, require_change=move.require_change)
    entry = _history_values(principal, task, move.reported_on, move.note, move.on_behalf_of_id)
    entry.update(move.base)
    entry.update(move.provided)
    if not is_latest(task, move.reported_on):
        return Moved(entry, {}, turned_red=False)
    task_values = {**move.provided, "last_reported_on": move.reported_on}
    turned_red = task_values.get("rag", task.rag) == Rag.red and task.rag != Rag.red
    return Moved(entry, task_values, turned_red)


def move_status(
    session: Session, principal: Principal, task: Task, move: StatusMove
) -> StatusUpdate:
    """A status change inside the ORM's unit of work (a PATCH of status fields): the task
    takes its values and the history entry is added, both written by the caller's flush."""
    moved = check_move(principal, task, move)
    for key, value in moved.task_values.items():
        setattr(task, key, value)
    entry = StatusUpdate(**moved.entry)
    session.add(entry)
    _to_announce(session, entry, turned_red=task.id if moved.turned_red else None)
    return entry


_HISTORY: Table = StatusUpdate.__table__  # type: ignore[attr-defined]
_TASKS: Table = Task.__table__  # type: ignore[attr-defined]
_INSERT_ENTRY = insert(_HISTORY).returning(*_HISTORY.columns)
_MOVED_COLUMNS = (*STATUS_FIELDS, "last_reported_on", "version", "updated_at")
# Built once (the busiest write): every status column is set, the unchanged to what it holds.
_MOVE_TASK = (
    update(_TASKS)
    .where(_TASKS.c.id == bindparam("task_id"), _TASKS.c.version == bindparam("seen"))
    .values({name: bindparam(f"new_{name}", type_=_TASKS.c[name].type) for name in _MOVED_COLUMNS})
)


def _entry_and_move() -> Select[Any]:
    """PostgreSQL: the history entry's INSERT and the task's UPDATE in one statement (one round
    trip), returning the entry's row and how many tasks moved (0 when the version changed)."""
    columns = [c for c in _HISTORY.columns if c.key != "id"]
    entry = (
        insert(_HISTORY)
        .values({c.key: bindparam(f"entry_{c.key}", type_=c.type) for c in columns})
        .returning(*_HISTORY.columns)
        .cte("entry")
    )
    moved = _MOVE_TASK.returning(_TASKS.c.id).cte("moved")
    count = sa_select(func.count()).select_from(moved).scalar_subquery()
    statement = sa_select(entry, count.label("tasks_moved"))
    return statement.execution_options(**{WRITES: (_HISTORY.name, _TASKS.name)})


_ENTRY_AND_MOVE = _entry_and_move()


def write_move(session: Session, task: Task, moved: Moved) -> dict[str, Any]:
    """Write a checked move outside the ORM's unit of work (the status update POST, the
    busiest write): INSERT the history entry, returning its row, and, when the move changes
    the task, UPDATE it guarded by its version as the ORM would (a concurrent change raises
    ``StaleDataError``, a 412). The task object takes the stored values as its committed
    state, so what reads it next (the audit snapshot) sees them. Returns the entry's row."""
    now = clock.now()
    entry_values = {**moved.entry, "created_at": now}
    changed = {k: v for k, v in moved.task_values.items() if getattr(task, k) != v}
    if changed:
        changed.update(version=task.version + 1, updated_at=now)
        entry = _write_entry_and_task(session, task, entry_values, changed)
    else:
        entry = dict(session.execute(_INSERT_ENTRY, entry_values).one()._mapping)
    _to_announce(session, entry, turned_red=task.id if moved.turned_red else None)
    return entry


def _write_entry_and_task(
    session: Session, task: Task, entry_values: dict[str, Any], changed: dict[str, Any]
) -> dict[str, Any]:
    """The entry's INSERT and the task's guarded UPDATE: one statement on PostgreSQL (one
    round trip; it names the two tables it writes for the audit guard), two on SQLite."""
    task_values = {f"new_{name}": changed.get(name, getattr(task, name)) for name in _MOVED_COLUMNS}
    task_values.update(task_id=task.id, seen=task.version)
    if session.get_bind().dialect.name == "postgresql":
        parameters = {f"entry_{key}": value for key, value in entry_values.items()}
        entry = dict(session.execute(_ENTRY_AND_MOVE, parameters | task_values).one()._mapping)
        tasks_moved = entry.pop("tasks_moved")
    else:
        entry = dict(session.execute(_INSERT_ENTRY, entry_values).one()._mapping)
        tasks_moved = session.execute(_MOVE_TASK, task_values).rowcount  # type: ignore[attr-defined]
    if tasks_moved != 1:
        raise StaleDataError(f"task {task.id} changed meanwhile (version {task.version})")
    for key, value in changed.items():
        set_committed_value(task, key, value)
    return entry


_NEW_UPDATES = "plans.new_updates"
_TURNED_RED = "plans.turned_red"


def _to_announce(
    session: Session, entry: StatusUpdate | dict[str, Any], turned_red: int | None = None
) -> None:
    """Keep a new status update (an ORM object, or the row :func:`write_move` stored) and a
    task it turned red for :func:`announce`, after the flush: handlers that write then see the
    task as the caller stored it and flush nothing the caller has yet to check, and the update
    has its id."""
    session.info.setdefault(_NEW_UPDATES, []).append(entry)
    if turned_red is not None:
        session.info.setdefault(_TURNED_RED, set()).add(turned_red)


def announce(session: Session) -> None:
    """Queue ``status_update.created`` for each status update appended through the API (a
    POST, a PATCH of status fields, a task created with a status), and emit
    :class:`TaskTurnedRed` for each task one turned red."""
    for entry in session.info.pop(_NEW_UPDATES, []):
        payload = (
            audit.snapshot(entry) if isinstance(entry, StatusUpdate) else audit.jsonable(entry)
        )
        webhooks.enqueue(session, WebhookEvent.status_update_created, payload or {})
    for task_id in sorted(session.info.pop(_TURNED_RED, set())):
        emit(session, TaskTurnedRed(task_id=task_id))


# -- the owner ---------------------------------------------------------------------------------


def check_owner(
    session: Session,
    owner_person_id: int | None,
    lead_organisation_id: int | None,
    loc: Sequence[str | int] = ("body", "owner_person_id"),
) -> None:
    """A task's owner, when the task has a lead organisation too, is one of its people: the
    organisation employs them or they represent it on a partnership today. 422 naming ``loc``
    otherwise. Either alone is always fine."""
    if owner_person_id is None or lead_organisation_id is None:
        return
    if person_belongs_to(session, owner_person_id, lead_organisation_id):
        return
    raise Unprocessable(
        f"owner_person_id: person {owner_person_id} is not of the lead organisation",
        slug="owner-outside-lead",
        errors=[
            field_error(
                list(loc),
                "neither employed by the lead organisation nor representing it on a "
                "partnership; choose one of its people or clear the owner",
            )
        ],
    )


# The owner's name on every task read (names only: contact details follow the directory's rule).
OWNER_NAME = (
    sa_select(col(Person.name)).where(col(Person.id) == col(Task.owner_person_id)).scalar_subquery()
)


class TaskRules(ResourceRules[Task]):
    def filter(self, stmt: Select[Any], filters: BaseModel) -> Select[Any]:
        return task_filters(stmt, filters)

    def before_create(self, session: Session, principal: Principal, row: Task) -> None:
        """The owner is one of the lead organisation's people (:func:`check_owner`). A task
        created with a status (RAG, position or planned improvement) or a ``last_reported_on``
        reports it: ``last_reported_on`` (default today, never later) dates its first status
        update, written in :meth:`after_write`."""
        check_owner(session, row.owner_person_id, row.lead_organisation_id)
        today = clock.today()
        check_not_future("last_reported_on", row.last_reported_on, today)
        if row.last_reported_on is None and _reports_status(row):
            row.last_reported_on = today

    def before_update(
        self,
        session: Session,
        principal: Principal,
        row: Task,
        changes: dict[str, Any],
        previous: dict[str, Any],
    ) -> None:
        """A PATCH that moves status fields is recorded in the history like a status update,
        dated today, through :func:`move_status`. A change of owner or lead organisation
        keeps the owner one of the lead organisation's people (:func:`check_owner`)."""
        if "owner_person_id" in changes or "lead_organisation_id" in changes:
            check_owner(session, row.owner_person_id, row.lead_organisation_id)
        provided = {name: changes[name] for name in STATUS_FIELDS if name in changes}
        if provided and session.is_modified(row):
            base = {name: previous[name] for name in STATUS_FIELDS}
            move = StatusMove(provided, base, reported_on=clock.today(), require_change=False)
            move_status(session, principal, row, move)

    def after_write(
        self, session: Session, principal: Principal, row: Task, action: WriteAction
    ) -> None:
        if action == "create" and row.last_reported_on is not None:
            first = StatusUpdate(
                **_history_values(principal, row, row.last_reported_on, None, None)
            )
            session.add(first)
            session.flush()
            audit.record(
                session, principal, "create", "status_update", first.id, after=audit.snapshot(first)
            )
            _to_announce(session, first)
        announce(session)


def _reports_status(task: Task) -> bool:
    return any(
        getattr(task, name) is not None for name in ("rag", "position", "planned_improvement")
    )


tasks = Resource(
    model=Task,
    policy=TaskPolicy(),
    path="tasks",
    create_schema=TaskCreate,
    update_schema=TaskUpdate,
    read_schema=TaskRead,
    filter_schema=TaskFilters,
    sortable=("id", "ref", "title", "deadline", "rag", "updated_at", "last_reported_on"),
    default_sort=("action_id", "ref"),
    search=("title", "target", "position"),
    rules=TaskRules(),
    lookups={"owner_name": OWNER_NAME},
)


def add_status_update(
    session: Session, principal: Principal, task_id: int, body: StatusUpdateCreate
) -> dict[str, Any]:
    """Append to the task's history; the task takes the new values if this is its latest.
    Returns the stored entry's row.

    Rules: ``reported_on`` is not in the future; the update changes something or carries a
    note; a move to complete carries a position; a move to red a planned improvement.
    """
    task = crud.get_row(session, principal, tasks, task_id)
    provided = body.model_dump(exclude_unset=True, include=set(STATUS_FIELDS))
    tasks.policy.authorize_update(session, principal, task, provided)
    authorize_status_on_behalf_of(session, principal, task, body.on_behalf_of_id)
    today = clock.today()
    check_not_future("reported_on", body.reported_on, today)
    crud.check_references(session, StatusUpdate, body.model_dump(include={"on_behalf_of_id"}))
    reported_on = body.reported_on or today
    latest = is_latest(task, reported_on)
    base = _status_of(task) if latest else _status_on(session, task, reported_on)
    before = audit.snapshot(task)
    move = StatusMove(provided, base, reported_on, body.note, body.on_behalf_of_id)
    with crud.integrity_errors(tasks, "update"):
        entry = write_move(session, task, check_move(principal, task, move))
    audit.record(session, principal, "create", "status_update", entry["id"], after=entry)
    if latest:
        audit.record(
            session, principal, "update", "task", task.id, before=before, after=audit.snapshot(task)
        )
    announce(session)
    return entry


def _status_of(task: Task) -> dict[str, Any]:
    return {name: getattr(task, name) for name in STATUS_FIELDS}


def _status_on(session: Session, task: Task, day: date) -> dict[str, Any]:
    """The task's status as it stood on ``day``: its latest update on or before it."""
    latest = session.scalars(
        select(StatusUpdate)
        .where(col(StatusUpdate.task_id) == task.id, col(StatusUpdate.reported_on) <= day)
        .order_by(col(StatusUpdate.reported_on).desc(), col(StatusUpdate.id).desc())
        .limit(1)
    ).first()
    if latest is None:
        return {
            "rag": None,
            "position": None,
            "planned_improvement": None,
            "deadline": task.deadline,
        }
    return {name: getattr(latest, name) for name in STATUS_FIELDS}


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


# -- the worklist ------------------------------------------------------------------------------

WORKLIST_TITLES = {
    WorklistGroupKey.due_this_cycle: "Due this cycle",
    WorklistGroupKey.not_updated: "Not updated this cycle",
    WorklistGroupKey.overdue: "Overdue",
    WorklistGroupKey.red: "Red",
    WorklistGroupKey.other: "Other tasks",
}


def worklist_groups(
    rag: Rag | str | None,
    deadline: date | None,
    last_reported_on: date | None,
    today: date,
    cycle_months: int,
) -> list[WorklistGroupKey]:
    """The groups a task belongs to on ``today`` in a partnership reporting every
    ``cycle_months``: due by the end of the cycle that starts today, not updated within the
    last cycle, past its deadline, red; ``other`` when none of them."""
    complete = rag == Rag.complete
    groups = []
    if (
        not complete
        and deadline is not None
        and today <= deadline <= add_months(today, cycle_months)
    ):
        groups.append(WorklistGroupKey.due_this_cycle)
    if is_stale(rag, last_reported_on, add_months(today, -cycle_months)):
        groups.append(WorklistGroupKey.not_updated)
    if not complete and deadline is not None and deadline < today:
        groups.append(WorklistGroupKey.overdue)
    if rag == Rag.red:
        groups.append(WorklistGroupKey.red)
    return groups or [WorklistGroupKey.other]


def worklist(session: Session, principal: Principal) -> Worklist:
    """The tasks the caller's organisation leads, in the partnerships the caller may read
    (an API key: those its organisation sits on), grouped; see :class:`Worklist`."""
    policy = tasks.policy
    assert isinstance(policy, TaskPolicy)
    policy.authorize_read(principal)
    today = clock.today()
    organisation_id = principal.organisation_id
    groups: dict[WorklistGroupKey, list[WorklistTask]] = {key: [] for key in WorklistGroupKey}
    total = 0
    if organisation_id is not None:
        stmt = (
            sa_select(
                Task,
                col(ActionPlan.partnership_id),
                col(Partnership.name),
                col(Partnership.reporting_cycle_months),
                col(Action.ref),
                col(Action.title),
                col(Outcome.code),
                OWNER_NAME.label("owner_name"),
            )
            .join(Action, col(Action.id) == col(Task.action_id))
            .join(ActionPlan, col(ActionPlan.id) == col(Action.action_plan_id))
            .join(Partnership, col(Partnership.id) == col(ActionPlan.partnership_id))
            .join(Outcome, col(Outcome.id) == col(Action.outcome_id))
            .where(col(Task.lead_organisation_id) == organisation_id)
        )
        readable = partnership_ids_for(session, principal)
        if readable is not None:
            stmt = stmt.where(col(ActionPlan.partnership_id).in_(sorted(readable)))
        rows = list(session.execute(stmt).all())
        rows.sort(
            key=lambda r: (r[0].deadline is None, r[0].deadline or today, r[2], r[4], r[0].ref)
        )
        for task, partnership_id, name, cycle, action_ref, action_title, code, owner in rows:
            total += 1
            item = WorklistTask.model_validate(
                {
                    **crud.column_values(task),
                    "owner_name": owner,
                    "partnership_id": partnership_id,
                    "partnership_name": name,
                    "action_ref": action_ref,
                    "action_title": action_title,
                    "outcome_code": code,
                    "overdue": task.deadline is not None
                    and task.deadline < today
                    and task.rag != Rag.complete,
                    "stale": is_stale(task.rag, task.last_reported_on, add_months(today, -cycle)),
                    "can": TaskCan.model_validate(policy.can(session, principal, task)),
                }
            )
            for key in worklist_groups(
                task.rag, task.deadline, task.last_reported_on, today, cycle
            ):
                groups[key].append(item)
    return Worklist(
        as_of=today,
        organisation_id=organisation_id,
        total=total,
        groups=[
            WorklistGroup(key=key, title=WORKLIST_TITLES[key], items=items)
            for key, items in groups.items()
        ],
    )
