"""What the caller may do with a meeting, computed by the very checks that guard each write:
an action is allowed when its check raises nothing, so the screen and the API cannot disagree.
"""

from collections.abc import Callable

from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core.errors import DomainError
from api.core.principal import Principal
from api.meetings import attendance, decisions
from api.meetings import service as meetings_service
from api.meetings.models import AttendanceStatus, Meeting, MeetingStatus
from api.meetings.schemas import MeetingCan
from api.partnerships.models import Membership


def _allowed(check: Callable[[], object]) -> bool:
    try:
        check()
    except DomainError:
        return False
    return True


def own_membership(session: Session, principal: Principal, meeting: Meeting) -> Membership | None:
    """The caller's membership of the meeting's partnership, open on the meeting's day."""
    if principal.person_id is None:
        return None
    day = attendance.meeting_day(meeting)
    return session.scalar(
        select(Membership)
        .where(
            col(Membership.person_id) == principal.person_id,
            col(Membership.partnership_id) == meeting.partnership_id,
            col(Membership.started_on) <= day,
            col(Membership.ended_on).is_(None) | (col(Membership.ended_on) >= day),
        )
        .order_by(col(Membership.id))
        .limit(1)
    )


def meeting_can(session: Session, principal: Principal, meeting: Meeting) -> MeetingCan:
    policy = meetings_service.meetings.policy
    mine = own_membership(session, principal, meeting)

    def status_move(to: MeetingStatus) -> Callable[[], None]:
        return lambda: meetings_service.check_status_move(session, principal, meeting, to)

    def send_apologies() -> None:
        if mine is None:
            raise DomainError("not a member")
        attendance.check_record(session, principal, meeting, mine, AttendanceStatus.apologies)

    return MeetingCan(
        update=_allowed(lambda: policy.authorize_update(session, principal, meeting, {})),
        cancel=_allowed(status_move(MeetingStatus.cancelled)),
        reinstate=_allowed(status_move(MeetingStatus.scheduled)),
        mark_held=_allowed(status_move(MeetingStatus.held)),
        adjourn=_allowed(lambda: meetings_service.check_adjourn(session, principal, meeting)),
        record_attendance=_allowed(
            lambda: attendance.check_record(session, principal, meeting, None, None)
        ),
        send_apologies=_allowed(send_apologies),
        own_membership_id=mine.id if mine is not None else None,
        decide=_allowed(lambda: decisions.check_decide(session, principal, meeting)),
        write_minutes=_allowed(
            lambda: meetings_service.check_write_minutes(session, principal, meeting)
        ),
        approve_minutes=_allowed(
            lambda: meetings_service.check_approve_minutes(session, principal, meeting)
        ),
    )
