"""Governance checks (DESIGN §3): computed from the terms of reference, never stored.

All partnerships are checked with a fixed number of queries (no per-row queries): one each for
partnerships, open memberships, meetings in the look-back window with their quorum, attendance
at those meetings, and the last meeting held.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import clock
from api.core.calendar import add_months
from api.core.clock import LONDON
from api.core.policy import require_role
from api.core.principal import Principal, Role
from api.crud import service as crud
from api.governance.schemas import Finding, GovernanceReport, Rule
from api.meetings.models import Attendance, AttendanceStatus, Meeting, MeetingStatus
from api.meetings.schemas import Quorum
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


@dataclass(frozen=True)
class HeldMeeting:
    """What the rules read of a meeting held in the window, with its day in London."""

    id: int
    partnership_id: int
    title: str
    day: date


@dataclass(frozen=True)
class MemberRecord:
    """An open membership with its attendance at the meetings held while it was open."""

    membership: Membership
    person_name: str
    sector: str | None
    partnership: Partnership
    eligible: list[HeldMeeting]
    statuses: list[AttendanceStatus | None]

    def base(self) -> dict[str, Any]:
        return {
            "partnership_id": self.partnership.id,
            "partnership_name": self.partnership.name,
            "membership_id": self.membership.id,
            "person_id": self.membership.person_id,
            "person_name": self.person_name,
        }

    def count(self, *statuses: AttendanceStatus | None) -> int:
        return sum(1 for s in self.statuses if s in statuses)


@dataclass(frozen=True)
class Facts:
    """Everything the rules read, loaded with a fixed number of queries."""

    today: date
    window_start: date
    active: list[Partnership]
    members: list[MemberRecord]
    held: dict[int, list[HeldMeeting]]  # meetings held in the window, per partnership
    quorums: dict[int, Quorum]
    last_held: dict[int, datetime]


def _load_facts(session: Session, rows: list[Partnership], today: date) -> Facts:
    window_start = add_months(today, -12)
    active = [p for p in rows if p.status == PartnershipStatus.active]
    ids = [p.id for p in active if p.id is not None]
    by_id = {p.id: p for p in active}
    members = session.execute(
        select(Membership, Person.name, Organisation.sector)
        .join(Person, col(Person.id) == col(Membership.person_id))
        .outerjoin(Organisation, col(Organisation.id) == col(Membership.on_behalf_of_id))
        .where(col(Membership.partnership_id).in_(ids), open_on(today))
        .order_by(col(Membership.partnership_id), col(Membership.id))
    ).all()
    # The window's held meetings, read from ix_meeting_partnership_status_starts (migration
    # 0017); their attendance and quorum select the same meetings by this condition rather
    # than by a list of their ids.
    in_window = and_(
        col(Meeting.partnership_id).in_(ids),
        col(Meeting.status) == MeetingStatus.held,
        col(Meeting.starts_at) >= _start_of(window_start),
        col(Meeting.starts_at) < _start_of(today + timedelta(days=1)),
    )
    held = [
        HeldMeeting(meeting_id or 0, partnership_id, title, starts_at.astimezone(LONDON).date())
        for meeting_id, partnership_id, title, starts_at in session.connection().execute(
            sa_select(
                col(Meeting.id), col(Meeting.partnership_id), col(Meeting.title),
                col(Meeting.starts_at),
            )
            .where(in_window)
            .order_by(col(Meeting.starts_at), col(Meeting.id))
        ).all()
    ]  # fmt: skip
    attendance = _attendance(session, sa_select(col(Meeting.id)).where(in_window)) if held else {}
    held_by_partnership: dict[int, list[HeldMeeting]] = defaultdict(list)
    for meeting in held:
        held_by_partnership[meeting.partnership_id].append(meeting)
    records = []
    for membership, person_name, sector in members:
        started, ended, membership_id = membership.started_on, membership.ended_on, membership.id
        eligible = [
            m
            for m in held_by_partnership[membership.partnership_id]
            if started <= m.day and (ended is None or ended >= m.day)
        ]
        statuses = [attendance.get((m.id, membership_id or 0)) for m in eligible]
        partnership = by_id[membership.partnership_id]
        records.append(
            MemberRecord(membership, person_name, sector, partnership, eligible, statuses)
        )
    return Facts(
        today=today,
        window_start=window_start,
        active=active,
        members=records,
        held=held_by_partnership,
        quorums=quorum_for(session, in_window) if held else {},
        last_held=_last_held(session, ids),
    )


_STATUS = {s.value: s for s in AttendanceStatus}


def _attendance(
    session: Session, meeting_ids: Select[Any]
) -> dict[tuple[int, int], AttendanceStatus]:
    """(meeting id, membership id) -> how the member attended, at the meetings ``meeting_ids``
    selects (read from ix_attendance_meeting_member_status alone). Thousands of plain rows in
    a county's year: run on the session's connection, without the ORM's row handling."""
    statement = sa_select(
        col(Attendance.meeting_id), col(Attendance.membership_id), col(Attendance.status)
    ).where(col(Attendance.meeting_id).in_(meeting_ids))
    rows = session.connection().execute(statement).all()  # one fetch, not one call per row
    return {(meeting_id, member_id): _STATUS[s] for meeting_id, member_id, s in rows}


