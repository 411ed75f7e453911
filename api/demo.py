"""Fictional demo data shaped like a real city partnership (DESIGN §11).

Deterministic: the same data every time (dates are relative to today so meetings and
deadlines stay current). Names and e-mail addresses are invented; e-mail at example.org.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.accounts.keys import create_api_key
from api.auth.models import ApiKey, User
from api.auth.security import hash_password
from api.core import audit, clock
from api.core.clock import LONDON
from api.core.principal import Role
from api.indicators.catalogue import load_national_indicators
from api.indicators.models import Indicator, LaaTarget, Measurement
from api.meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Decision,
    DecisionMethod,
    DecisionResult,
    Meeting,
    MeetingStatus,
)
from api.organisations.models import Organisation, Sector
from api.papers import service as papers
from api.partnerships.models import (
    EndReason,
    Membership,
    MembershipRole,
    Partnership,
    PartnershipKind,
    PartnershipStatus,
)
from api.people.models import Person
from api.plans.models import (
    Action,
    ActionPlan,
    Outcome,
    OutcomeIndicator,
    Principle,
    Priority,
    Rag,
    StatusUpdate,
    Strategy,
    Task,
    TaskIndicator,
)
from api.reports.models import Report, ReportIndicator
from api.webhooks.demo import seed_demo_webhook

AREA = "E06000099"  # fictional unitary authority code used throughout the demo

DEMO_PASSWORDS = {
    "admin@example.org": "demo-admin-pass",
    "officer@example.org": "demo-officer-pass",
    "member@example.org": "demo-member-pass",
    "county@example.org": "demo-county-pass",
}

ORGANISATIONS: list[tuple[str, str, Sector]] = [
    ("Riverside City Council", "RCC", Sector.public),
    ("Riverside Constabulary", "Police", Sector.police),
    ("Riverside Fire and Rescue Service", "Fire", Sector.fire),
    ("Riverside Primary Care Trust", "PCT", Sector.health),
    ("Riverside Hospitals NHS Trust", "Hospitals", Sector.health),
    ("Riverside College", "College", Sector.education),
    ("Northgate University", "University", Sector.education),
    ("Riverside Council for Voluntary Service", "CVS", Sector.voluntary_community),
    ("Riverside Volunteer Centre", "Volunteers", Sector.voluntary_community),
    ("Eastfield Community Association", "ECA", Sector.voluntary_community),
    ("Riverside Faith Forum", "Faith Forum", Sector.faith),
    ("Riverside Chamber of Commerce", "Chamber", Sector.business),
    ("Riverside Housing Partnership", "RHP", Sector.public),
    ("Westbank Housing Association", "Westbank HA", Sector.voluntary_community),
    ("Riverside Youth Trust", "Youth Trust", Sector.voluntary_community),
    ("Jobcentre Plus Riverside", "JCP", Sector.public),
    ("Riverside Learning and Skills", "Skills", Sector.education),
    ("Riverside Probation", "Probation", Sector.public),
    ("Riverside Arts Network", "Arts", Sector.voluntary_community),
    ("Riverside Sports Trust", "Sports", Sector.voluntary_community),
    ("Green Riverside", "Green", Sector.voluntary_community),
    ("Riverside Transport Company", "Transport", Sector.private),
    ("Riverside Energy Advice", "Energy", Sector.private),
    ("Riverside Older People's Forum", "OPF", Sector.voluntary_community),
    ("Riverside Carers Centre", "Carers", Sector.voluntary_community),
    ("County Council", "County", Sector.public),
    ("Riverside Drug and Alcohol Action Team", "DAAT", Sector.health),
    ("Riverside Business Improvement District", "BID", Sector.business),
    ("St Anne's Church", "St Anne's", Sector.faith),
    ("Riverside Tenants Federation", "Tenants", Sector.voluntary_community),
]

FIRST = [
    "Alice",
    "Ben",
    "Chloe",
    "Dev",
    "Ellen",
    "Farid",
    "Grace",
    "Hamid",
    "Isla",
    "Jonah",
    "Kiran",
    "Lena",
    "Marcus",
    "Nia",
    "Owen",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Victor",
    "Wren",
    "Yusuf",
    "Zara",
    "Aled",
    "Bethan",
    "Cal",
    "Dora",
    "Emeka",
]
LAST = [
    "Ashdown",
    "Brackley",
    "Corran",
    "Dunmore",
    "Elsworth",
    "Fenwick",
    "Garside",
    "Holloway",
    "Inchbold",
    "Jessop",
    "Kilbride",
    "Lowther",
    "Marwood",
    "Northcott",
    "Ormsby",
    "Pellow",
]

THEMES = [
    ("Safer Communities", "safer-communities", PartnershipStatus.active),
    ("Healthier Communities", "healthier-communities", PartnershipStatus.active),
    ("Children and Young People", "children-young-people", PartnershipStatus.active),
    ("Economy and Skills", "economy-skills", PartnershipStatus.active),
    ("Environment and Climate", "environment-climate", PartnershipStatus.active),
    ("Culture and Leisure", "culture-leisure", PartnershipStatus.inactive),
]

STRATEGY_OUTCOMES = [
    ("1.1", "People from different backgrounds get on well together", 0, ["NI 1", "NI 2"]),
    ("1.2", "More people volunteer and influence local decisions", 0, ["NI 4", "NI 6"]),
    ("2.1", "Less violent and acquisitive crime", 1, ["NI 15", "NI 16"]),
    ("2.2", "Less anti-social behaviour and alcohol harm", 1, ["NI 17", "NI 39"]),
    ("3.1", "Fewer young people not in education, employment or training", 2, ["NI 117"]),
    ("3.2", "Fewer children in poverty", 2, ["NI 116"]),
    ("4.1", "More people in work", 3, ["NI 152"]),
    ("4.2", "More homes, and more of them affordable", 3, ["NI 154", "NI 155"]),
    ("5.1", "Lower carbon emissions", 4, ["NI 186"]),
    ("5.2", "Cleaner streets and more recycling", 4, ["NI 192", "NI 195"]),
    ("6.1", "More people taking part in sport and culture", 5, ["NI 8", "NI 5"]),
]

OUTCOME_INDICATORS = {code: codes for code, _, _, codes in STRATEGY_OUTCOMES}

TASK_TITLES = [
    "Run quarterly community engagement events",
    "Publish a partnership communications plan",
    "Train frontline staff in referral routes",
    "Agree a shared data set with partners",
    "Set up a multi-agency problem-solving group",
    "Map existing services and gaps",
    "Secure funding for a pilot project",
    "Report progress to the executive",
    "Deliver an awareness campaign",
    "Recruit and train volunteers",
]

DEMO_INDICATORS = [
    "NI 1", "NI 2", "NI 4", "NI 5", "NI 6", "NI 8", "NI 15", "NI 16", "NI 17", "NI 39",
    "NI 116", "NI 117", "NI 152", "NI 186", "NI 192",
]  # fmt: skip


def _at(day: date, hour: int = 14) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=LONDON).astimezone(UTC)


def already_seeded(session: Session) -> bool:
    return session.scalar(select(Partnership.id).limit(1)) is not None


def seed(session: Session, *, force: bool = False, today: date | None = None) -> list[str] | None:
    """Load the demo partnership; return lines to print (logins, keys), or None if present."""
    if already_seeded(session) and not force:
        return None
    today = today or clock.today()
    rnd = random.Random(2008)
    load_national_indicators(session)
    orgs, people = _seed_directory(session, rnd)
    strategic, executive, themes = _seed_partnerships(session)
    groups = [strategic, executive, *themes]
    memberships = _seed_memberships(session, rnd, groups, people, today - timedelta(days=400))

    stand_ins = StandIns(session, people)
    _seed_meetings(session, rnd, groups, memberships, stand_ins, today)
    plan_tasks = _seed_strategy_and_plans(session, rnd, strategic, themes, orgs, today)
    _seed_task_owners(session, people)
    _seed_indicators(session, rnd, today)
    _seed_papers(session, themes, today)
    seed_demo_webhook(session, today)
    _seed_governance_cases(session, groups, memberships, stand_ins, today)
    _seed_users(session, memberships[themes[0].id])  # type: ignore[index]
    audit.record(session, "cli", "seed", "demo", None, after={"tasks": plan_tasks})
    return [f"  {plan_tasks} tasks across {len(themes)} thematic action plans"]


def _seed_directory(
    session: Session, rnd: random.Random
) -> tuple[list[Organisation], list[Person]]:
    """The organisations and sixty fictional people working for them."""
    orgs = [
        Organisation(name=name, short_name=short, slug=_slug(short), sector=sector)
        for name, short, sector in ORGANISATIONS
    ]
    session.add_all(orgs)
    session.flush()
    people: list[Person] = []
    for i in range(60):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        org = orgs[i % len(orgs)]
        people.append(
            Person(
                name=f"{first} {last}",
                email=f"{first.lower()}.{last.lower()}{i}@example.org",
                job_title=rnd.choice(
                    ["Director", "Manager", "Officer", "Coordinator", "Chief Executive", "Lead"]
                ),
                organisation_id=org.id,
            )
        )
    session.add_all(people)
    session.flush()
    return orgs, people


def _seed_partnerships(
    session: Session,
) -> tuple[Partnership, Partnership, list[Partnership]]:
    """The strategic group, its executive and the thematic partnerships."""
    strategic = Partnership(
        name="Riverside Strategic Partnership",
        slug="strategic",
        kind=PartnershipKind.strategic,
        min_meetings_per_year=2,
        max_months_between_meetings=6,
        purpose="Owns the Sustainable Community Strategy and the Local Area Agreement.",
    )
    session.add(strategic)
    session.flush()
    executive = Partnership(
        name="Riverside Partnership Executive",
        slug="executive",
        kind=PartnershipKind.executive,
        parent_id=strategic.id,
        purpose="Steers delivery of the strategy between meetings of the strategic group.",
    )
    themes = [
        Partnership(
            name=f"{title} Partnership",
            slug=slug,
            kind=PartnershipKind.thematic,
            parent_id=strategic.id,
            status=status,
            purpose=f"Leads the {title.lower()} theme of the community strategy.",
        )
        for title, slug, status in THEMES
    ]
    session.add_all([executive, *themes])
    session.flush()
    return strategic, executive, themes


def _demo_role(index: int) -> MembershipRole:
    """The first three members chair, vice-chair and support each group; the rest are members."""
    roles = (MembershipRole.chair, MembershipRole.vice_chair, MembershipRole.officer)
    return roles[index] if index < len(roles) else MembershipRole.member


def _seed_memberships(
    session: Session,
    rnd: random.Random,
    groups: list[Partnership],
    people: list[Person],
    start: date,
) -> dict[int, list[Membership]]:
    """Members of every group; thematic chairs sit on the executive as non-voting reps."""
    executive, themes = groups[1], groups[2:]
    memberships: dict[int, list[Membership]] = {}
    for g_index, group in enumerate(groups):
        chosen = rnd.sample(people, 9 if group.kind == PartnershipKind.thematic else 12)
        rows = []
        for m_index, person in enumerate(chosen):
            role = _demo_role(m_index)
            rows.append(
                Membership(
                    person_id=person.id,  # type: ignore[arg-type]
                    partnership_id=group.id,  # type: ignore[arg-type]
                    on_behalf_of_id=person.organisation_id,
                    role=role,
                    voting=role != MembershipRole.officer,
                    started_on=start - timedelta(days=30 * g_index),
                    term_ends_on=(start + timedelta(days=730)) if m_index == 0 else None,
                )
            )
        session.add_all(rows)
        memberships[group.id] = rows  # type: ignore[index]
    exec_people = {m.person_id for m in memberships[executive.id]}  # type: ignore[index]
    for theme in themes[:3]:
        chair = memberships[theme.id][0]  # type: ignore[index]
        if chair.person_id not in exec_people:
            rep = Membership(
                person_id=chair.person_id,
                partnership_id=executive.id,  # type: ignore[arg-type]
                on_behalf_of_id=chair.on_behalf_of_id,
                represents=theme.name,
                role=MembershipRole.representative,
                voting=False,
                started_on=start,
            )
            session.add(rep)
            memberships[executive.id].append(rep)  # type: ignore[index]
    session.flush()
    return memberships


def _seed_users(session: Session, first_theme: list[Membership]) -> None:
    """The demo logins: the officer and the member work in the first thematic group."""
    member, officer = first_theme[3], first_theme[2]
    users = [
        User(
            email="admin@example.org", name="Demo Administrator", role=Role.admin, password_hash=""
        ),
        User(
            email="officer@example.org",
            name="Demo Officer",
            role=Role.officer,
            password_hash="",
            person_id=officer.person_id,
            organisation_id=officer.on_behalf_of_id,
        ),
        User(
            email="member@example.org",
            name="Demo Member",
            role=Role.member,
            password_hash="",
            person_id=member.person_id,
            organisation_id=member.on_behalf_of_id,
        ),
        User(
            email="county@example.org",
            name="Demo County Analyst",
            role=Role.county,
            password_hash="",
        ),
    ]
    for user in users:
        user.password_hash = hash_password(DEMO_PASSWORDS[user.email])
    session.add_all(users)
    session.flush()


def issue_demo_credentials(session: Session) -> list[str]:
    """Fresh demo API keys (earlier demo keys are revoked) and the demo logins, to print."""
    now = clock.now()
    for key in session.scalars(select(ApiKey).where(col(ApiKey.name).endswith(" (demo)"))):
        if key.revoked_at is None:
            key.revoked_at = now
            audit.record(session, "cli", "revoke", "api_key", key.id)
    member = session.scalars(select(User).where(col(User.email) == "member@example.org")).one()
    partner_org = session.get_one(Organisation, member.organisation_id)
    partner_key = create_api_key(
        session,
        role=Role.partner,
        name=f"{partner_org.name} (demo)",
        organisation_id=partner_org.id,
    )
    county_key = create_api_key(session, role=Role.county, name="County LAA pull (demo)")
    lines = [f"  login {email} / {password}" for email, password in DEMO_PASSWORDS.items()]
    lines.append(f"  partner API key ({partner_org.name}): {partner_key}")
    lines.append(f"  county API key (read-only LAA): {county_key}")
    return lines


def _slug(short: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in short.lower()).strip("-")


class StandIns:
    """Substitutes as the handbook has them: a colleague from the organisation the member
    represents who is not a member in their own right, else that organisation's deputy
    (added to the directory the first time one is needed)."""

    def __init__(self, session: Session, people: list[Person]) -> None:
        self.session = session
        self.people = people
        self.deputies: dict[int, Person] = {}

    def pick(self, membership: Membership, seated: list[Membership]) -> Person:
        organisation_id = membership.on_behalf_of_id
        assert organisation_id is not None  # every demo membership names its organisation
        taken = {m.person_id for m in seated}
        for person in self.people:
            if person.organisation_id == organisation_id and person.id not in taken:
                return person
        if organisation_id not in self.deputies:
            n = len(self.people) + len(self.deputies)
            first, last = FIRST[n % len(FIRST)], LAST[(n * 7) % len(LAST)]
            deputy = Person(
                name=f"{first} {last}",
                email=f"{first.lower()}.{last.lower()}{n}@example.org",
                job_title="Deputy",
                organisation_id=organisation_id,
            )
            self.session.add(deputy)
            self.session.flush()
            self.deputies[organisation_id] = deputy
        return self.deputies[organisation_id]


def _seed_meetings(
    session: Session,
    rnd: random.Random,
    groups: list[Partnership],
    memberships: dict[int, list[Membership]],
    stand_ins: StandIns,
    today: date,
) -> None:
    people = stand_ins.people
    for group in groups:
        if group.status == PartnershipStatus.inactive:
            dates = [today - timedelta(days=300)]  # overdue: a governance finding
        elif group.kind == PartnershipKind.strategic:
            dates = [today - timedelta(days=d) for d in (330, 150)] + [today + timedelta(days=40)]
        else:
            dates = [today - timedelta(days=d) for d in (300, 240, 180, 120, 60)]
            dates.append(today + timedelta(days=14 + rnd.randint(0, 20)))
        members = memberships[group.id]  # type: ignore[index]
        for n, day in enumerate(sorted(dates), start=1):
            held = day < today
            meeting = Meeting(
                partnership_id=group.id,  # type: ignore[arg-type]
                title=f"{group.name} — meeting {n}",
                starts_at=_at(day),
                ends_at=_at(day, 16),
                location=rnd.choice(["Town Hall, Committee Room 2", "Riverside Library", "Online"]),
                status=MeetingStatus.held if held else MeetingStatus.scheduled,
                minutes="Minutes agreed as a true record." if held else None,
            )
            session.add(meeting)
            session.flush()
            for position, title in enumerate(
                ["Apologies and substitutions", "Minutes of the last meeting",
                 "Performance report", "Any other business"], start=1
            ):  # fmt: skip
                session.add(AgendaItem(meeting_id=meeting.id, position=position, title=title))  # type: ignore[arg-type]
            if not held:
                continue
            for m_index, membership in enumerate(members):
                roll = rnd.random()
                # Member 4 of each group rarely attends: an attendance finding.
                if m_index == 4:
                    status = AttendanceStatus.absent if roll < 0.8 else AttendanceStatus.present
                elif m_index == 5 and roll < 0.5:
                    status = AttendanceStatus.substitute
                else:
                    status = (
                        AttendanceStatus.present
                        if roll < 0.75
                        else AttendanceStatus.apologies
                        if roll < 0.92
                        else AttendanceStatus.absent
                    )
                substitute = None
                if status == AttendanceStatus.substitute:
                    rnd.choice(people)  # drawn as before, so the rest of the demo is unchanged
                    substitute = stand_ins.pick(membership, members).id
                session.add(
                    Attendance(
                        meeting_id=meeting.id,  # type: ignore[arg-type]
                        membership_id=membership.id,  # type: ignore[arg-type]
                        status=status,
                        substitute_person_id=substitute,
                    )
                )
            for_votes = rnd.randint(4, 8)
            against = rnd.randint(0, 3)
            session.add(
                Decision(
                    meeting_id=meeting.id,  # type: ignore[arg-type]
                    text="To note the performance report and agree the planned improvements.",
                    method=DecisionMethod.simple_majority,
                    votes_for=for_votes,
                    votes_against=against,
                    result=DecisionResult.carried if for_votes > against else DecisionResult.lost,
                )
            )
    session.flush()


def _seed_governance_cases(
    session: Session,
    groups: list[Partnership],
    memberships: dict[int, list[Membership]],
    stand_ins: StandIns,
    today: date,
) -> None:
    """Make every governance finding show at least once, and approve past minutes.

    Draws no random numbers, so the rest of the demo data is unchanged by it.
    """
    by_slug = {g.slug: g for g in groups}

    # Substitutions over the limit: an executive member sends a substitute every time (5 > 3).
    executive = by_slug["executive"]
    regular = memberships[executive.id][5]  # type: ignore[index]
    stand_in = stand_ins.pick(regular, memberships[executive.id])  # type: ignore[index]
    for meeting in _meetings_of(session, executive):
        row = _attendance_of(session, meeting).get(regular.id)  # type: ignore[arg-type]
        if row is not None:
            row.status, row.substitute_person_id = AttendanceStatus.substitute, stand_in.id

    _top_up_quorum(session, groups, memberships)
    children = by_slug["children-young-people"]
    inquorate = _make_inquorate(session, children, memberships[children.id])  # type: ignore[index]

    # A chair past their term.
    healthier = by_slug["healthier-communities"]
    memberships[healthier.id][0].term_ends_on = today - timedelta(days=21)  # type: ignore[index]

    # No voluntary-sector member: Economy and Skills' voluntary members resigned.
    economy = by_slug["economy-skills"]
    sectors = {o.id: o.sector for o in session.scalars(select(Organisation))}
    for membership in memberships[economy.id]:  # type: ignore[index]
        if sectors.get(membership.on_behalf_of_id) == Sector.voluntary_community:
            membership.notice_given_on = today - timedelta(days=80)
            membership.ended_on = today - timedelta(days=45)
            membership.end_reason = EndReason.resigned

    _cancel_last_two_meetings(session, by_slug["environment-climate"])
    _approve_minutes(session, groups, inquorate)


def _meetings_of(session: Session, group: Partnership) -> list[Meeting]:
    stmt = select(Meeting).where(col(Meeting.partnership_id) == group.id)
    return list(session.scalars(stmt.order_by(col(Meeting.starts_at), col(Meeting.id))))


def _attendance_of(session: Session, meeting: Meeting) -> dict[int, Attendance]:
    rows = session.scalars(select(Attendance).where(col(Attendance.meeting_id) == meeting.id))
    return {a.membership_id: a for a in rows}


def _top_up_quorum(
    session: Session, groups: list[Partnership], memberships: dict[int, list[Membership]]
) -> None:
    """Random attendance left some meetings inquorate that still took decisions: top them up
    from those who sent apologies (then the absent), so only the chosen case is inquorate."""
    counts_towards = (AttendanceStatus.present, AttendanceStatus.substitute)
    for group in groups:
        members = memberships[group.id]  # type: ignore[index]
        chronic = members[4].id if len(members) > 4 else None
        for meeting in _meetings_of(session, group):
            register = _attendance_of(session, meeting)
            rows = [register[m.id] for m in members if m.voting and m.id in register]
            counted = sum(1 for row in rows if row.status in counts_towards)
            spare = [r for r in rows if r.status == AttendanceStatus.apologies] + [
                r for r in rows if r.status == AttendanceStatus.absent
            ]
            spare = [r for r in spare if r.membership_id != chronic]
            for row in spare[: max(0, group.quorum - counted)]:
                row.status = AttendanceStatus.present


def _make_inquorate(session: Session, group: Partnership, members: list[Membership]) -> Meeting:
    """Four voting members at the group's third meeting: inquorate, so it decided nothing."""
    inquorate = _meetings_of(session, group)[2]
    register = _attendance_of(session, inquorate)
    voting_present = 0
    for membership in members:
        row = register[membership.id]  # type: ignore[index]
        if row.status in (AttendanceStatus.present, AttendanceStatus.substitute) and (
            membership.voting
        ):
            voting_present += 1
            if voting_present > 4:
                row.status, row.substitute_person_id = AttendanceStatus.apologies, None
    for decision in session.scalars(
        select(Decision).where(col(Decision.meeting_id) == inquorate.id)
    ):
        session.delete(decision)  # nothing is carried at an inquorate meeting
    inquorate.minutes = "Not quorate: the members present discussed the report informally."
    return inquorate


