"""Meetings: status transitions, the live quorum, agenda order and minutes approval."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, case, func, true
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import audit, clock
from api.core.clock import LONDON
from api.core.errors import Conflict, DomainError, invalid
from api.core.events import emit
from api.core.permissions import partnership_of
from api.core.principal import Principal
from api.crud import service as crud
from api.crud.service import Resource, ResourceRules, WriteAction
from api.meetings.events import (
    MeetingAdjourned,
    MeetingCancelled,
    MeetingChanged,
    MeetingScheduled,
    MinutesApproved,
)
from api.meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Decision,
    DecisionMethod,
    DecisionResult,
    Meeting,
    MeetingStatus,
    Minute,
)
from api.meetings.policy import AgendaItemPolicy, MeetingPolicy, partnership_of_meeting
from api.meetings.schemas import (
    AdjournmentCreate,
    AgendaItemCreate,
    AgendaItemFilters,
    AgendaItemRead,
    AgendaItemUpdate,
    AgendaReorder,
    MeetingCreate,
    MeetingFilters,
    MeetingRead,
    MeetingUpdate,
    MinutesApproval,
    Quorum,
)
from api.partnerships.access import require_manage_partnership
from api.partnerships.models import Membership, Partnership
from api.webhooks import service as webhooks
from api.webhooks.schemas import WebhookEvent


class Inquorate(DomainError):
    status, slug, title = 409, "inquorate", "Meeting is not quorate"


# scheduled -> held / adjourned / cancelled; a cancelled meeting may be reinstated.
TRANSITIONS: dict[MeetingStatus, frozenset[MeetingStatus]] = {
    MeetingStatus.scheduled: frozenset(
        {MeetingStatus.held, MeetingStatus.adjourned, MeetingStatus.cancelled}
    ),
    MeetingStatus.cancelled: frozenset({MeetingStatus.scheduled}),
    MeetingStatus.held: frozenset(),
    MeetingStatus.adjourned: frozenset(),
}


# -- quorum ------------------------------------------------------------------------------------

COUNTS_TOWARDS_QUORUM = (AttendanceStatus.present, AttendanceStatus.substitute)


def quorum_for(
    session: Session, meetings: Sequence[int] | ColumnElement[bool]
) -> dict[int, Quorum]:
    """The quorum of many meetings in one aggregate query: ``meetings`` lists their ids or is
    a condition on Meeting selecting them.

    Present voting members plus substitutes for voting members count; non-voting members
    (officers, thematic representatives on the executive) do not.
    """
    if not isinstance(meetings, ColumnElement):
        if not meetings:
            return {}
        meetings = col(Meeting.id).in_(sorted(set(meetings)))
    counted = case(
        (
            col(Attendance.status).in_(COUNTS_TOWARDS_QUORUM) & (col(Membership.voting) == true()),
            1,
        ),
        else_=0,
    )
    rows = session.execute(
        select(col(Meeting.id), col(Partnership.quorum), func.coalesce(func.sum(counted), 0))
        .join(Partnership, col(Partnership.id) == col(Meeting.partnership_id))
        .outerjoin(Attendance, col(Attendance.meeting_id) == col(Meeting.id))
        .outerjoin(Membership, col(Membership.id) == col(Attendance.membership_id))
        .where(meetings)
        .group_by(col(Meeting.id), col(Partnership.quorum))
    ).all()
    return {
        meeting_id: Quorum(
            required=required, present_voting=int(present), quorate=int(present) >= required
        )
        for meeting_id, required, present in rows
    }


def quorum_of(session: Session, meeting: Meeting) -> Quorum:
    assert meeting.id is not None
    return quorum_for(session, [meeting.id])[meeting.id]


def require_quorum(
    session: Session, meeting: Meeting, doing: str, quorum: Quorum | None = None
) -> Quorum:
    """409 /problems/inquorate unless the meeting is quorate (``quorum``: already counted)."""
    quorum = quorum or quorum_of(session, meeting)
    if not quorum.quorate:
        raise Inquorate(
            f"Meeting {meeting.id} has {quorum.present_voting} voting members present against a "
            f"quorum of {quorum.required}: nothing can be {doing} at an inquorate meeting",
            quorum=quorum.model_dump(),
        )
    return quorum


def to_read(row: Meeting, quorum: Quorum) -> MeetingRead:
    return MeetingRead.model_validate({**crud.column_values(row), "quorum": quorum})


def with_quorum(session: Session, rows: Sequence[Meeting]) -> list[MeetingRead]:
    quorums = quorum_for(session, [r.id for r in rows if r.id is not None])
    return [to_read(r, quorums[r.id]) for r in rows if r.id is not None]


# -- meetings ----------------------------------------------------------------------------------


def _check_adjournment(session: Session, row: Meeting) -> None:
    if row.status != MeetingStatus.adjourned:
        if row.adjourned_to_id is not None:
            raise invalid("adjourned_to_id", "only an adjourned meeting is adjourned to another")
        return
    if row.adjourned_to_id is None:
        raise invalid("adjourned_to_id", "an adjourned meeting names the meeting it resumes at")
    target = session.get(Meeting, row.adjourned_to_id)
    if target is None or target.id == row.id:
        raise invalid("adjourned_to_id", "must be another meeting")
    if target.partnership_id != row.partnership_id:
        raise invalid("adjourned_to_id", "must be a meeting of the same partnership")
    if target.starts_at <= row.starts_at:
        raise invalid("adjourned_to_id", "must start after the adjourned meeting")


def _check_meeting(session: Session, row: Meeting) -> None:
    if row.ends_at is not None and row.ends_at < row.starts_at:
        raise invalid("ends_at", "must not be before starts_at")
    if row.status == MeetingStatus.held and row.starts_at > clock.now():
        raise Conflict(
            "A meeting cannot be recorded as held before it starts", slug="meeting-in-future"
        )
    _check_adjournment(session, row)


def _check_cancellation(row: Meeting, old: MeetingStatus) -> None:
    """Cancelling needs a reason; reinstating a cancelled meeting clears it."""
    if row.status == MeetingStatus.cancelled:
        if old != MeetingStatus.cancelled and not (row.cancellation_reason or "").strip():
            raise invalid("cancellation_reason", "say why the meeting is cancelled")
    elif old == MeetingStatus.cancelled:
        row.cancellation_reason = None
    elif row.cancellation_reason is not None:
        raise invalid("cancellation_reason", "only a cancelled meeting has a cancellation reason")


def _check_meeting_update(session: Session, row: Meeting, previous: dict[str, Any]) -> None:
    old = MeetingStatus(previous["status"])
    if row.status != old and row.status not in TRANSITIONS[old]:
        allowed = ", ".join(sorted(TRANSITIONS[old])) or "none"
        raise Conflict(
            f"A {old} meeting cannot become {row.status} (allowed: {allowed})",
            slug="invalid-transition",
        )
    _check_cancellation(row, old)
    if previous["minutes_approved_at"] is not None and row.minutes != previous["minutes"]:
        raise Conflict(
            "The minutes were approved at a later meeting and can no longer change",
            slug="minutes-approved",
        )
    _check_meeting(session, row)


# Fields whose change is news to the members (a new time or place).
NOTICE_FIELDS = ("starts_at", "ends_at", "location")

MeetingEvent = MeetingScheduled | MeetingChanged | MeetingCancelled | MeetingAdjourned


def meeting_event(row: Meeting, previous: dict[str, Any]) -> MeetingEvent | None:
    """What an update of ``row`` means to its members, if anything: cancelled, adjourned,
    reinstated (scheduled again), or moved (time or place)."""
    assert row.id is not None
    old = MeetingStatus(previous["status"])
    if row.status != old:
        if row.status == MeetingStatus.cancelled:
            return MeetingCancelled(meeting_id=row.id)
        if row.status == MeetingStatus.adjourned and row.adjourned_to_id is not None:
            return MeetingAdjourned(meeting_id=row.id, resumed_meeting_id=row.adjourned_to_id)
        if row.status == MeetingStatus.scheduled:
            return MeetingScheduled(meeting_id=row.id)
        return None
    if row.status == MeetingStatus.scheduled and any(
        getattr(row, name) != previous[name] for name in NOTICE_FIELDS
    ):
        return MeetingChanged(meeting_id=row.id)
    return None


# Events of updates in flight: worked out before the flush (which forgets the old values),
# announced after it, when the row carries its new version.
_PENDING_EVENTS = "meetings.pending_events"


class MeetingRules(ResourceRules[Meeting]):
    """Dates, adjournments and status moves; approved minutes are frozen; a change is
    announced to webhooks and as a meeting event."""

    def before_create(self, session: Session, principal: Principal, row: Meeting) -> None:
        _check_meeting(session, row)

    def before_update(
        self,
        session: Session,
        principal: Principal,
        row: Meeting,
        changes: dict[str, Any],
        previous: dict[str, Any],
    ) -> None:
        _check_meeting_update(session, row, previous)
        event = meeting_event(row, previous)
        if event is not None:
            session.info.setdefault(_PENDING_EVENTS, {})[row.id] = event

    def after_write(
        self, session: Session, principal: Principal, row: Meeting, action: WriteAction
    ) -> None:
        if action == "create" and row.status == MeetingStatus.scheduled:
            assert row.id is not None
            emit(session, MeetingScheduled(meeting_id=row.id))
        if action == "update":
            webhooks.enqueue(session, WebhookEvent.meeting_updated, audit.snapshot(row) or {})
            event = session.info.get(_PENDING_EVENTS, {}).pop(row.id, None)
            if event is not None:
                emit(session, event)


meetings = Resource(
    model=Meeting,
    path="meetings",
    create_schema=MeetingCreate,
    update_schema=MeetingUpdate,
    read_schema=MeetingRead,
    filter_schema=MeetingFilters,
    sortable=("id", "starts_at", "title", "status", "updated_at"),
    default_sort=("starts_at",),
    search=("title", "location"),
    policy=MeetingPolicy(),
    rules=MeetingRules(),
)


def require_started(meeting: Meeting, doing: str) -> None:
    """409 /problems/meeting-not-started before the meeting's start."""
    if meeting.starts_at > clock.now():
        starts_at = meeting.starts_at.astimezone(LONDON).isoformat()
        raise Conflict(
            f"Meeting {meeting.id} starts at {starts_at}: {doing} once it has started",
            slug="meeting-not-started",
            starts_at=starts_at,
        )