def _last_held(session: Session, ids: list[int]) -> dict[int, datetime]:
    """The start of each partnership's latest held meeting: one probe per partnership into
    ix_meeting_partnership_status_starts (a grouped ``max`` reads every meeting held)."""
    if not ids:
        return {}
    latest = (
        select(func.max(Meeting.starts_at))
        .where(
            col(Meeting.partnership_id) == col(Partnership.id),
            col(Meeting.status) == MeetingStatus.held,
        )
        .correlate(Partnership)
        .scalar_subquery()
    )
    rows = session.execute(select(col(Partnership.id), latest).where(col(Partnership.id).in_(ids)))
    return {partnership_id: last for partnership_id, last in rows if last is not None}


# -- the rules: each returns its findings ------------------------------------------------------


def attendance_below_threshold(facts: Facts) -> Iterator[Finding]:
    for member in facts.members:
        eligible, partnership = member.eligible, member.partnership
        attended = member.count(*ATTENDED)
        if not eligible or attended / len(eligible) >= partnership.attendance_threshold:
            continue
        yield Finding(
            **member.base(),
            rule=Rule.attendance_below_threshold,
            message=f"{member.person_name} attended {attended} of {len(eligible)} meetings in "
            f"the last 12 months; the terms of reference ask for at least "
            f"{partnership.attendance_threshold:.0%}",
            evidence={
                "meetings_held": len(eligible),
                "attended": attended,
                "rate": round(attended / len(eligible), 3),
                "threshold": partnership.attendance_threshold,
                "present": member.count(AttendanceStatus.present),
                "substitute": member.count(AttendanceStatus.substitute),
                "apologies": member.count(AttendanceStatus.apologies),
                "absent": member.count(None, AttendanceStatus.absent),
                "meeting_ids": [m.id for m in eligible],
            },
        )


def substitutions_over_limit(facts: Facts) -> Iterator[Finding]:
    for member in facts.members:
        substitutions = member.count(AttendanceStatus.substitute)
        limit = member.partnership.max_substitutions_per_year
        if substitutions <= limit:
            continue
        yield Finding(
            **member.base(),
            rule=Rule.substitutions_over_limit,
            message=f"{member.person_name} sent a substitute {substitutions} times in the last "
            f"12 months; more than {limit} ends the membership",
            evidence={
                "substitutions": substitutions,
                "limit": limit,
                "meeting_ids": [
                    m.id
                    for m, s in zip(member.eligible, member.statuses, strict=True)
                    if s == AttendanceStatus.substitute
                ],
            },
        )


def chair_past_term(facts: Facts) -> Iterator[Finding]:
    for member in facts.members:
        membership = member.membership
        ends = membership.term_ends_on
        if membership.role != MembershipRole.chair or ends is None or ends >= facts.today:
            continue
        yield Finding(
            **member.base(),
            rule=Rule.chair_past_term,
            message=f"{member.person_name}'s term as chair ended on {ends.isoformat()}",
            evidence={
                "started_on": membership.started_on.isoformat(),
                "term_ends_on": ends.isoformat(),
                "chair_term_months": member.partnership.chair_term_months,
                "days_over": (facts.today - ends).days,
            },
        )