def _cancel_last_two_meetings(session: Session, group: Partnership) -> None:
    """Overdue and too few meetings: the group cancelled its last two meetings."""
    group.min_meetings_per_year = 4
    held = [m for m in _meetings_of(session, group) if m.status == MeetingStatus.held]
    for meeting in held[-2:]:
        meeting.status, meeting.minutes = MeetingStatus.cancelled, None
        meeting.cancellation_reason = "The chair was unavailable and no quorum was expected"
        for row in _attendance_of(session, meeting).values():
            session.delete(row)
        for decision in session.scalars(
            select(Decision).where(col(Decision.meeting_id) == meeting.id)
        ):
            session.delete(decision)
    session.flush()


def _approve_minutes(session: Session, groups: list[Partnership], inquorate: Meeting) -> None:
    """Minutes are approved at the next meeting held (not at an inquorate one)."""
    for group in groups:
        held = [m for m in _meetings_of(session, group) if m.status == MeetingStatus.held]
        for n in range(1, len(held)):
            meeting, next_meeting = held[n - 1], held[n]
            if meeting.minutes and next_meeting is not inquorate:
                meeting.minutes_approved_by_meeting_id = next_meeting.id
                meeting.minutes_approved_at = next_meeting.starts_at
    session.flush()


def _seed_strategy_and_plans(
    session: Session,
    rnd: random.Random,
    strategic: Partnership,
    themes: list[Partnership],
    orgs: list[Organisation],
    today: date,
) -> int:
    strategy = Strategy(
        title="Riverside Sustainable Community Strategy 2008-2020",
        vision="A prosperous, safe and healthy Riverside where everyone has a fair chance.",
        period="2008-2020",
        partnership_id=strategic.id,
    )
    session.add(strategy)
    session.flush()
    for position, text in enumerate(
        ["Narrow the gap between the most and least deprived neighbourhoods",
         "Involve communities in decisions that affect them",
         "Act now for future generations"], start=1
    ):  # fmt: skip
        session.add(Principle(strategy_id=strategy.id, position=position, text=text))  # type: ignore[arg-type]
    priorities = [
        Priority(strategy_id=strategy.id, position=i + 1, text=f"{title}")  # type: ignore[arg-type]
        for i, (title, _, _) in enumerate(THEMES)
    ]
    session.add_all(priorities)
    session.flush()
    indicators = {i.code: i for i in session.scalars(select(Indicator))}
    outcomes: list[tuple[Outcome, int]] = []
    for code, title, theme_index, ni_codes in STRATEGY_OUTCOMES:
        outcome = Outcome(
            strategy_id=strategy.id,  # type: ignore[arg-type]
            priority_id=priorities[theme_index].id,
            code=code,
            title=title,
            achieve=f"Measurable progress on: {title.lower()}.",
            how="Through the thematic partnership's action plan and partners' own plans.",
            lead_partnership_id=themes[theme_index].id,
        )
        session.add(outcome)
        session.flush()
        for ni in ni_codes:
            session.add(OutcomeIndicator(outcome_id=outcome.id, indicator_id=indicators[ni].id))  # type: ignore[arg-type]
        outcomes.append((outcome, theme_index))

    rags: list[Rag | None] = [Rag.green, Rag.amber, Rag.red, Rag.complete, None]
    count = 0
    for theme_index, theme in enumerate(themes):
        plan = ActionPlan(
            partnership_id=theme.id,  # type: ignore[arg-type]
            title=f"{theme.name} action plan",
            period=f"{today.year - 1}-{today.year + 1}",
        )
        session.add(plan)
        session.flush()
        for outcome, owner in outcomes:
            if owner != theme_index:
                continue
            for a in range(1, 3):
                action = Action(
                    action_plan_id=plan.id,  # type: ignore[arg-type]
                    outcome_id=outcome.id,  # type: ignore[arg-type]
                    ref=f"{outcome.code}.{a}",
                    title=f"{rnd.choice(['Improve', 'Expand', 'Develop', 'Coordinate'])} "
                    f"work towards: {outcome.title.lower()}",
                )
                session.add(action)
                session.flush()
                for t in range(rnd.randint(2, 4)):
                    count += 1
                    task = _seed_task(session, rnd, action, t, orgs, rags[count % 5], today)
                    if t == 0:
                        linked = indicators[OUTCOME_INDICATORS[outcome.code][0]]
                        session.add(TaskIndicator(task_id=task.id, indicator_id=linked.id))  # type: ignore[arg-type]
    session.flush()
    return count