def check_status_move(
    session: Session, principal: Principal, meeting: Meeting, to: MeetingStatus
) -> None:
    """Whether ``principal`` may move ``meeting`` to ``to`` (PATCH of its status)."""
    require_manage_partnership(session, principal, meeting.partnership_id)
    if to not in TRANSITIONS[meeting.status]:
        raise Conflict(f"A {meeting.status} meeting cannot become {to}", slug="invalid-transition")
    if to == MeetingStatus.held and meeting.starts_at > clock.now():
        raise Conflict(
            "A meeting cannot be recorded as held before it starts", slug="meeting-in-future"
        )


def check_adjourn(
    session: Session, principal: Principal, meeting: Meeting, quorum: Quorum | None = None
) -> None:
    """An officer adjourns a scheduled meeting that has started and is not quorate."""
    require_manage_partnership(session, principal, meeting.partnership_id)
    if meeting.status != MeetingStatus.scheduled:
        raise Conflict(
            f"Meeting {meeting.id} is {meeting.status}: only a scheduled meeting is adjourned",
            slug="invalid-transition",
        )
    require_started(meeting, "it is adjourned")
    quorum = quorum or quorum_of(session, meeting)
    if quorum.quorate:
        raise Conflict(
            f"Meeting {meeting.id} is quorate ({quorum.present_voting} present, "
            f"{quorum.required} needed): it proceeds rather than adjourns",
            slug="meeting-quorate",
            quorum=quorum.model_dump(),
        )


