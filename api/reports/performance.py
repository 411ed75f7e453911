"""The bi-monthly performance report (DESIGN §6) and the strategy progress table.

A report is "as of" a date: every task shows its latest status update on or before that date
(``reported_on``), fetched for the whole plan in one query (a correlated lookup), so the
number of queries does not grow with the number of tasks. A task counts from the day it was
created or, for tasks imported later with an earlier history, from its first update; a task
without an update by the date is "not rated" with no position.
"""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, cached_property
from typing import Any

from pydantic_core import to_json
from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    false,
    func,
    or_,
    true,
)
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import clock
from api.core.clock import LONDON
from api.core.compiled import fetch_all
from api.core.errors import Forbidden
from api.core.models import UTCDateTime
from api.core.policy import not_found
from api.core.principal import Principal, Role, Scope
from api.core.sorting import natural_key
from api.organisations.models import Organisation
from api.partnerships.access import partnership_ids_for, people_with_visible_contacts
from api.partnerships.models import Membership, MembershipRole, Partnership
from api.people.models import Person
from api.plans.models import Action, ActionPlan, Outcome, Rag, StatusUpdate, Task
from api.plans.service import (
    open_task,
    reporting_cutoff,
    reporting_cutoffs,
    stale_condition,
)
from api.reports.schemas import (
    STATUSES,
    Contact,
    Freshness,
    OrganisationFreshness,
    PerformanceReport,
    ReportScope,
    ReportTask,
    Summary,
)

REPORT_READ_ROLES = frozenset({Role.admin, Role.officer, Role.member, Role.county})
REPORT_READ_SCOPES = frozenset({Scope.read, Scope.laa_read})


# -- who may read reports ----------------------------------------------------------------------


def readable_partnerships(session: Session, principal: Principal) -> frozenset[int] | None:
    """Partnerships whose reports ``principal`` may read; None means all.

    Admins, officers and members read the reports of their partnerships; the county reads
    every report (DESIGN §5). Partner keys (status updates on their own tasks) read none.
    """
    if principal.role not in REPORT_READ_ROLES:
        raise Forbidden("Your role may not read reports")
    if not principal.scopes & REPORT_READ_SCOPES:
        raise Forbidden("This credential lacks the 'read' scope")
    if principal.role == Role.county:
        return None
    return partnership_ids_for(session, principal)


def _allowed(ids: frozenset[int] | None, partnership_id: int) -> bool:
    return ids is None or partnership_id in ids


# -- loading a plan as of a date ---------------------------------------------------------------


def end_of_day(day: date) -> datetime:
    """The first instant after ``day`` in Europe/London, as an aware UTC datetime."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON).astimezone(UTC)


COUNTED = (*STATUSES, "stale")
"""What a section counts: its tasks by status, and how many of them are stale."""

SectionKey = tuple[int, int]
"""A report section: (partnership, outcome)."""


@dataclass
class Section:
    """One section's actions as they stood on the report date, each with the fields of a
    :class:`ReportAction` and its tasks those of a :class:`ReportTask` (plain data, see
    :class:`ReportData`), and its tasks counted by status and staleness."""

    actions: dict[int, dict[str, Any]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTED, 0))


REPORT_TASK_FIELDS = tuple(ReportTask.model_fields)
"""The plan rows' last columns, in this order (:func:`_plan_rows_statement`)."""
_RAG, _STALE = (6 + REPORT_TASK_FIELDS.index(name) for name in ("rag", "stale"))