def _seed_task_owners(session: Session, people: list[Person]) -> None:
    """Three tasks in four get an owner: one of the people their lead organisation employs,
    taken in turn (no draw from the seeded random stream, so the rest of the demo stays
    as it was)."""
    staff: dict[int, list[Person]] = {}
    for person in people:
        if person.organisation_id is not None:
            staff.setdefault(person.organisation_id, []).append(person)
    tasks = session.scalars(select(Task).order_by(col(Task.id)))
    for n, task in enumerate(tasks):
        colleagues = staff.get(task.lead_organisation_id or 0, [])
        if colleagues and n % 4 != 3:
            task.owner_person_id = colleagues[n % len(colleagues)].id
    session.flush()


def _seed_task(
    session: Session,
    rnd: random.Random,
    action: Action,
    index: int,
    orgs: list[Organisation],
    final_rag: Rag | None,
    today: date,
) -> Task:
    deadline = today + timedelta(days=rnd.randint(-60, 240))
    task = Task(
        action_id=action.id,  # type: ignore[arg-type]
        ref="abcdefgh"[index],
        title=rnd.choice(TASK_TITLES),
        target=f"Done by {deadline:%B %Y}",
        deadline=deadline,
        lead_organisation_id=rnd.choice(orgs).id,
    )
    session.add(task)
    session.flush()
    # A history of updates every two months, ending in the task's current state; some
    # tasks stop reporting early so the stale-task view has something to show.
    updates = rnd.randint(1, 5)
    stale = rnd.random() < 0.2
    last_day = today - timedelta(days=100 if stale else rnd.randint(3, 40))
    history: list[Rag | None] = [
        rnd.choice([Rag.green, Rag.amber, Rag.red]) for _ in range(updates - 1)
    ]
    history.append(final_rag)
    for n, rag in enumerate(history):
        day = last_day - timedelta(days=61 * (len(history) - 1 - n))
        position = f"Update {n + 1}: " + rnd.choice(
            ["on track", "some delays with partners", "funding not yet confirmed", "work complete"]
        )
        improvement = (
            "Escalate to the executive and agree a recovery plan" if rag == Rag.red else None
        )
        session.add(
            StatusUpdate(
                task_id=task.id,  # type: ignore[arg-type]
                rag=rag,
                position=position,
                planned_improvement=improvement,
                deadline=deadline,
                reported_on=day,
                author="seed",
                on_behalf_of_id=task.lead_organisation_id,
            )
        )
        task.rag, task.position, task.planned_improvement = rag, position, improvement
        task.last_reported_on = day
    return task