def adjourn(
    session: Session, principal: Principal, meeting_id: int, body: AdjournmentCreate
) -> tuple[Meeting, Meeting]:
    """Adjourn an inquorate meeting to a resumed meeting created here; the adjournment is
    recorded on both (``adjourned_to_id`` on one, ``adjourned_from_id`` on the other)."""
    meeting = crud.get_row(session, principal, meetings, meeting_id)
    check_adjourn(session, principal, meeting)
    if body.starts_at <= meeting.starts_at:
        raise invalid("starts_at", "the resumed meeting starts after the adjourned one")
    if body.ends_at is not None and body.ends_at < body.starts_at:
        raise invalid("ends_at", "must not be before starts_at")
    reason = body.reason.strip()
    if not reason:
        raise invalid("reason", "say why the meeting is adjourned")
    resumed = Meeting(
        partnership_id=meeting.partnership_id,
        kind=meeting.kind,
        title=body.title or f"{meeting.title} (resumed)"[:200],
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        location=body.location if body.location is not None else meeting.location,
        online_url=body.online_url if body.online_url is not None else meeting.online_url,
        public=meeting.public,
        adjourned_from_id=meeting.id,
        adjournment_reason=reason,
    )
    session.add(resumed)
    session.flush()
    audit.record(session, principal, "create", "meeting", resumed.id, after=audit.snapshot(resumed))
    before = audit.snapshot(meeting)
    meeting.status = MeetingStatus.adjourned
    meeting.adjourned_to_id = resumed.id
    meeting.adjournment_reason = reason
    session.flush()
    audit.record(
        session,
        principal,
        "adjourn",
        "meeting",
        meeting.id,
        before=before,
        after=audit.snapshot(meeting),
    )
    webhooks.enqueue(session, WebhookEvent.meeting_updated, audit.snapshot(meeting) or {})
    assert meeting.id is not None and resumed.id is not None
    emit(session, MeetingScheduled(meeting_id=resumed.id))
    emit(session, MeetingAdjourned(meeting_id=meeting.id, resumed_meeting_id=resumed.id))
    return meeting, resumed