def load_sections(
    session: Session, as_of: date, scope: ColumnElement[bool] | None = None, **params: Any
) -> dict[SectionKey, Section]:
    """Actions matching ``scope`` (on Action/ActionPlan; None: of the partnership
    ``partnership_id``) with their tasks as of ``as_of``, in one query, grouped into sections
    as they are read; staleness uses each partnership's reporting cycle."""
    sections: dict[SectionKey, Section] = {}
    lateral = session.get_bind().dialect.name == "postgresql"
    current = is_current(as_of)
    connection = session.connection()
    if scope is None:  # built once: sent to the driver as compiled once
        statement = _partnership_rows_statement(lateral=lateral, current=current)
        rows = fetch_all(connection, statement, _plan_rows_params(as_of, **params))
    else:  # Core execution, all rows at once: the columns need no ORM row handling
        statement = _plan_rows_statement(scope, lateral=lateral, current=current)
        rows = connection.execute(statement, _plan_rows_params(as_of, **params)).all()
    action_id = None  # the action of the rows being read (they come in action order)
    for r in rows:
        existed = r[5]
        if existed == NOT_YET:
            continue  # neither the action nor any of its tasks existed yet
        if r[2] != action_id:
            partnership_id, outcome_id, action_id, action_ref, action_title = r[:5]
            section = sections.get((partnership_id, outcome_id))
            if section is None:
                section = sections[partnership_id, outcome_id] = Section()
            action = section.actions.get(action_id)
            if action is None:
                action = {"id": action_id, "ref": action_ref, "title": action_title, "tasks": []}
                section.actions[action_id] = action
            tasks, counts = action["tasks"], section.counts
        if existed == TASK:  # the row's last columns are REPORT_TASK_FIELDS, by construction
            tasks.append(dict(zip(REPORT_TASK_FIELDS, r[6:], strict=False)))
            counts[r[_RAG] or "not_rated"] += 1
            counts["stale"] += r[_STALE]
    return sections


def is_current(as_of: date) -> bool:
    """Whether ``as_of`` is today or later: then each task's latest update on or before it is
    its latest of all (no update is dated after today), whose fields the task itself holds."""
    return as_of >= clock.today()


def _latest_update(
    as_of: date | ColumnElement[date], *, lateral: bool, current: bool = False
) -> tuple[list[Any], tuple[Any, Any] | None]:
    """The columns of each task's latest update on or before ``as_of`` and the outer join that
    brings them (see :func:`_plan_rows_statement`); the first column is null when the task had
    no update by then.

    With ``current`` (:func:`is_current`) they are the task's own columns and need no join:
    every path that appends a status update gives the task that update's fields when it is
    the latest (:func:`api.plans.service.check_move`, the task import, a task created with a
    status) and dates it in ``last_reported_on``, which is null while the task has none.
    tests/api/test_current_status.py checks both ways give the same reports."""
    if current:
        reported = col(Task.last_reported_on)
        if_reported = reported.is_not(None)
        current_columns = [
            reported,
            case((if_reported, col(Task.rag))),
            case((if_reported, col(Task.position))),
            case((if_reported, col(Task.planned_improvement))),
            col(Task.deadline),
            reported,
        ]
        return current_columns, None
    on_or_before = (
        col(StatusUpdate.task_id) == col(Task.id),
        col(StatusUpdate.reported_on) <= as_of,
    )
    newest_first = (col(StatusUpdate.reported_on).desc(), col(StatusUpdate.id).desc())
    update_columns = (
        col(StatusUpdate.task_id),
        col(StatusUpdate.rag),
        col(StatusUpdate.position),
        col(StatusUpdate.planned_improvement),
        col(StatusUpdate.deadline),
        col(StatusUpdate.reported_on),
    )
    if lateral:
        latest = (
            sa_select(*update_columns)
            .where(*on_or_before)
            .order_by(*newest_first)
            .limit(1)
            .lateral("latest_update")
        )
        update: list[Any] = list(latest.c)
        join_update: tuple[Any, ColumnElement[bool]] = (latest, true())
    else:
        latest_id = (
            select(StatusUpdate.id)
            .where(*on_or_before)
            .order_by(*newest_first)
            .limit(1)
            .correlate(Task)
            .scalar_subquery()
        )
        update = list(update_columns)
        join_update = (StatusUpdate, col(StatusUpdate.id) == latest_id)
    return update, join_update


