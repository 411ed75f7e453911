"""Decisions: the service, not the caller, decides whether a motion was carried.

Rules (DESIGN §3): consensus, else a simple majority of those voting with the chair's casting
vote on a tie; expulsion by two-thirds of those present and voting, the member having been
heard; nothing is carried at an inquorate meeting.
"""

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import audit
from api.core.errors import Conflict, NotFound, Unprocessable, field_error, invalid
from api.core.pagination import PageParams, paginate
from api.core.principal import Principal
from api.crud import service as crud
from api.crud.service import check_references
from api.meetings.attendance import meeting_day
from api.meetings.models import (
    AgendaItem,
    CastingVote,
    Decision,
    DecisionMethod,
    DecisionResult,
    Meeting,
    MeetingStatus,
)
from api.meetings.schemas import DecisionActionCreate, DecisionCreate, DecisionRead, Quorum
from api.meetings.service import meetings, require_quorum, require_started
from api.organisations.models import Organisation
from api.partnerships.access import require_manage_partnership
from api.partnerships.models import EndReason, Membership
from api.plans.models import Action, ActionPlan, Task
from api.plans.service import check_action_outcome


def compute_result(
    method: DecisionMethod,
    votes_for: int,
    votes_against: int,
    casting_vote: CastingVote | None,
) -> DecisionResult:
    """Carried or lost; abstentions never count. Raises 422 for a vote the rules don't allow."""
    if method != DecisionMethod.simple_majority and casting_vote is not None:
        raise invalid("chair_casting_vote", "the chair casts a vote only on a simple-majority tie")
    if method == DecisionMethod.consensus:
        if votes_against:
            raise invalid(
                "votes_against", "a decision with votes against is not a consensus: take a vote"
            )
        return DecisionResult.carried
    if method == DecisionMethod.two_thirds:
        # Two-thirds of those present and voting: for / (for + against) >= 2/3, exactly.
        carried = votes_for > 0 and 3 * votes_for >= 2 * (votes_for + votes_against)
        return DecisionResult.carried if carried else DecisionResult.lost
    if votes_for != votes_against:
        if casting_vote is not None:
            raise invalid("chair_casting_vote", "there is no tie to break")
        return DecisionResult.carried if votes_for > votes_against else DecisionResult.lost
    # A tie: the chair may cast; without a casting vote the motion falls.
    return DecisionResult.carried if casting_vote == CastingVote.for_ else DecisionResult.lost


