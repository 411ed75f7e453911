"""Attendance per membership: officers record it; members send their own apologies and
nominate a substitute for meetings still to come."""

from collections.abc import Sequence
from datetime import date, datetime, time

from sqlalchemy import func
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import audit, clock
from api.core.calendar import add_months
from api.core.clock import LONDON
from api.core.errors import Conflict, Forbidden, NotFound, invalid
from api.core.pagination import PageParams
from api.core.principal import Principal, Scope
from api.crud import service as crud
from api.crud.service import check_version
from api.meetings.models import Attendance, AttendanceStatus, Meeting, MeetingStatus
from api.meetings.schemas import (
    AttendanceRead,
    AttendanceRecord,
    Reinstatement,
    SubstitutionLimit,
)
from api.meetings.service import meetings
from api.partnerships import service as partnership_service
from api.partnerships.access import (
    can_manage_partnership,
    require_manage_partnership,
)
from api.partnerships.models import EndReason, Membership, Partnership
from api.people.models import Person

# What a member may record for themselves, before the meeting.
SELF_SERVICE = frozenset({AttendanceStatus.apologies, AttendanceStatus.substitute})


def meeting_day(meeting: Meeting) -> date:
    return meeting.starts_at.astimezone(LONDON).date()


def _read(row: Attendance, membership: Membership, ended: bool = False) -> AttendanceRead:
    return AttendanceRead.model_validate(
        {
            **crud.column_values(row),
            "person_id": membership.person_id,
            "role": membership.role,
            "voting": membership.voting,
            "ended_membership": ended,
        }
    )


# -- the substitution limit ----------------------------------------------------------------------


def substitutions_before(
    session: Session, meeting: Meeting, membership_ids: Sequence[int]
) -> dict[int, int]:
    """Substitutes each membership sent in the twelve months to ``meeting``'s day (cancelled
    meetings and ``meeting`` itself not counted)."""
    if not membership_ids:
        return {}
    day = meeting_day(meeting)
    since = datetime.combine(add_months(day, -12), time.max, tzinfo=LONDON)
    until = datetime.combine(day, time.max, tzinfo=LONDON)
    rows = session.execute(
        select(col(Attendance.membership_id), func.count())
        .join(Meeting, col(Meeting.id) == col(Attendance.meeting_id))
        .where(
            col(Attendance.membership_id).in_(sorted(set(membership_ids))),
            col(Attendance.status) == AttendanceStatus.substitute,
            col(Meeting.id) != meeting.id,
            col(Meeting.status) != MeetingStatus.cancelled,
            col(Meeting.starts_at) > since,
            col(Meeting.starts_at) <= until,
        )
        .group_by(col(Attendance.membership_id))
    ).all()
    counts = dict.fromkeys(membership_ids, 0)
    counts.update({membership_id: int(n) for membership_id, n in rows})
    return counts


def substitution_limits(
    session: Session, principal: Principal, meeting_id: int
) -> list[SubstitutionLimit]:
    """For each member of the meeting's partnership open on its day: how many substitutes
    they sent in the year to it, and whether one more here ends their membership."""
    meeting = crud.get_row(session, principal, meetings, meeting_id)
    limit = session.scalar(
        select(Partnership.max_substitutions_per_year).where(
            col(Partnership.id) == meeting.partnership_id
        )
    )
    assert limit is not None
    day = meeting_day(meeting)
    membership_ids = session.scalars(
        select(Membership.id)
        .where(
            col(Membership.partnership_id) == meeting.partnership_id,
            col(Membership.started_on) <= day,
            col(Membership.ended_on).is_(None) | (col(Membership.ended_on) >= day),
        )
        .order_by(col(Membership.id))
    ).all()
    current = dict(
        session.execute(
            select(col(Attendance.membership_id), col(Attendance.status)).where(
                col(Attendance.meeting_id) == meeting_id
            )
        ).all()
    )
    counts = substitutions_before(session, meeting, [m for m in membership_ids if m is not None])
    return [
        SubstitutionLimit(
            membership_id=membership_id,
            substitutions=n,
            limit=limit,
            ends_membership=n + 1 > limit and current.get(membership_id) != "substitute",
        )
        for membership_id, n in counts.items()
    ]


