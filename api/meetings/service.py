"""Meetings: status transitions, the live quorum, agenda order and minutes approval."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, func, true
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import audit, clock
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
from api.meetings.models import AgendaItem, Attendance, AttendanceStatus, Meeting, MeetingStatus
from api.meetings.policy import AgendaItemPolicy, MeetingPolicy, partnership_of_meeting
from api.meetings.schemas import (
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


def quorum_for(session: Session, meeting_ids: Sequence[int]) -> dict[int, Quorum]:
    """The quorum of many meetings in one aggregate query.

    Present voting members plus substitutes for voting members count; non-voting members
    (officers, thematic representatives on the executive) do not.
    """
    if not meeting_ids:
        return {}
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
        .where(col(Meeting.id).in_(sorted(set(meeting_ids))))
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


def require_quorum(session: Session, meeting: Meeting, doing: str) -> Quorum:
    """409 /problems/inquorate unless the meeting is quorate."""
    quorum = quorum_of(session, meeting)
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


def _check_meeting_update(session: Session, row: Meeting, previous: dict[str, Any]) -> None:
    old = MeetingStatus(previous["status"])
    if row.status != old and row.status not in TRANSITIONS[old]:
        allowed = ", ".join(sorted(TRANSITIONS[old])) or "none"
        raise Conflict(
            f"A {old} meeting cannot become {row.status} (allowed: {allowed})",
            slug="invalid-transition",
        )
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


def approve_minutes(
    session: Session, principal: Principal, meeting_id: int, body: MinutesApproval
) -> MeetingRead:
    """Minutes are approved as a true record at a later, quorate meeting of the partnership."""
    meeting = crud.get_row(session, principal, meetings, meeting_id)
    require_manage_partnership(session, principal, meeting.partnership_id)
    approving = crud.get_row(session, principal, meetings, body.approved_by_meeting_id)
    if approving.partnership_id != meeting.partnership_id:
        raise invalid("approved_by_meeting_id", "must be a meeting of the same partnership")
    if approving.starts_at <= meeting.starts_at:
        raise invalid("approved_by_meeting_id", "must be a later meeting")
    if not meeting.minutes:
        raise Conflict("The meeting has no minutes to approve", slug="no-minutes")
    if meeting.minutes_approved_at is not None:
        raise Conflict("The minutes are already approved", slug="minutes-approved")
    if approving.status not in (MeetingStatus.held, MeetingStatus.scheduled) or (
        approving.starts_at > clock.now()
    ):
        raise Conflict(
            f"Meeting {approving.id} is {approving.status} and has not started: minutes are "
            "approved at a meeting that takes place",
            slug="meeting-not-in-session",
        )
    require_quorum(session, approving, "approved")
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