def _seed_indicators(session: Session, rnd: random.Random, today: date) -> None:
    indicators = {i.code: i for i in session.scalars(select(Indicator))}
    year = today.year if today.month >= 4 else today.year - 1
    periods = [f"{y}-{str(y + 1)[2:]}" for y in (year - 1, year)]
    # Progress along the trajectory: ahead, a little behind (amber), well behind (red), on it.
    progress = (1.05, 0.98, 0.7, 1.0)
    for n, code in enumerate(DEMO_INDICATORS):
        ind = indicators[code]
        base = round(rnd.uniform(10, 60), 1)
        better = 1 if ind.polarity == "higher_is_better" else -1
        for p_index, period in enumerate(periods):
            target = round(base + better * rnd.uniform(2, 8), 1)
            session.add(
                LaaTarget(
                    indicator_id=ind.id,  # type: ignore[arg-type]
                    area=AREA,
                    period=period,
                    baseline=base,
                    target=target,
                    stretch=round(target + better * 1.5, 1),
                )
            )
            for q in range(1, 3 if p_index == len(periods) - 1 else 5):
                session.add(
                    Measurement(
                        indicator_id=ind.id,  # type: ignore[arg-type]
                        area=AREA,
                        period=f"{period}-Q{q}",
                        value=round(base + (target - base) * q / 4 * progress[(n + q) % 4], 1),
                        reported_on=today - timedelta(days=90 * (4 - q) + 365 * (1 - p_index)),
                        source="Place Survey" if ind.unit == "percent" else "Local monitoring",
                        reported_by="seed",
                    )
                )
    session.flush()