def _follow_ups(
    session: Session, decision_ids: Sequence[int]
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """The actions and tasks each decision created (one query)."""
    actions: dict[int, list[int]] = defaultdict(list)
    tasks: dict[int, list[int]] = defaultdict(list)
    if decision_ids:
        rows = session.execute(
            select(Action.decision_id, Action.id, Task.id)
            .outerjoin(Task, col(Task.action_id) == col(Action.id))
            .where(col(Action.decision_id).in_(decision_ids))
            .order_by(col(Action.id), col(Task.id))
        )
        for decision_id, action_id, task_id in rows:
            if action_id not in actions[decision_id]:
                actions[decision_id].append(action_id)
            if task_id is not None:
                tasks[decision_id].append(task_id)
    return actions, tasks


def reads(session: Session, rows: Sequence[Decision]) -> list[DecisionRead]:
    actions, tasks = _follow_ups(session, [r.id for r in rows if r.id is not None])
    return [
        DecisionRead.model_validate(
            {
                **crud.column_values(r),
                "action_ids": actions.get(r.id or 0, []),
                "task_ids": tasks.get(r.id or 0, []),
            }
        )
        for r in rows
    ]


def list_decisions(
    session: Session, principal: Principal, meeting_id: int, page: PageParams
) -> tuple[list[DecisionRead], int]:
    crud.get_row(session, principal, meetings, meeting_id)
    stmt = select(Decision).where(col(Decision.meeting_id) == meeting_id).order_by(col(Decision.id))
    rows, total = paginate(session, stmt, page)
    return reads(session, rows), total


def get_decision(
    session: Session, principal: Principal, meeting_id: int, decision_id: int
) -> DecisionRead:
    crud.get_row(session, principal, meetings, meeting_id)
    row = session.get(Decision, decision_id)
    if row is None or row.meeting_id != meeting_id:
        raise NotFound(f"No decision {decision_id} at meeting {meeting_id}")
    return reads(session, [row])[0]


def _check_expulsion(
    session: Session, body: DecisionCreate, partnership_id: int
) -> Membership | None:
    if body.subject_membership_id is None:
        if body.member_heard:
            raise invalid("member_heard", "only an expulsion has a member to be heard")
        return None
    subject = session.get(Membership, body.subject_membership_id)
    if subject is None or subject.partnership_id != partnership_id:
        raise invalid("subject_membership_id", "must be a membership of this partnership")
    if subject.ended_on is not None:
        raise invalid("subject_membership_id", "this membership has already ended")
    if body.method != DecisionMethod.two_thirds:
        raise invalid("method", "an expulsion needs a two-thirds majority (two_thirds)")
    if not body.member_heard:
        raise invalid("member_heard", "the member has the right to be heard before expulsion")
    return subject


TASK_REFS = "abcdefghijklmnopqrstuvwxyz"


def _next_ref(taken: set[str]) -> str:
    n = 1
    while str(n) in taken:
        n += 1
    return str(n)


def _field(loc: list[str | int], msg: str) -> Unprocessable:
    where = ".".join(str(p) for p in loc[1:])
    return Unprocessable(f"{where}: {msg}", errors=[field_error(loc, msg)])


def _create_actions(
    session: Session,
    principal: Principal,
    partnership_id: int,
    decision: Decision,
    wanted: list[DecisionActionCreate],
) -> None:
    """The follow-up actions of a carried decision, each with its tasks, in the plan."""
    plans = session.scalars(
        select(ActionPlan.id).where(col(ActionPlan.partnership_id) == partnership_id)
    ).all()
    for index, spec in enumerate(wanted):
        loc: list[str | int] = ["body", "actions", index]
        plan_id = spec.action_plan_id
        if plan_id is None:
            if len(plans) != 1:
                raise Unprocessable(
                    f"actions.{index}.action_plan_id: the partnership has {len(plans)} action "
                    "plans; say which",
                    errors=[field_error([*loc, "action_plan_id"], "required here")],
                )
            plan_id = plans[0]
        elif plan_id not in plans:
            raise Unprocessable(
                f"actions.{index}.action_plan_id: not an action plan of this partnership",
                errors=[field_error([*loc, "action_plan_id"], "not this partnership's plan")],
            )
        data = {
            **spec.model_dump(exclude={"tasks"}),
            "action_plan_id": plan_id,
            "decision_id": decision.id,
        }
        try:
            check_references(session, Action, data)
        except Unprocessable as exc:
            raise Unprocessable(
                f"actions.{index}: {exc.detail}",
                errors=[field_error([*loc, "outcome_id"], exc.detail)],
            ) from exc
        check_action_outcome(session, plan_id, spec.outcome_id, [*loc, "outcome_id"])
        taken = set(
            session.scalars(
                select(Action.ref).where(
                    col(Action.action_plan_id) == plan_id,
                    col(Action.outcome_id) == spec.outcome_id,
                )
            )
        )
        if spec.ref is None:
            data["ref"] = _next_ref(taken)
        elif spec.ref in taken:
            raise Conflict(
                f"actions.{index}: action {spec.ref} already exists for this outcome",
                slug="duplicate",
            )
        action = Action(**data)
        session.add(action)
        session.flush()
        audit.record(
            session, principal, "create", "action", action.id, after=audit.snapshot(action)
        )
        assert action.id is not None
        refs: set[str] = set()
        for t_index, task_spec in enumerate(spec.tasks):
            t_loc: list[str | int] = [*loc, "tasks", t_index]
            lead = task_spec.lead_organisation_id
            if lead is not None and session.get(Organisation, lead) is None:
                raise _field([*t_loc, "lead_organisation_id"], f"no organisation {lead}")
            ref = task_spec.ref or next(c for c in TASK_REFS if c not in refs)
            if ref in refs:
                raise _field([*t_loc, "ref"], "each task of an action has its own ref")
            refs.add(ref)
            task = Task(
                action_id=action.id,
                ref=ref,
                title=task_spec.title,
                lead_organisation_id=task_spec.lead_organisation_id,
                deadline=task_spec.deadline,
            )
            session.add(task)
            session.flush()
            audit.record(session, principal, "create", "task", task.id, after=audit.snapshot(task))


def check_decide(
    session: Session, principal: Principal, meeting: Meeting, quorum: Quorum | None = None
) -> Quorum:
    """An officer records decisions at a scheduled or held meeting that has started and is
    quorate; returns the quorum."""
    require_manage_partnership(session, principal, meeting.partnership_id)
    if meeting.status not in (MeetingStatus.scheduled, MeetingStatus.held):
        raise Conflict(
            f"Meeting {meeting.id} is {meeting.status}: it takes no decisions",
            slug="meeting-not-in-session",
        )
    require_started(meeting, "decisions are recorded")
    return require_quorum(session, meeting, "decided", quorum)


def create_decision(
    session: Session, principal: Principal, meeting_id: int, body: DecisionCreate
) -> DecisionRead:
    meeting = crud.get_row(session, principal, meetings, meeting_id)
    quorum = check_decide(session, principal, meeting)
    if body.agenda_item_id is not None:
        item = session.get(AgendaItem, body.agenda_item_id)
        if item is None or item.meeting_id != meeting_id:
            raise invalid("agenda_item_id", "must be an item on this meeting's agenda")
    subject = _check_expulsion(session, body, meeting.partnership_id)
    result = compute_result(
        body.method, body.votes_for, body.votes_against, body.chair_casting_vote
    )
    voters = body.votes_for + body.votes_against + body.votes_abstain
    if voters > quorum.present_voting:
        raise invalid(
            "votes_for",
            f"{voters} votes recorded but only {quorum.present_voting} voting members present",
        )
    decision = Decision(
        **body.model_dump(exclude={"actions"}), meeting_id=meeting_id, result=result
    )
    session.add(decision)
    session.flush()
    audit.record(
        session, principal, "create", "decision", decision.id, after=audit.snapshot(decision)
    )
    if result == DecisionResult.carried:
        if subject is not None:
            before = audit.snapshot(subject)
            subject.ended_on = max(meeting_day(meeting), subject.started_on)
            subject.end_reason = EndReason.expelled
            session.flush()
            audit.record(
                session,
                principal,
                "update",
                "membership",
                subject.id,
                before=before,
                after=audit.snapshot(subject),
            )
        _create_actions(session, principal, meeting.partnership_id, decision, body.actions)
    return reads(session, [decision])[0]
