"""What the caller may do with meetings, computed by the very checks that guard each write:
an action is allowed when its check raises nothing, so the screen and the API cannot disagree.
The facts the checks need (quorum, written minutes, the caller's memberships) are gathered
once per page, so a list costs the same few queries whatever its length.
"""

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core.errors import DomainError
from api.core.principal import Principal
from api.meetings import attendance, decisions
from api.meetings import service as meetings_service
from api.meetings.models import AttendanceStatus, Meeting, MeetingStatus
from api.meetings.schemas import Quorum
from api.partnerships.models import Membership


def _allowed(check: Callable[[], object]) -> bool:
    try:
        check()
    except DomainError:
        return False
    return True


def _own_memberships(
    session: Session, principal: Principal, meetings: Sequence[Meeting]
) -> list[Membership]:
    if principal.person_id is None or not meetings:
        return []
    return list(
        session.scalars(
            select(Membership)
            .where(
                col(Membership.person_id) == principal.person_id,
                col(Membership.partnership_id).in_({m.partnership_id for m in meetings}),
            )
            .order_by(col(Membership.id))
        )
    )


def own_membership(memberships: Sequence[Membership], meeting: Meeting) -> Membership | None:
    """The caller's membership of the meeting's partnership, open on the meeting's day."""
    day = attendance.meeting_day(meeting)
    for m in memberships:
        if (
            m.partnership_id == meeting.partnership_id
            and m.started_on <= day
            and (m.ended_on is None or m.ended_on >= day)
        ):
            return m
    return None


def meeting_cans(
    session: Session,
    principal: Principal,
    meetings: Sequence[Meeting],
    quorums: dict[int, Quorum],
) -> dict[int, dict[str, bool]]:
    """The meeting-cycle fields of ``MeetingCan`` for each meeting (``update``/``delete`` come
    from the policy)."""
    ids = [m.id for m in meetings if m.id is not None]
    written = meetings_service.with_written_minutes(session, ids)
    mine = _own_memberships(session, principal, meetings)
    return {
        meeting.id: _can(
            session,
            principal,
            meeting,
            quorums[meeting.id],
            meeting.id in written,
            own_membership(mine, meeting),
        )
        for meeting in meetings
        if meeting.id is not None
    }


def _can(
    session: Session,
    principal: Principal,
    meeting: Meeting,
    quorum: Quorum,
    written: bool,
    mine: Membership | None,
) -> dict[str, Any]:
    def status_move(to: MeetingStatus) -> Callable[[], None]:
        return lambda: meetings_service.check_status_move(session, principal, meeting, to)

    def send_apologies() -> None:
        if mine is None:
            raise DomainError("not a member of the partnership on the day")
        attendance.check_record(session, principal, meeting, mine, AttendanceStatus.apologies)

    return {
        "cancel": _allowed(status_move(MeetingStatus.cancelled)),
        "reinstate": _allowed(status_move(MeetingStatus.scheduled)),
        "mark_held": _allowed(status_move(MeetingStatus.held)),
        "adjourn": _allowed(
            lambda: meetings_service.check_adjourn(session, principal, meeting, quorum)
        ),
        "record_attendance": _allowed(
            lambda: attendance.check_record(session, principal, meeting, None, None)
        ),
        "send_apologies": _allowed(send_apologies),
        "decide": _allowed(lambda: decisions.check_decide(session, principal, meeting, quorum)),
        "write_minutes": _allowed(
            lambda: meetings_service.check_write_minutes(session, principal, meeting)
        ),
        "approve_minutes": _allowed(
            lambda: meetings_service.check_approve_minutes(session, principal, meeting, written)
        ),
    }