def _one_page_pdf(line: str) -> bytes:
    """A one-page PDF showing ``line`` (ASCII), the file of a demo paper."""
    text = line.encode("ascii", "replace").replace(b"\\", b"").replace(b"(", b"").replace(b")", b"")
    stream = b"BT /F1 14 Tf 56 780 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _seed_papers(session: Session, themes: list[Partnership], today: date) -> None:
    """A performance-report paper on the last held meeting of each active thematic group,
    linked to the indicators of the outcomes the group leads."""
    indicators = {i.code: i.id for i in session.scalars(select(Indicator))}
    for theme_index, theme in enumerate(themes):
        if theme.status != PartnershipStatus.active:
            continue
        item = session.scalars(
            select(AgendaItem)
            .join(Meeting, col(Meeting.id) == col(AgendaItem.meeting_id))
            .where(
                col(Meeting.partnership_id) == theme.id,
                col(Meeting.status) == MeetingStatus.held,
                col(AgendaItem.title) == "Performance report",
            )
            .order_by(col(Meeting.starts_at).desc())
            .limit(1)
        ).one()
        meeting_day = session.get_one(Meeting, item.meeting_id).starts_at.astimezone(LONDON)
        paper = Report(
            partnership_id=theme.id,
            title=f"{theme.name}: performance report {meeting_day:%B %Y}",
            description="Progress against the action plan since the last meeting.",
            purpose="To note progress and agree the planned improvements for red tasks.",
            circulation="Members of the partnership",
            author="Partnership officer",
            contact="The partnership officer (see the performance report)",
            published_on=meeting_day.date() - timedelta(days=7),
            target_audience="Partnership members and the executive",
            cross_reference="Sustainable Community Strategy, action plan",
            narrative="Most tasks are on track. Red tasks have recovery plans for approval.",
            decision_required="Agree the planned improvements for tasks rated red.",
            public=True,  # on the residents' site with its meeting
        )
        paper.performance_as_of = meeting_day.date()
        session.add(paper)
        session.flush()
        item.report_id = paper.id
        assert paper.id is not None
        papers.attach_bytes(
            session, paper.id, _one_page_pdf(paper.title), f"{theme.slug}-performance-report.pdf"
        )
        codes = [c for code, _, owner, ni in STRATEGY_OUTCOMES if owner == theme_index for c in ni]
        for code in dict.fromkeys(codes):
            session.add(ReportIndicator(report_id=paper.id, indicator_id=indicators[code]))  # type: ignore[arg-type]
    session.flush()
