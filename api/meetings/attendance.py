"""Attendance per membership: officers record it; members send their own apologies and
nominate a substitute for meetings still to come."""

from datetime import date

from sqlalchemy import func
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import audit, clock
from api.core.clock import LONDON
from api.core.errors import Conflict, Forbidden, NotFound, invalid
from api.core.pagination import PageParams
from api.core.principal import Principal, Scope
from api.crud import service as crud
from api.crud.service import check_version
from api.meetings.models import Attendance, AttendanceStatus, Meeting, MeetingStatus
from api.meetings.schemas import AttendanceRead, AttendanceRecord
from api.meetings.service import meetings
from api.partnerships.access import can_manage_partnership, require_manage_partnership
from api.partnerships.models import Membership
from api.people.models import Person

# What a member may record for themselves, before the meeting.
SELF_SERVICE = frozenset({AttendanceStatus.apologies, AttendanceStatus.substitute})


def meeting_day(meeting: Meeting) -> date:
    return meeting.starts_at.astimezone(LONDON).date()


def _read(row: Attendance, membership: Membership) -> AttendanceRead:
    return AttendanceRead.model_validate(
        {
            **crud.column_values(row),
            "person_id": membership.person_id,
            "role": membership.role,
            "voting": membership.voting,
        }
    )


def list_attendance(
    session: Session, principal: Principal, meeting_id: int, page: PageParams
) -> tuple[list[AttendanceRead], int]:
    """The meeting's attendance register with each member's role and vote (two queries)."""
    crud.get_row(session, principal, meetings, meeting_id)
    where = col(Attendance.meeting_id) == meeting_id
    total = session.scalar(select(func.count()).select_from(Attendance).where(where)) or 0
    rows = session.execute(
        select(Attendance, Membership)
        .join(Membership, col(Membership.id) == col(Attendance.membership_id))
        .where(where)
        .order_by(col(Attendance.membership_id), col(Attendance.id))
        .limit(page.limit)
        .offset(page.offset)
    ).all()
    return [_read(a, m) for a, m in rows], total


def _meeting_and_membership(
    session: Session, principal: Principal, meeting_id: int, membership_id: int
) -> tuple[Meeting, Membership]:
    meeting = crud.get_row(session, principal, meetings, meeting_id)
    membership = session.get(Membership, membership_id)
    if membership is None or membership.partnership_id != meeting.partnership_id:
        raise NotFound(
            f"No membership {membership_id} of partnership {meeting.partnership_id}, "
            f"which meeting {meeting_id} belongs to"
        )
    return meeting, membership


def _authorize(
    session: Session,
    principal: Principal,
    meeting: Meeting,
    membership: Membership,
    status: AttendanceStatus | None,
) -> None:
    """Officers record anything; a member only their own apologies, before the meeting."""
    if can_manage_partnership(session, principal, meeting.partnership_id):
        return
    own = principal.person_id is not None and principal.person_id == membership.person_id
    if not own:
        require_manage_partnership(session, principal, meeting.partnership_id)
    if not principal.has_scope(Scope.write_status):
        raise Forbidden(f"This credential lacks the '{Scope.write_status}' scope")
    if status is not None and status not in SELF_SERVICE:
        raise Forbidden("Members record their own apologies or substitute; officers the rest")
    if meeting.status != MeetingStatus.scheduled or meeting.starts_at <= clock.now():
        raise Forbidden("Apologies are sent before the meeting; ask an officer to correct them")


def represented_organisation(session: Session, membership: Membership) -> int | None:
    """The organisation a member represents: the membership's ``on_behalf_of``, else the
    member's employer."""
    if membership.on_behalf_of_id is not None:
        return membership.on_behalf_of_id
    return session.scalar(
        select(Person.organisation_id).where(col(Person.id) == membership.person_id)
    )


def _check_substitute(
    session: Session, meeting: Meeting, membership: Membership, body: AttendanceRecord
) -> None:
    if body.status != AttendanceStatus.substitute:
        if body.substitute_person_id is not None:
            raise invalid("substitute_person_id", "only a substitute attendance names one")
        return
    if body.substitute_person_id is None:
        raise invalid("substitute_person_id", "name the person attending as substitute")
    substitute = session.get(Person, body.substitute_person_id)
    if substitute is None:
        raise invalid("substitute_person_id", f"no person with id {body.substitute_person_id}")
    if body.substitute_person_id == membership.person_id:
        raise invalid("substitute_person_id", "a member cannot substitute for themselves")
    represented = represented_organisation(session, membership)
    if represented is None:
        raise invalid(
            "substitute_person_id", "the member represents no organisation, so has no substitute"
        )
    if substitute.organisation_id != represented:
        raise invalid(
            "substitute_person_id",
            f"must work for organisation {represented}, which the member represents",
        )
    day = meeting_day(meeting)
    sits = session.scalar(
        select(Membership.id).where(
            col(Membership.person_id) == body.substitute_person_id,
            col(Membership.partnership_id) == meeting.partnership_id,
            col(Membership.started_on) <= day,
            col(Membership.ended_on).is_(None) | (col(Membership.ended_on) >= day),
        )
    )
    if sits is not None:
        raise invalid("substitute_person_id", "this person is a member in their own right")


def record_attendance(
    session: Session,
    principal: Principal,
    meeting_id: int,
    membership_id: int,
    body: AttendanceRecord,
    expected_version: int | None,
) -> tuple[AttendanceRead, bool]:
    """Create or replace one member's attendance; returns it and whether it was created."""
    meeting, membership = _meeting_and_membership(session, principal, meeting_id, membership_id)
    _authorize(session, principal, meeting, membership, body.status)
    if meeting.status == MeetingStatus.cancelled:
        raise Conflict(f"Meeting {meeting_id} was cancelled", slug="meeting-cancelled")
    day = meeting_day(meeting)
    if membership.started_on > day or (
        membership.ended_on is not None and membership.ended_on < day
    ):
        raise Conflict(
            f"Membership {membership_id} was not open on {day.isoformat()}",
            slug="membership-not-open",
        )
    _check_substitute(session, meeting, membership, body)
    row = session.scalar(
        select(Attendance).where(
            col(Attendance.meeting_id) == meeting_id,
            col(Attendance.membership_id) == membership_id,
        )
    )
    created = row is None
    if row is None:
        row = Attendance(meeting_id=meeting_id, membership_id=membership_id, status=body.status)
        session.add(row)
        before = None
    else:
        check_version(row, expected_version)
        before = audit.snapshot(row)
    row.status = body.status
    row.substitute_person_id = body.substitute_person_id
    row.note = body.note
    if created or session.is_modified(row):
        session.flush()
        audit.record(
            session,
            principal,
            "create" if created else "update",
            "attendance",
            row.id,
            before=before,
            after=audit.snapshot(row),
        )
    return _read(row, membership), created


def delete_attendance(
    session: Session,
    principal: Principal,
    meeting_id: int,
    membership_id: int,
    expected_version: int | None,
) -> None:
    meeting, membership = _meeting_and_membership(session, principal, meeting_id, membership_id)
    _authorize(session, principal, meeting, membership, None)
    row = session.scalar(
        select(Attendance).where(
            col(Attendance.meeting_id) == meeting_id,
            col(Attendance.membership_id) == membership_id,
        )
    )
    if row is None:
        raise NotFound(f"No attendance of membership {membership_id} at meeting {meeting_id}")
    check_version(row, expected_version)
    before = audit.snapshot(row)
    session.delete(row)
    session.flush()
    audit.record(session, principal, "delete", "attendance", row.id, before=before)