def _end_at_substitution_limit(
    session: Session, principal: Principal, meeting: Meeting, membership: Membership
) -> bool:
    """A member who sends a substitute more times in a year than the terms of reference allow
    ceases to be a member, on the day of the meeting that goes over the limit."""
    assert membership.id is not None
    limit = session.scalar(
        select(Partnership.max_substitutions_per_year).where(
            col(Partnership.id) == meeting.partnership_id
        )
    )
    assert limit is not None
    if substitutions_before(session, meeting, [membership.id])[membership.id] + 1 <= limit:
        return False
    before = audit.snapshot(membership)
    membership.ended_on = max(meeting_day(meeting), membership.started_on)
    membership.end_reason = EndReason.substitution_limit
    session.flush()
    audit.record(
        session,
        principal,
        "end_at_substitution_limit",
        "membership",
        membership.id,
        before=before,
        after=audit.snapshot(membership),
    )
    return True


def reinstate(
    session: Session, principal: Principal, membership_id: int, body: Reinstatement
) -> Membership:
    """An officer reinstates a membership the substitution limit ended, giving a reason."""
    membership = crud.get_row(session, principal, partnership_service.memberships, membership_id)
    require_manage_partnership(session, principal, membership.partnership_id)
    if membership.end_reason != EndReason.substitution_limit:
        raise Conflict(
            f"Membership {membership_id} was not ended by the substitution limit",
            slug="not-ended-by-substitution-limit",
        )
    reason = body.reason.strip()
    if not reason:
        raise invalid("reason", "say why the member is reinstated")
    clash = session.scalar(
        select(Membership.id).where(
            col(Membership.person_id) == membership.person_id,
            col(Membership.partnership_id) == membership.partnership_id,
            col(Membership.ended_on).is_(None),
        )
    )
    if clash is not None:
        raise Conflict(
            f"The person already holds membership {clash} of this partnership", slug="duplicate"
        )
    before = audit.snapshot(membership)
    membership.ended_on = None
    membership.end_reason = None
    session.flush()
    audit.record(
        session,
        principal,
        "reinstate",
        "membership",
        membership.id,
        before=before,
        after={**(audit.snapshot(membership) or {}), "reinstatement_reason": reason},
    )
    return membership


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


def check_record(
    session: Session,
    principal: Principal,
    meeting: Meeting,
    membership: Membership | None,
    status: AttendanceStatus | None,
) -> None:
    """Whether ``principal`` may record ``status`` for ``membership`` (None: anyone's, as an
    officer) at ``meeting``."""
    if membership is None:
        require_manage_partnership(session, principal, meeting.partnership_id)
    else:
        _authorize(session, principal, meeting, membership, status)
    if meeting.status == MeetingStatus.cancelled:
        raise Conflict(f"Meeting {meeting.id} was cancelled", slug="meeting-cancelled")
    if membership is None:
        return
    day = meeting_day(meeting)
    if membership.started_on > day or (
        membership.ended_on is not None and membership.ended_on < day
    ):
        raise Conflict(
            f"Membership {membership.id} was not open on {day.isoformat()}",
            slug="membership-not-open",
        )


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
    check_record(session, principal, meeting, membership, body.status)
    _check_substitute(session, meeting, membership, body)
    row = session.scalar(
        select(Attendance).where(
            col(Attendance.meeting_id) == meeting_id,
            col(Attendance.membership_id) == membership_id,
        )
    )
    created = row is None
    was_substitute = row is not None and row.status == AttendanceStatus.substitute
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
    ended = False
    if body.status == AttendanceStatus.substitute and not was_substitute:
        ended = _end_at_substitution_limit(session, principal, meeting, membership)
    return _read(row, membership, ended), created


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
