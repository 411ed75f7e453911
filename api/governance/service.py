"""Governance checks (DESIGN §3): computed from the terms of reference, never stored.

All partnerships are checked with a fixed number of queries (no per-row queries): one each for
partnerships, open memberships, meetings in the look-back window with their quorum, attendance
at those meetings, and the last meeting held.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.auth.models import Role
from api.auth.principal import Principal
from api.core import clock
from api.core.calendar import add_months
from api.core.clock import LONDON
from api.crud import service as crud
from api.crud.policy import require_role
from api.governance.schemas import Finding, GovernanceReport, Rule
from api.meetings.models import Attendance, AttendanceStatus, Meeting, MeetingStatus
from api.meetings.service import quorum_for
from api.organisations.models import Organisation, Sector
from api.partnerships.models import (
    Membership,
    MembershipRole,
    Partnership,
    PartnershipStatus,
)
from api.partnerships.service import open_on, partnerships
from api.people.models import Person

ATTENDED = (AttendanceStatus.present, AttendanceStatus.substitute)


def _day(meeting: Meeting) -> date:
    return meeting.starts_at.astimezone(LONDON).date()


def _open_on_day(membership: Membership, day: date) -> bool:
    return membership.started_on <= day and (
        membership.ended_on is None or membership.ended_on >= day
    )


def check(session: Session, rows: list[Partnership], today: date) -> GovernanceReport:
    window_start = add_months(today, -12)
    active = [p for p in rows if p.status == PartnershipStatus.active]
    ids = [p.id for p in active if p.id is not None]
    by_id = {p.id: p for p in active}
    findings: list[Finding] = []

    members = session.execute(
        select(Membership, Person.name, Organisation.sector)
        .join(Person, col(Person.id) == col(Membership.person_id))
        .outerjoin(Organisation, col(Organisation.id) == col(Membership.on_behalf_of_id))
        .where(col(Membership.partnership_id).in_(ids), open_on(today))
        .order_by(col(Membership.partnership_id), col(Membership.id))
    ).all()
    held = session.scalars(
        select(Meeting)
        .where(
            col(Meeting.partnership_id).in_(ids),
            col(Meeting.status) == MeetingStatus.held,
            col(Meeting.starts_at) >= _start_of(window_start),
            col(Meeting.starts_at) < _start_of(today + timedelta(days=1)),
        )
        .order_by(col(Meeting.starts_at), col(Meeting.id))
    ).all()
    quorums = quorum_for(session, [m.id for m in held if m.id is not None])
    attendance: dict[tuple[int, int], AttendanceStatus] = {}
    if held:
        for meeting_id, membership_id, status in session.execute(
            select(Attendance.meeting_id, Attendance.membership_id, Attendance.status).where(
                col(Attendance.meeting_id).in_([m.id for m in held])
            )
        ):
            attendance[(meeting_id, membership_id)] = AttendanceStatus(status)
    last_held = dict(
        session.execute(
            select(Meeting.partnership_id, func.max(Meeting.starts_at))
            .where(col(Meeting.partnership_id).in_(ids), col(Meeting.status) == MeetingStatus.held)
            .group_by(col(Meeting.partnership_id))
        ).all()
    )

    held_by_partnership: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in held:
        held_by_partnership[meeting.partnership_id].append(meeting)

    # Members: attendance, substitutions, chairs' terms; partnership: voluntary sector.
    voluntary: set[int] = set()
    for membership, person_name, sector in members:
        partnership = by_id[membership.partnership_id]
        if sector == Sector.voluntary_community:
            voluntary.add(membership.partnership_id)
        base: dict[str, Any] = {
            "partnership_id": partnership.id,
            "partnership_name": partnership.name,
            "membership_id": membership.id,
            "person_id": membership.person_id,
            "person_name": person_name,
        }
        eligible = [
            m
            for m in held_by_partnership[membership.partnership_id]
            if _open_on_day(membership, _day(m))
        ]
        statuses = [attendance.get((m.id or 0, membership.id or 0)) for m in eligible]
        attended = sum(1 for s in statuses if s in ATTENDED)
        substitutions = sum(1 for s in statuses if s == AttendanceStatus.substitute)
        if eligible and attended / len(eligible) < partnership.attendance_threshold:
            findings.append(
                Finding(
                    **base,
                    rule=Rule.attendance_below_threshold,
                    message=f"{person_name} attended {attended} of {len(eligible)} meetings in "
                    f"the last 12 months; the terms of reference ask for at least "
                    f"{partnership.attendance_threshold:.0%}",
                    evidence={
                        "meetings_held": len(eligible),
                        "attended": attended,
                        "rate": round(attended / len(eligible), 3),
                        "threshold": partnership.attendance_threshold,
                        "present": statuses.count(AttendanceStatus.present),
                        "substitute": substitutions,
                        "apologies": statuses.count(AttendanceStatus.apologies),
                        "absent": sum(1 for s in statuses if s in (None, AttendanceStatus.absent)),
                        "meeting_ids": [m.id for m in eligible],
                    },
                )
            )
        if substitutions > partnership.max_substitutions_per_year:
            findings.append(
                Finding(
                    **base,
                    rule=Rule.substitutions_over_limit,
                    message=f"{person_name} sent a substitute {substitutions} times in the last "
                    f"12 months; more than {partnership.max_substitutions_per_year} ends the "
                    "membership",
                    evidence={
                        "substitutions": substitutions,
                        "limit": partnership.max_substitutions_per_year,
                        "meeting_ids": [
                            m.id
                            for m, s in zip(eligible, statuses, strict=True)
                            if s == AttendanceStatus.substitute
                        ],
                    },
                )
            )
        if (
            membership.role == MembershipRole.chair
            and membership.term_ends_on is not None
            and membership.term_ends_on < today
        ):
            findings.append(
                Finding(
                    **base,
                    rule=Rule.chair_past_term,
                    message=f"{person_name}'s term as chair ended on "
                    f"{membership.term_ends_on.isoformat()}",
                    evidence={
                        "started_on": membership.started_on.isoformat(),
                        "term_ends_on": membership.term_ends_on.isoformat(),
                        "chair_term_months": partnership.chair_term_months,
                        "days_over": (today - membership.term_ends_on).days,
                    },
                )
            )

    for partnership in active:
        assert partnership.id is not None
        base = {"partnership_id": partnership.id, "partnership_name": partnership.name}
        if partnership.voluntary_rep_required and partnership.id not in voluntary:
            findings.append(
                Finding(
                    **base,
                    rule=Rule.no_voluntary_member,
                    message=f"{partnership.name} has no current member on behalf of a "
                    "voluntary or community sector organisation",
                    evidence={
                        "current_members": sum(
                            1 for m, *_ in members if m.partnership_id == partnership.id
                        ),
                        "voluntary_rep_required": True,
                    },
                )
            )
        last = last_held.get(partnership.id)
        last_day = last.astimezone(LONDON).date() if last is not None else None
        since = last_day or partnership.created_at.astimezone(LONDON).date()
        due = add_months(since, partnership.max_months_between_meetings)
        if due < today:
            findings.append(
                Finding(
                    **base,
                    rule=Rule.meeting_overdue,
                    message=f"{partnership.name} last met on "
                    f"{last_day.isoformat() if last_day else 'no date on record'}; it must "
                    f"meet at least every {partnership.max_months_between_meetings} months",
                    evidence={
                        "last_held_on": last_day.isoformat() if last_day else None,
                        "due_by": due.isoformat(),
                        "max_months_between_meetings": partnership.max_months_between_meetings,
                        "days_overdue": (today - due).days,
                    },
                )
            )
        count = len(held_by_partnership[partnership.id])
        minimum = partnership.min_meetings_per_year
        if minimum is not None and count < minimum:
            findings.append(
                Finding(
                    **base,
                    rule=Rule.too_few_meetings,
                    message=f"{partnership.name} met {count} times in the last 12 months; "
                    f"its terms of reference ask for at least {minimum}",
                    evidence={"meetings_held": count, "min_meetings_per_year": minimum},
                )
            )
        for meeting in held_by_partnership[partnership.id]:
            quorum = quorums[meeting.id or 0]
            if not quorum.quorate:
                findings.append(
                    Finding(
                        **base,
                        rule=Rule.inquorate_meeting,
                        meeting_id=meeting.id,
                        message=f"'{meeting.title}' on {_day(meeting).isoformat()} was held "
                        f"with {quorum.present_voting} voting members present; the quorum "
                        f"is {quorum.required}",
                        evidence={
                            "held_on": _day(meeting).isoformat(),
                            **quorum.model_dump(),
                        },
                    )
                )

    counts = dict.fromkeys(Rule, 0)
    for finding in findings:
        counts[finding.rule] += 1
    order = {p.id: n for n, p in enumerate(rows)}
    findings.sort(key=lambda f: (order[f.partnership_id], list(Rule).index(f.rule)))
    return GovernanceReport(
        checked_on=today,
        window_start=window_start,
        partnership_ids=[p.id for p in rows if p.id is not None],
        counts=counts,
        findings=findings,
    )


def _start_of(day: date) -> datetime:
    """Midnight in London at the start of ``day``."""
    return datetime.combine(day, time(0, 0), tzinfo=LONDON)


def _authorize(principal: Principal) -> None:
    # Attendance figures of named people: for officers and administrators.
    require_role(principal, Role.officer)


def partnership_report(
    session: Session, principal: Principal, partnership_id: int, today: date | None = None
) -> GovernanceReport:
    _authorize(principal)
    row = crud.get_row(session, principal, partnerships, partnership_id)
    return check(session, [row], today or clock.today())


def all_partnerships_report(
    session: Session, principal: Principal, today: date | None = None
) -> GovernanceReport:
    _authorize(principal)
    stmt = partnerships.policy.visible(session, principal, select(Partnership))
    rows = list(session.scalars(stmt.order_by(col(Partnership.name), col(Partnership.id))))
    return check(session, rows, today or clock.today())
