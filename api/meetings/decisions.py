"""Decisions: the service, not the caller, decides whether a motion was carried.

Rules (DESIGN §3): consensus, else a simple majority of those voting with the chair's casting
vote on a tie; expulsion by two-thirds of those present and voting, the member having been
heard; nothing is carried at an inquorate meeting.
"""

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import audit, clock
from api.core.clock import LONDON
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
    MeetingStatus,
)
from api.meetings.schemas import DecisionActionCreate, DecisionCreate, DecisionRead
from api.meetings.service import meetings, require_quorum
from api.partnerships.access import require_manage_partnership
from api.partnerships.models import EndReason, Membership
from api.plans.models import Action, ActionPlan
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


def _action_ids(session: Session, decision_ids: Sequence[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    if decision_ids:
        rows = session.execute(
            select(Action.decision_id, Action.id)
            .where(col(Action.decision_id).in_(decision_ids))
            .order_by(col(Action.id))
        )
        for decision_id, action_id in rows:
            found[decision_id].append(action_id)
    return found


def _reads(session: Session, rows: Sequence[Decision]) -> list[DecisionRead]:
    actions = _action_ids(session, [r.id for r in rows if r.id is not None])
    return [
        DecisionRead.model_validate(
            {**crud.column_values(r), "action_ids": actions.get(r.id or 0, [])}
        )
        for r in rows
    ]


def list_decisions(
    session: Session, principal: Principal, meeting_id: int, page: PageParams
) -> tuple[list[DecisionRead], int]:
    crud.get_row(session, principal, meetings, meeting_id)
    stmt = select(Decision).where(col(Decision.meeting_id) == meeting_id).order_by(col(Decision.id))
    rows, total = paginate(session, stmt, page)
    return _reads(session, rows), total


def get_decision(
    session: Session, principal: Principal, meeting_id: int, decision_id: int
) -> DecisionRead:
    crud.get_row(session, principal, meetings, meeting_id)
    row = session.get(Decision, decision_id)
    if row is None or row.meeting_id != meeting_id:
        raise NotFound(f"No decision {decision_id} at meeting {meeting_id}")
    return _reads(session, [row])[0]


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


def _create_actions(
    session: Session,
    principal: Principal,
    partnership_id: int,
    decision: Decision,
    wanted: list[DecisionActionCreate],
) -> None:
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
        data = {**spec.model_dump(), "action_plan_id": plan_id, "decision_id": decision.id}
        try:
            check_references(session, Action, data)
        except Unprocessable as exc:
            raise Unprocessable(
                f"actions.{index}: {exc.detail}",
                errors=[field_error([*loc, "outcome_id"], exc.detail)],
            ) from exc
        check_action_outcome(session, plan_id, spec.outcome_id, [*loc, "outcome_id"])
        clash = session.scalar(
            select(Action.id).where(
                col(Action.action_plan_id) == plan_id,
                col(Action.outcome_id) == spec.outcome_id,
                col(Action.ref) == spec.ref,
            )
        )
        if clash is not None:
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


def create_decision(
    session: Session, principal: Principal, meeting_id: int, body: DecisionCreate
) -> DecisionRead:
    meeting = crud.get_row(session, principal, meetings, meeting_id)
    require_manage_partnership(session, principal, meeting.partnership_id)
    if meeting.status not in (MeetingStatus.scheduled, MeetingStatus.held):
        raise Conflict(
            f"Meeting {meeting_id} is {meeting.status}: it takes no decisions",
            slug="meeting-not-in-session",
        )
    if meeting.starts_at > clock.now():
        starts_at = meeting.starts_at.astimezone(LONDON).isoformat()
        raise Conflict(
            f"Meeting {meeting_id} starts at {starts_at}: decisions are recorded once it has "
            "started",
            slug="meeting-not-started",
            starts_at=starts_at,
        )
    if body.agenda_item_id is not None:
        item = session.get(AgendaItem, body.agenda_item_id)
        if item is None or item.meeting_id != meeting_id:
            raise invalid("agenda_item_id", "must be an item on this meeting's agenda")
    subject = _check_expulsion(session, body, meeting.partnership_id)
    result = compute_result(
        body.method, body.votes_for, body.votes_against, body.chair_casting_vote
    )
    quorum = require_quorum(session, meeting, "decided")
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
    return _reads(session, [decision])[0]