def with_written_minutes(session: Session, meeting_ids: Sequence[int]) -> set[int]:
    """Which of the meetings have a minute written for some agenda item (one query)."""
    if not meeting_ids:
        return set()
    return set(
        session.scalars(
            select(Minute.meeting_id)
            .where(
                col(Minute.meeting_id).in_(sorted(set(meeting_ids))),
                func.length(func.trim(Minute.text)) > 0,
            )
            .distinct()
        )
    )


def has_minutes(session: Session, meeting: Meeting, written: bool | None = None) -> bool:
    """Minutes to approve: the meeting's own text, or a minute of an agenda item."""
    if (meeting.minutes or "").strip():
        return True
    if written is not None:
        return written
    assert meeting.id is not None
    return meeting.id in with_written_minutes(session, [meeting.id])


def require_minutes_open(meeting: Meeting) -> None:
    if meeting.minutes_approved_at is not None:
        raise Conflict(
            "The minutes were approved at a later meeting and can no longer change",
            slug="minutes-approved",
        )


def check_write_minutes(session: Session, principal: Principal, meeting: Meeting) -> None:
    require_manage_partnership(session, principal, meeting.partnership_id)
    if meeting.status == MeetingStatus.cancelled:
        raise Conflict(f"Meeting {meeting.id} was cancelled", slug="meeting-cancelled")
    require_minutes_open(meeting)


def check_approve_minutes(
    session: Session, principal: Principal, meeting: Meeting, written: bool | None = None
) -> None:
    """What the meeting itself needs before a later meeting can approve its minutes."""
    require_manage_partnership(session, principal, meeting.partnership_id)
    require_minutes_open(meeting)
    if not has_minutes(session, meeting, written):
        raise Conflict("The meeting has no minutes to approve", slug="no-minutes")