def no_voluntary_member(facts: Facts) -> Iterator[Finding]:
    voluntary = {m.partnership.id for m in facts.members if m.sector == Sector.voluntary_community}
    for partnership in facts.active:
        if not partnership.voluntary_rep_required or partnership.id in voluntary:
            continue
        yield Finding(
            **_partnership_base(partnership),
            rule=Rule.no_voluntary_member,
            message=f"{partnership.name} has no current member on behalf of a "
            "voluntary or community sector organisation",
            evidence={
                "current_members": sum(
                    1 for m in facts.members if m.membership.partnership_id == partnership.id
                ),
                "voluntary_rep_required": True,
            },
        )


def meeting_overdue(facts: Facts) -> Iterator[Finding]:
    for partnership in facts.active:
        last = facts.last_held.get(partnership.id or 0)
        last_day = last.astimezone(LONDON).date() if last is not None else None
        since = last_day or partnership.created_at.astimezone(LONDON).date()
        every = partnership.max_months_between_meetings
        due = add_months(since, every)
        if due >= facts.today:
            continue
        yield Finding(
            **_partnership_base(partnership),
            rule=Rule.meeting_overdue,
            message=f"{partnership.name} last met on "
            f"{last_day.isoformat() if last_day else 'no date on record'}; it must "
            f"meet at least every {every} months",
            evidence={
                "last_held_on": last_day.isoformat() if last_day else None,
                "due_by": due.isoformat(),
                "max_months_between_meetings": every,
                "days_overdue": (facts.today - due).days,
            },
        )


def too_few_meetings(facts: Facts) -> Iterator[Finding]:
    for partnership in facts.active:
        count = len(facts.held[partnership.id or 0])
        minimum = partnership.min_meetings_per_year
        if minimum is None or count >= minimum:
            continue
        yield Finding(
            **_partnership_base(partnership),
            rule=Rule.too_few_meetings,
            message=f"{partnership.name} met {count} times in the last 12 months; "
            f"its terms of reference ask for at least {minimum}",
            evidence={"meetings_held": count, "min_meetings_per_year": minimum},
        )


def inquorate_meeting(facts: Facts) -> Iterator[Finding]:
    for partnership in facts.active:
        for meeting in facts.held[partnership.id or 0]:
            quorum = facts.quorums[meeting.id]
            if quorum.quorate:
                continue
            yield Finding(
                **_partnership_base(partnership),
                rule=Rule.inquorate_meeting,
                meeting_id=meeting.id,
                message=f"'{meeting.title}' on {meeting.day.isoformat()} was held "
                f"with {quorum.present_voting} voting members present; the quorum "
                f"is {quorum.required}",
                evidence={"held_on": meeting.day.isoformat(), **quorum.model_dump()},
            )


RULES: tuple[Callable[[Facts], Iterable[Finding]], ...] = (
    attendance_below_threshold,
    substitutions_over_limit,
    chair_past_term,
    no_voluntary_member,
    meeting_overdue,
    too_few_meetings,
    inquorate_meeting,
)
"""Every governance rule, each a function of the facts returning its findings."""


def _partnership_base(partnership: Partnership) -> dict[str, Any]:
    return {"partnership_id": partnership.id, "partnership_name": partnership.name}


def check(session: Session, rows: list[Partnership], today: date) -> GovernanceReport:
    """Run every rule over ``rows``; findings in the partnerships' order, then by rule."""
    facts = _load_facts(session, rows, today)
    findings = [finding for rule in RULES for finding in rule(facts)]
    counts = dict.fromkeys(Rule, 0)
    for finding in findings:
        counts[finding.rule] += 1
    order = {p.id: n for n, p in enumerate(rows)}
    findings.sort(key=lambda f: (order[f.partnership_id], list(Rule).index(f.rule)))
    return GovernanceReport(
        checked_on=today,
        window_start=facts.window_start,
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