def _stale(rag: Any, reported_on: Any, cutoff: ColumnElement[date]) -> ColumnElement[bool]:
    """Whether a task whose latest update had these columns was stale: not complete and not
    updated since ``cutoff``, its partnership's reporting cycle back from the date (the SQL
    twin of :func:`api.plans.service.is_stale`)."""
    return case(
        (rag == Rag.complete, false()),
        else_=or_(reported_on.is_(None), reported_on < cutoff),
    )


def _joined(stmt: Select[Any], join_update: tuple[Any, Any] | None) -> Select[Any]:
    return stmt if join_update is None else stmt.outerjoin(*join_update)


def tasks_as_of(as_of: date, scope: ColumnElement[bool], *, lateral: bool = False) -> Any:
    """A CTE of the tasks of the actions matching ``scope`` (on Action and ActionPlan) as they
    stood on ``as_of`` (those existing then), read from their history: outcome, task, latest
    update, and whether it was stale by its partnership's reporting cycle, for aggregating in
    the database. (As of today strategy progress needs no history:
    :func:`api.plans.service.counts_by_status` and :func:`newest_current_tasks`.)

    Narrow on purpose (a county's strategy reads every task): the month arithmetic is done
    once per action (:func:`api.plans.service.reporting_cutoffs`), and the task's title and
    refs are left for the caller to join on the few rows it shows. Both CTEs are
    ``MATERIALIZED`` on PostgreSQL, so a statement reading the tasks twice looks each task's
    latest update up once."""
    actions = reporting_cutoffs(as_of, scope)
    update, join_update = _latest_update(as_of, lateral=lateral)
    has_update, rag, position, reported_on = update[0], update[1], update[2], update[5]
    tasks = sa_select(
        actions.c.outcome_id,
        col(Task.id).label("task_id"),
        rag.label("rag"),
        position.label("position"),
        reported_on.label("reported_on"),
        _stale(rag, reported_on, actions.c.cutoff).label("stale"),
    ).join_from(Task, actions, actions.c.action_id == col(Task.action_id))
    return (
        _joined(tasks, join_update)
        .where(or_(has_update.is_not(None), col(Task.created_at) < end_of_day(as_of)))
        .cte("task_as_of")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )


def newest_current_tasks(
    scope: ColumnElement[bool], per_outcome: int, *, lateral: bool
) -> Select[Any]:
    """Rows ``(outcome_id, task_id, reported_on)``: the ``per_outcome`` tasks of each outcome
    (of the actions matching ``scope``, on Action and ActionPlan) reported last, newest first:
    their latest updates as of today (:func:`is_current`). With ``lateral`` (PostgreSQL) each
    action's newest are read backwards from ``ix_task_action_reported`` (migration 0021), so
    only those few are ranked, not every task of a county's strategy."""
    actions = (
        sa_select(col(Action.id).label("action_id"), col(Action.outcome_id).label("outcome_id"))
        .join(ActionPlan, col(ActionPlan.id) == col(Action.action_plan_id))
        .where(scope)
        .cte("scoped_action")
    )
    reported_on = col(Task.last_reported_on)
    newest_first = (reported_on.desc(), col(Task.id).desc())
    tasks: Select[*tuple[Any, ...]] = sa_select(
        col(Task.id).label("task_id"), reported_on.label("reported_on")
    )
    candidates: Select[*tuple[Any, ...]]
    if lateral:
        newest = (
            tasks.where(col(Task.action_id) == actions.c.action_id, reported_on.is_not(None))
            .order_by(*newest_first)
            .limit(per_outcome)
            .lateral("newest")
        )
        candidates = sa_select(actions.c.outcome_id, newest.c.task_id, newest.c.reported_on)
        candidates = candidates.select_from(actions).join(newest, true())
    else:
        candidates = tasks.add_columns(actions.c.outcome_id).join_from(
            Task, actions, actions.c.action_id == col(Task.action_id)
        )
        candidates = candidates.where(reported_on.is_not(None))
    ranked = candidates.subquery("candidate")
    rank = func.row_number().over(
        partition_by=ranked.c.outcome_id,
        order_by=(ranked.c.reported_on.desc(), ranked.c.task_id.desc()),
    )
    numbered = sa_select(ranked, rank.label("rank")).subquery("numbered")
    return (
        sa_select(numbered.c.outcome_id, numbered.c.task_id, numbered.c.reported_on)
        .where(numbered.c.rank <= per_outcome)
        .order_by(numbered.c.outcome_id, numbered.c.rank)
    )