def approve_minutes(
    session: Session, principal: Principal, meeting_id: int, body: MinutesApproval
) -> MeetingRead:
    """Minutes are approved as a true record by a decision of a later, quorate meeting of
    the partnership ("minutes of the last meeting agreed")."""
    meeting = crud.get_row(session, principal, meetings, meeting_id)
    require_manage_partnership(session, principal, meeting.partnership_id)
    approving = crud.get_row(session, principal, meetings, body.approved_by_meeting_id)
    check_approve_minutes(session, principal, meeting)
    if approving.partnership_id != meeting.partnership_id:
        raise invalid("approved_by_meeting_id", "must be a meeting of the same partnership")
    if approving.starts_at <= meeting.starts_at:
        raise invalid("approved_by_meeting_id", "must be a later meeting")
    if body.agenda_item_id is not None:
        item = session.get(AgendaItem, body.agenda_item_id)
        if item is None or item.meeting_id != approving.id:
            raise invalid("agenda_item_id", "must be an item on the approving meeting's agenda")
    if approving.status not in (MeetingStatus.held, MeetingStatus.scheduled) or (
        approving.starts_at > clock.now()
    ):
        raise Conflict(
            f"Meeting {approving.id} is {approving.status} and has not started: minutes are "
            "approved at a meeting that takes place",
            slug="meeting-not-in-session",
        )
    require_quorum(session, approving, "approved")
    assert approving.id is not None
    local = meeting.starts_at.astimezone(LONDON)
    day = f"{local.day} {local:%B %Y}"
    decision = Decision(
        meeting_id=approving.id,
        agenda_item_id=body.agenda_item_id,
        text=f"The minutes of the meeting of {day} ({meeting.title}) were agreed as a true record.",
        method=DecisionMethod.consensus,
        result=DecisionResult.carried,
        approves_minutes_of_id=meeting.id,
    )
    session.add(decision)
    session.flush()
    audit.record(
        session, principal, "create", "decision", decision.id, after=audit.snapshot(decision)
    )
    before = audit.snapshot(meeting)
    meeting.minutes_approved_by_meeting_id = approving.id
    meeting.minutes_approved_at = approving.starts_at
    session.flush()
    audit.record(
        session,
        principal,
        "approve_minutes",
        "meeting",
        meeting.id,
        before=before,
        after=audit.snapshot(meeting),
    )
    assert meeting.id is not None
    emit(session, MinutesApproved(meeting_id=meeting.id))
    return to_read(meeting, quorum_of(session, meeting))


# -- agenda ------------------------------------------------------------------------------------


def _check_paper(session: Session, row: AgendaItem) -> None:
    """A paper on the agenda is one of the meeting's partnership's papers, or of none."""
    if row.report_id is None:
        return
    owner = partnership_of(
        session, AgendaItem, ("report_id", "partnership_id"), {"report_id": row.report_id}
    )
    if owner is not None and owner != partnership_of_meeting(session, row.meeting_id):
        raise invalid("report_id", "must be a paper of the meeting's partnership")


class AgendaItemRules(ResourceRules[AgendaItem]):
    def before_create(self, session: Session, principal: Principal, row: AgendaItem) -> None:
        """The paper is checked; position 0 appends the item to the end of the agenda."""
        _check_paper(session, row)
        if row.position == 0:
            last = session.scalar(
                select(func.max(AgendaItem.position)).where(
                    col(AgendaItem.meeting_id) == row.meeting_id
                )
            )
            row.position = (last or 0) + 1

    def before_update(
        self,
        session: Session,
        principal: Principal,
        row: AgendaItem,
        changes: dict[str, Any],
        previous: dict[str, Any],
    ) -> None:
        _check_paper(session, row)


agenda_items = Resource(
    model=AgendaItem,
    path="agenda-items",
    create_schema=AgendaItemCreate,
    update_schema=AgendaItemUpdate,
    read_schema=AgendaItemRead,
    filter_schema=AgendaItemFilters,
    sortable=("id", "position", "meeting_id"),
    default_sort=("meeting_id", "position"),
    policy=AgendaItemPolicy(),
    rules=AgendaItemRules(),
)


def reorder_agenda(
    session: Session, principal: Principal, meeting_id: int, body: AgendaReorder
) -> list[AgendaItem]:
    """Number the meeting's agenda items 1..n in the order given (every item, once)."""
    meeting = crud.get_row(session, principal, meetings, meeting_id)
    require_manage_partnership(session, principal, meeting.partnership_id)
    items = {
        item.id: item
        for item in session.scalars(
            select(AgendaItem).where(col(AgendaItem.meeting_id) == meeting_id)
        )
    }
    if len(body.item_ids) != len(set(body.item_ids)) or set(body.item_ids) != set(items):
        raise invalid(
            "item_ids",
            f"list every agenda item of meeting {meeting_id} exactly once: "
            f"{sorted(i for i in items if i is not None)}",
        )
    before = {str(i): item.position for i, item in items.items()}
    for position, item_id in enumerate(body.item_ids, start=1):
        if items[item_id].position != position:
            items[item_id].position = position
    session.flush()
    after = {str(i): item.position for i, item in items.items()}
    if after != before:
        audit.record(
            session,
            principal,
            "reorder_agenda",
            "meeting",
            meeting_id,
            before={"positions": before},
            after={"positions": after},
        )
    return [items[i] for i in body.item_ids]
