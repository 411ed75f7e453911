"""The caller's dashboard (DESIGN §7): a fixed number of queries, however much data there is.

Queries: the caller's partnerships (via api.partnerships.access), the partnerships with the
caller's role, one grouped count of tasks by partnership/outcome/RAG (with overdue and stale
counts), the most overdue tasks, the stalest tasks, the next meetings, and the governance
checks (a fixed number of their own).
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Select,
    and_,
    false,
    or_,
    true,
)
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import clock
from api.core.errors import Forbidden
from api.core.permissions import PartnershipIds
from api.core.principal import Principal, Role
from api.core.sorting import natural_key
from api.dashboard.schemas import (
    Dashboard,
    MeetingBrief,
    MyPartnership,
    OutcomeRag,
    TaskBrief,
    TaskList,
)
from api.governance import service as governance
from api.meetings.models import Meeting, MeetingStatus
from api.organisations.models import Organisation
from api.partnerships.access import partnership_ids_for
from api.partnerships.models import Membership, Partnership
from api.plans.models import Action, ActionPlan, Outcome, Rag, Task
from api.plans.service import (
    counts_by_status,
    open_task,
    reporting_cutoff,
    reporting_cutoffs,
    stale_condition,
)
from api.reports.schemas import Summary

AnySelect = Select[*tuple[Any, ...]]
LIST_LIMIT = 20
MEETINGS_LIMIT = 10


def _in(ids: frozenset[int] | None, column: Any) -> ColumnElement[bool]:
    if ids is None:
        return true()
    return column.in_(sorted(ids)) if ids else false()


def governance_findings(session: Session, principal: Principal, today: date) -> int | None:
    """Findings of the governance checks in the partnerships the caller may check; None when
    the caller's role may not see them (members, partners, the county)."""
    try:
        return len(governance.all_partnerships_report(session, principal, today).findings)
    except Forbidden:
        return None


def _task_briefs(session: Session, stmt: AnySelect) -> list[TaskBrief]:
    return [
        TaskBrief(
            id=r.id,
            ref=f"{r.action_ref}{r.ref}",
            title=r.title,
            partnership_id=r.partnership_id,
            rag=Rag(r.rag) if r.rag else None,
            deadline=r.deadline,
            last_reported_on=r.last_reported_on,
            lead_organisation_id=r.lead_organisation_id,
            lead_organisation=r.lead_name,
        )
        for r in session.execute(stmt)
    ]


def _brief_select(scope: ColumnElement[bool]) -> AnySelect:
    """Open tasks with what a brief shows, joined to their plan's partnership row by row: a
    list of ``LIST_LIMIT`` walks a partial index of open tasks in its order (migrations 0014,
    0018) and stops, where a join to :func:`reporting_cutoffs` reads every open task."""
    stmt: AnySelect = sa_select(
        col(Task.id),
        col(Task.ref),
        col(Task.title),
        col(Task.rag),
        col(Task.deadline),
        col(Task.last_reported_on),
        col(Task.lead_organisation_id),
        col(Action.ref).label("action_ref"),
        col(ActionPlan.partnership_id),
        col(Organisation.name).label("lead_name"),
    ).select_from(Task)
    return (
        stmt.join(Action, col(Action.id) == col(Task.action_id))
        .join(ActionPlan, col(ActionPlan.id) == col(Action.action_plan_id))
        .join(Partnership, col(Partnership.id) == col(ActionPlan.partnership_id))
        .outerjoin(Organisation, col(Organisation.id) == col(Task.lead_organisation_id))
        .where(scope, open_task())
    )


def dashboard(session: Session, principal: Principal) -> Dashboard:
    today = clock.today()
    ids = partnership_ids_for(session, principal)
    partnerships = _my_partnerships(session, principal, ids, today)
    # The counts join tasks to their action's partnership and reporting cutoff (one row per
    # action, api.plans.service.reporting_cutoffs) rather than to the plan's tables.
    cutoffs = reporting_cutoffs(today)
    within = _in(ids, cutoffs.c.partnership_id)
    # Partner keys see only the tasks their organisation leads (as in the task list).
    led: ColumnElement[bool] = true()
    if principal.role == Role.partner:
        led = col(Task.lead_organisation_id) == principal.organisation_id
    names = {p.id: p.name for p in partnerships}
    rag_by_outcome, totals = _rag_by_outcome(session, cutoffs, within, led, today, names)
    listed = and_(_in(ids, col(ActionPlan.partnership_id)), led)
    overdue_items = _task_briefs(
        session,
        _brief_select(listed)
        .where(col(Task.deadline) < today)
        .order_by(col(Task.deadline), col(Task.id))
        .limit(LIST_LIMIT),
    )
    # Never reported first, then the oldest report: ix_task_open_last_reported's order.
    stale_items = _task_briefs(
        session,
        _brief_select(listed)
        .where(stale_condition(reporting_cutoff(today)))
        .order_by(col(Task.last_reported_on).asc().nulls_first(), col(Task.id))
        .limit(LIST_LIMIT),
    )
    return Dashboard(
        as_of=today,
        partnerships=partnerships,
        rag_by_outcome=rag_by_outcome,
        overdue=TaskList(total=totals["overdue"], items=overdue_items),
        stale=TaskList(total=totals["stale"], items=stale_items),
        next_meetings=_next_meetings(session, ids),
        governance_findings=governance_findings(session, principal, today),
    )