# What a plan row stood for on the report date (its ``existed`` column).
NOT_YET, ACTION, TASK = 0, 1, 2


AS_OF = bindparam("as_of", type_=Date())
END_OF_DAY = bindparam("end_of_day", type_=UTCDateTime())
PARTNERSHIP_ID = bindparam("partnership_id", type_=Integer())


def _plan_rows_params(as_of: date, **more: Any) -> dict[str, Any]:
    return {"as_of": as_of, "end_of_day": end_of_day(as_of), **more}


@cache
def _partnership_rows_statement(*, lateral: bool, current: bool) -> Select[Any]:
    """:func:`_plan_rows_statement` of one partnership (``partnership_id``), built once."""
    return _plan_rows_statement(
        col(ActionPlan.partnership_id) == PARTNERSHIP_ID, lateral=lateral, current=current
    )


def _plan_rows_statement(
    scope: ColumnElement[bool], *, lateral: bool = False, current: bool = False
) -> Select[Any]:
    """Every action matching ``scope`` with each task and its latest update as of the date
    (parameters ``as_of`` and ``end_of_day``, :func:`_plan_rows_params`):
    the action's columns, what existed on the date (``NOT_YET``, ``ACTION`` or ``TASK``), then
    a :class:`ReportTask`'s fields in ``REPORT_TASK_FIELDS``' order.

    The task's latest update on or before the date is looked up per task on
    ``status_update (task_id, reported_on, id)`` (migration 0014 on PostgreSQL; SQLite reads
    its ``task_id`` index). With ``lateral`` (PostgreSQL) the lookup returns the update's row
    itself (``LEFT JOIN LATERAL … LIMIT 1``); otherwise it returns the update's id, joined on
    the primary key, which PostgreSQL makes by hashing every status update (0.4 s over a
    decade's million; docs/performance.md, issue 21). (A window function over all the plan's
    updates is one query too, but PostgreSQL may nest-loop over it when statistics are fresh:
    seconds for 1,000 tasks.) Existence and staleness are worked out here, so no timestamp
    reaches Python.
    """
    update, join_update = _latest_update(AS_OF, lateral=lateral, current=current)
    has_update, rag, position, improvement, deadline, reported_on = update
    end = END_OF_DAY
    existed = case(
        (
            and_(
                col(Task.id).is_not(None),
                or_(has_update.is_not(None), col(Task.created_at) < end),
            ),
            TASK,
        ),
        (col(Action.created_at) < end, ACTION),
        else_=NOT_YET,
    )
    task_fields = {
        "id": col(Task.id),
        "ref": col(Task.ref),
        "title": col(Task.title),
        "target": col(Task.target),
        "position": position,
        "rag": rag,
        "planned_improvement": improvement,
        "deadline": case((has_update.is_not(None), deadline), else_=col(Task.deadline)),
        "lead_organisation_id": col(Task.lead_organisation_id),
        "lead_organisation": col(Organisation.name),
        "reported_on": reported_on,
        "stale": _stale(rag, reported_on, reporting_cutoff(AS_OF)),
    }
    rows = (
        sa_select(
            col(ActionPlan.partnership_id),
            col(Action.outcome_id),
            col(Action.id),
            col(Action.ref),
            col(Action.title),
            existed,
            *(task_fields[name] for name in REPORT_TASK_FIELDS),
        )
        .select_from(Action)
        .join(ActionPlan, col(ActionPlan.id) == col(Action.action_plan_id))
        .join(Partnership, col(Partnership.id) == col(ActionPlan.partnership_id))
        .outerjoin(Task, col(Task.action_id) == col(Action.id))
    )
    return (
        _joined(rows, join_update)
        .outerjoin(Organisation, col(Organisation.id) == col(Task.lead_organisation_id))
        .where(scope)
        .order_by(col(Action.id), col(Task.id))
    )


_OFFICER_COLUMNS = (
    col(Membership.started_on),
    col(Membership.ended_on),
    col(Person.id),
    col(Person.name),
    col(Person.email),
)


def load_contacts(
    session: Session, principal: Principal, partnership_ids: Collection[int], as_of: date
) -> dict[int, Contact]:
    """Each partnership's officer on ``as_of`` (else its current officer), in one query; the
    e-mail only if ``principal`` may see the officer's contact details, else null."""
    if not partnership_ids:
        return {}
    rows = session.execute(
        sa_select(col(Membership.partnership_id), *_OFFICER_COLUMNS)
        .join(Person, col(Person.id) == col(Membership.person_id))
        .where(
            col(Membership.partnership_id).in_(sorted(partnership_ids)),
            col(Membership.role) == MembershipRole.officer.value,
        )
        .order_by(col(Membership.started_on).desc(), col(Membership.id).desc())
    ).all()
    return _contacts(session, principal, rows, as_of)


def _contacts(
    session: Session, principal: Principal, rows: Iterable[Sequence[Any]], as_of: date
) -> dict[int, Contact]:
    """:func:`load_contacts`' choice among officer rows (partnership id, then
    ``_OFFICER_COLUMNS``; the newest membership first), rows without an officer skipped."""
    found: dict[int, tuple[int, Contact]] = {}
    for partnership_id, started_on, ended_on, person_id, name, email in rows:
        if person_id is None:
            continue
        on_date = started_on <= as_of and (ended_on is None or ended_on >= as_of)
        rank = 2 if on_date else 1 if ended_on is None else 0
        if rank == 0:
            continue
        best = found.get(partnership_id)
        if best is None or rank > best[0]:
            found[partnership_id] = (rank, Contact(person_id=person_id, name=name, email=email))
    shown = people_with_visible_contacts(
        session, principal, [contact.person_id for _, contact in found.values()]
    )
    return {
        pid: contact if contact.person_id in shown else contact.model_copy(update={"email": None})
        for pid, (_, contact) in found.items()
    }


# -- assembling --------------------------------------------------------------------------------


def build_sections(
    sections: dict[SectionKey, Section],
    outcomes: dict[int, tuple[str, str]],
    partnerships: dict[int, str],
    contacts: dict[int, Contact],
    as_of: date,
    *,
    empty: Iterable[SectionKey] = (),
) -> list[dict[str, Any]]:
    """Each section as an :class:`OutcomeSection`'s fields, actions and tasks in their refs'
    order; ``empty`` adds sections that have no action yet (an outcome the partnership leads)."""
    built: list[dict[str, Any]] = []
    for partnership_id, outcome_id in dict.fromkeys([*sections, *empty]):
        section = sections.get((partnership_id, outcome_id)) or Section()
        code, title = outcomes[outcome_id]
        ordered = sorted(section.actions.values(), key=_by_ref)
        for action in ordered:
            action["tasks"].sort(key=_by_ref)
        built.append(
            {
                "outcome_id": outcome_id,
                "code": code,
                "title": title,
                "date": as_of,
                "partnership_id": partnership_id,
                "sub_group": partnerships[partnership_id],
                "contact": contacts.get(partnership_id),
                "actions": ordered,
                "summary": Summary.of(section.counts),
            }
        )
    built.sort(key=lambda s: (natural_key(s["code"]), s["sub_group"], s["partnership_id"]))
    return built


def _by_ref(item: dict[str, Any]) -> tuple[Any, ...]:
    return (natural_key(item["ref"]), item["id"])