def _my_partnerships(
    session: Session, principal: Principal, ids: PartnershipIds, today: date
) -> list[MyPartnership]:
    """The partnerships the caller sees, with their role in each they belong to."""
    membership = and_(
        col(Membership.partnership_id) == col(Partnership.id),
        col(Membership.person_id) == principal.person_id,
        col(Membership.started_on) <= today,
        or_(col(Membership.ended_on).is_(None), col(Membership.ended_on) >= today),
    )
    mine = session.execute(
        select(Partnership, Membership.role)
        .outerjoin(Membership, membership if principal.person_id is not None else false())
        .where(_in(ids, col(Partnership.id)))
        .order_by(col(Partnership.name), col(Partnership.id))
    ).all()
    partnerships: dict[int, MyPartnership] = {}
    for p, role in mine:
        assert p.id is not None
        if p.id not in partnerships or role is not None:
            partnerships[p.id] = MyPartnership(
                id=p.id, name=p.name, kind=p.kind, status=p.status, role=role
            )
    return list(partnerships.values())


def _rag_by_outcome(
    session: Session,
    cutoffs: CTE,
    within: ColumnElement[bool],
    led: ColumnElement[bool],
    today: date,
    names: dict[int, str],
) -> tuple[list[OutcomeRag], dict[str, int]]:
    """RAG counts per outcome (one grouped query), and the stale and overdue totals, of the
    tasks ``led`` in the partnerships ``within`` selects.

    (:func:`api.plans.service.counts_by_status`: the open and the complete tasks counted
    apart, each from an index on PostgreSQL.)
    """
    sums = {
        "n_stale": stale_condition(cutoffs.c.cutoff),
        "n_overdue": and_(col(Task.deadline) < today, open_task()),
    }
    groups = (cutoffs.c.partnership_id, cutoffs.c.outcome_id)
    counted = counts_by_status(cutoffs, groups, sums, tasks=led, within=within)
    grouped = counted.subquery()
    counts = session.execute(
        sa_select(
            grouped.c.partnership_id,
            col(Outcome.id),
            col(Outcome.code),
            col(Outcome.title),
            grouped.c.rag,
            grouped.c.n,
            grouped.c.n_stale,
            grouped.c.n_overdue,
        ).join(Outcome, col(Outcome.id) == grouped.c.outcome_id)
    ).all()
    by_outcome: dict[tuple[int, int], OutcomeRag] = {}
    totals: dict[str, int] = defaultdict(int)
    for partnership_id, outcome_id, code, title, rag, n, n_stale, n_overdue in counts:
        key = (partnership_id, outcome_id)
        entry = by_outcome.get(key)
        if entry is None:
            entry = OutcomeRag(
                partnership_id=partnership_id,
                outcome_id=outcome_id,
                code=code,
                title=title,
                summary=Summary(),
                overdue=0,
            )
            by_outcome[key] = entry
        entry.summary.add(rag, n, int(n_stale or 0))
        entry.overdue += int(n_overdue or 0)
        totals["stale"] += int(n_stale or 0)
        totals["overdue"] += int(n_overdue or 0)
    ordered = sorted(
        by_outcome.values(),
        key=lambda o: (names.get(o.partnership_id, ""), o.partnership_id, natural_key(o.code)),
    )
    return ordered, totals


def _next_meetings(session: Session, ids: PartnershipIds) -> list[MeetingBrief]:
    meetings: Sequence[Meeting] = session.scalars(
        select(Meeting)
        .where(
            _in(ids, col(Meeting.partnership_id)),
            col(Meeting.status) == MeetingStatus.scheduled.value,
            col(Meeting.starts_at) >= clock.now(),
        )
        .order_by(col(Meeting.starts_at), col(Meeting.id))
        .limit(MEETINGS_LIMIT)
    ).all()
    return [
        MeetingBrief(
            id=m.id or 0,
            partnership_id=m.partnership_id,
            title=m.title,
            starts_at=m.starts_at,
            location=m.location,
        )
        for m in meetings
    ]