@dataclass
class ReportData:
    """A performance report as the database gave it, in :class:`PerformanceReport`'s shape.

    Every value already has the type its field declares, so the JSON is written from the data
    directly (``json``), skipping a validation that cost a third of a 1,000-task report's
    CPU; ``model`` validates it, once, for the print view, the CSV and the agenda pack.
    tests/api/test_reports.py checks that both give the same bytes."""

    as_of: date
    fields: dict[str, Any]

    @cached_property
    def model(self) -> PerformanceReport:
        return PerformanceReport.model_validate(self.fields)

    def json(self) -> bytes:
        return to_json(self.fields)


def report_of(
    title: str, as_of: date, scope: ReportScope, sections: list[dict[str, Any]]
) -> ReportData:
    """The report of :func:`build_sections`' sections, with their total."""
    total = Summary()
    for section in sections:
        total.merge(section["summary"])
    return ReportData(
        as_of,
        {"title": title, "as_of": as_of, "scope": scope, "outcomes": sections, "summary": total},
    )


def partnership_report(
    session: Session, principal: Principal, partnership_id: int, as_of: date | None
) -> ReportData:
    """Every outcome the partnership works on, with its actions and tasks as of the date."""
    as_of = as_of or clock.today()
    allowed = readable_partnerships(session, principal)
    if not _allowed(allowed, partnership_id):
        raise not_found("partnership", partnership_id)
    connection = session.connection()
    params = _plan_rows_params(as_of, partnership_id=partnership_id)
    officers = fetch_all(connection, _PARTNERSHIP_OFFICERS, params)
    if not officers:
        raise not_found("partnership", partnership_id)
    name = officers[0][0]
    loaded = load_sections(session, as_of, partnership_id=partnership_id)
    worked_on = {outcome_id for _, outcome_id in loaded}
    outcomes = {
        outcome_id: (code, title)
        for outcome_id, code, title, led in fetch_all(connection, _PARTNERSHIP_OUTCOMES, params)
        if outcome_id in worked_on or led
    }
    contacts = _contacts(session, principal, [(partnership_id, *r[1:]) for r in officers], as_of)
    sections = build_sections(
        loaded,
        outcomes,
        {partnership_id: name},
        contacts,
        as_of,
        empty=[(partnership_id, oid) for oid in outcomes if oid not in worked_on],
    )
    return report_of(
        f"{name}: performance report",
        as_of,
        ReportScope(kind="partnership", id=partnership_id, name=name),
        sections,
    )


_PARTNERSHIP_OFFICERS = (
    sa_select(col(Partnership.name), *_OFFICER_COLUMNS)
    .select_from(Partnership)
    .outerjoin(
        Membership,
        and_(
            col(Membership.partnership_id) == col(Partnership.id),
            col(Membership.role) == MembershipRole.officer.value,
        ),
    )
    .outerjoin(Person, col(Person.id) == col(Membership.person_id))
    .where(col(Partnership.id) == PARTNERSHIP_ID)
    .order_by(col(Membership.started_on).desc(), col(Membership.id).desc())
)
"""A partnership's name with each of its officers (:func:`load_contacts`' columns after
it), the newest membership first: one row with null officer columns when it has none, no
row when there is no such partnership."""

_PARTNERSHIP_OUTCOMES = sa_select(
    col(Outcome.id),
    col(Outcome.code),
    col(Outcome.title),
    and_(
        col(Outcome.lead_partnership_id) == PARTNERSHIP_ID,
        col(Outcome.created_at) < END_OF_DAY,
    ),
).where(
    or_(
        col(Outcome.id).in_(
            sa_select(col(Action.outcome_id))
            .join(ActionPlan, col(ActionPlan.id) == col(Action.action_plan_id))
            .where(col(ActionPlan.partnership_id) == PARTNERSHIP_ID)
        ),
        col(Outcome.lead_partnership_id) == PARTNERSHIP_ID,
    )
)
"""The outcomes a partnership may show: those of its actions (the caller keeps those with
an action on the date) and those it leads, with whether it led them by then."""


def outcome_report(
    session: Session, principal: Principal, outcome_id: int, as_of: date | None
) -> ReportData:
    """One outcome across the partnerships with actions on it (those the caller may see)."""
    as_of = as_of or clock.today()
    allowed = readable_partnerships(session, principal)
    outcome = session.get(Outcome, outcome_id)
    if outcome is None:
        raise not_found("outcome", outcome_id)
    scope: ColumnElement[bool] = col(Action.outcome_id) == outcome_id
    if allowed is not None:
        scope = and_(scope, col(ActionPlan.partnership_id).in_(sorted(allowed)))
    loaded = load_sections(session, as_of, scope)
    with_rows = {partnership_id for partnership_id, _ in loaded}
    ids = set(with_rows)
    lead = outcome.lead_partnership_id
    if lead is not None and _allowed(allowed, lead):
        ids.add(lead)
    partnerships = {
        pid: name
        for pid, name in session.execute(
            sa_select(col(Partnership.id), col(Partnership.name)).where(
                col(Partnership.id).in_(sorted(ids))
            )
        )
        if pid is not None
    }
    contacts = load_contacts(session, principal, ids, as_of)
    empty = [(lead, outcome_id)] if lead in ids and lead not in with_rows else []
    sections = build_sections(
        loaded,
        {outcome_id: (outcome.code, outcome.title)},
        partnerships,
        contacts,
        as_of,
        empty=empty,
    )
    return report_of(
        f"Outcome {outcome.code} {outcome.title}: performance report",
        as_of,
        ReportScope(kind="outcome", id=outcome_id, name=f"{outcome.code} {outcome.title}"),
        sections,
    )


# -- freshness ---------------------------------------------------------------------------------


def freshness(session: Session, principal: Principal, partnership_id: int | None) -> Freshness:
    """Per lead organisation: how many of its open tasks were updated within their
    partnership's reporting cycle (one grouped query)."""
    today = clock.today()
    allowed = readable_partnerships(session, principal)
    if partnership_id is not None and (
        not _allowed(allowed, partnership_id) or session.get(Partnership, partnership_id) is None
    ):
        raise not_found("partnership", partnership_id)
    # Tasks joined to their action's partnership and cutoff (one row per action), counted per
    # lead organisation, then named.
    cutoffs = reporting_cutoffs(today)
    grouped: Select[*tuple[Any, ...]] = (
        sa_select(
            col(Task.lead_organisation_id).label("organisation_id"),
            func.count().label("led"),
            func.sum(case((stale_condition(cutoffs.c.cutoff), 1), else_=0)).label("stale"),
            func.max(col(Task.last_reported_on)).label("last"),
        )
        .select_from(Task)
        .join(cutoffs, cutoffs.c.action_id == col(Task.action_id))
        .where(open_task())
        .group_by(col(Task.lead_organisation_id))
    )
    if partnership_id is not None:
        grouped = grouped.where(cutoffs.c.partnership_id == partnership_id)
    elif allowed is not None:
        grouped = grouped.where(cutoffs.c.partnership_id.in_(sorted(allowed)))
    counts = grouped.subquery()
    stmt = sa_select(
        counts.c.organisation_id,
        col(Organisation.name),
        counts.c.led,
        counts.c.stale,
        counts.c.last,
    ).outerjoin(Organisation, col(Organisation.id) == counts.c.organisation_id)
    rows = [
        OrganisationFreshness(
            organisation_id=org_id,
            organisation=name,
            led_tasks=led,
            updated_this_cycle=led - int(stale_count or 0),
            stale=int(stale_count or 0),
            share_updated=round((led - int(stale_count or 0)) / led, 4) if led else 1.0,
            last_reported_on=last,
        )
        for org_id, name, led, stale_count, last in session.execute(stmt)
    ]
    rows.sort(key=lambda r: (r.share_updated, -r.stale, r.organisation or "~"))
    return Freshness(as_of=today, partnership_id=partnership_id, organisations=rows)
