"""What the residents' site may show, and nothing more (DESIGN §13).

Every query here starts from the public partnerships and their public meetings: approved
minutes only, papers marked public only, people by name and role only (never an e-mail or a
phone number). Pages read through these functions and nothing else, so the rules have one home.
"""

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import clock
from api.core.audit import AuditEvent
from api.core.clock import LONDON
from api.core.heavy import heavy_work
from api.core.sorting import natural_key
from api.indicators.models import Indicator, LaaTarget, Measurement, Polarity
from api.meetings.models import AgendaItem, Decision, Meeting, MeetingStatus
from api.organisations.models import Organisation
from api.partnerships.models import Membership, MembershipRole, Partnership
from api.partnerships.service import open_on
from api.people.models import Person
from api.plans.models import Outcome, OutcomeIndicator, Strategy
from api.reports.models import Report, ReportIndicator
from api.reports.progress import progress_of
from api.reports.schemas import OutcomeProgress, StrategyProgress

UPCOMING_ON_HOME = 8
RECENT_DECISIONS = 8
FEED_ITEMS = 50
DECISIONS_PER_PAGE = 25

ROLE_ORDER = {
    MembershipRole.chair: 0,
    MembershipRole.vice_chair: 1,
    MembershipRole.member: 2,
    MembershipRole.representative: 3,
    MembershipRole.adviser: 4,
    MembershipRole.observer: 5,
    MembershipRole.officer: 6,
}

# Free text (minutes, decisions, agenda items, papers) is written by officers for the public
# record; an e-mail address or a phone number typed into it is still withheld.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w])(?:\+44\s?|0)(?:\d[\s-]?){9,10}(?![\w])")


def redact(text: str | None) -> str:
    if not text:
        return ""
    return _PHONE.sub("[phone number withheld]", _EMAIL.sub("[e-mail withheld]", text))


# -- what is public ----------------------------------------------------------------------------


def _public_partnership() -> ColumnElement[bool]:
    return col(Partnership.public).is_(True)


def _public_meeting() -> ColumnElement[bool]:
    """A public meeting of a public partnership (the query joins Partnership)."""
    return and_(col(Meeting.public).is_(True), _public_partnership())


def _meetings() -> Any:
    return select(Meeting, Partnership).join(
        Partnership, col(Partnership.id) == col(Meeting.partnership_id)
    )


def public_partnership_ids(session: Session) -> frozenset[int]:
    return frozenset(session.scalars(select(Partnership.id).where(_public_partnership())))


def public_papers(session: Session, *, paper_ids: Sequence[int] | None = None) -> dict[int, Report]:
    """Papers marked public, of no partnership or a public one: the one query for papers
    (a paper's storage may change; its visibility rule stays here)."""
    stmt = (
        select(Report)
        .outerjoin(Partnership, col(Partnership.id) == col(Report.partnership_id))
        .where(
            col(Report.public).is_(True),
            or_(col(Report.partnership_id).is_(None), _public_partnership()),
        )
    )
    if paper_ids is not None:
        if not paper_ids:
            return {}
        stmt = stmt.where(col(Report.id).in_(paper_ids))
    return {r.id: r for r in session.scalars(stmt.order_by(col(Report.id))) if r.id is not None}


def start_of_today() -> datetime:
    return datetime.combine(clock.today(), time(0), tzinfo=LONDON).astimezone(UTC)


def last_modified(session: Session) -> datetime:
    """When anything last changed: the latest audit event (every write, deletions included,
    records one in its transaction; an index lookup), and never before the start of today,
    when the "upcoming" lists move on. Pages' ETags hash their bodies, so a repeat request
    is a 304 only when the page is the same."""
    changed = session.scalar(sa_select(func.max(col(AuditEvent.at))))
    if isinstance(changed, str):  # SQLite hands back the text of a max()
        changed = datetime.fromisoformat(changed)
    floor = start_of_today()
    if changed is None:
        return floor
    if changed.tzinfo is None:
        changed = changed.replace(tzinfo=UTC)
    return max(changed, floor)


# -- shapes the templates read -----------------------------------------------------------------


@dataclass
class MeetingRow:
    meeting: Meeting
    partnership: Partnership

    @property
    def local_start(self) -> datetime:
        return self.meeting.starts_at.astimezone(LONDON)


@dataclass
class DecisionRow:
    decision: Decision
    meeting: Meeting
    partnership: Partnership
    agenda_title: str | None = None


@dataclass
class Member:
    name: str
    role: MembershipRole
    represents: str | None


@dataclass
class OrganisationMembers:
    name: str
    members: list[Member] = field(default_factory=list)


@dataclass
class PartnershipPage:
    partnership: Partnership
    parent: Partnership | None
    children: list[Partnership]
    chairs: list[Member]
    organisations: list[OrganisationMembers]
    upcoming: list[MeetingRow]
    past: list[MeetingRow]
    decisions: list[DecisionRow]
    has_progress: bool
    indicators: list[Indicator]


@dataclass
class AgendaEntry:
    item: AgendaItem
    paper: Report | None


@dataclass
class MeetingPage:
    row: MeetingRow
    agenda: list[AgendaEntry]
    decisions: list[Decision]
    minutes: str | None
    approved_at: datetime | None
    adjourned_to: Meeting | None


# -- home, partnerships, meetings --------------------------------------------------------------


def partnerships(session: Session) -> list[Partnership]:
    return list(
        session.scalars(
            select(Partnership)
            .where(_public_partnership())
            .order_by(col(Partnership.parent_id).is_not(None), col(Partnership.name))
        )
    )


def upcoming_meetings(
    session: Session, *, partnership_id: int | None = None, limit: int | None = None
) -> list[MeetingRow]:
    stmt = _meetings().where(_public_meeting(), col(Meeting.starts_at) >= start_of_today())
    if partnership_id is not None:
        stmt = stmt.where(col(Meeting.partnership_id) == partnership_id)
    stmt = stmt.order_by(col(Meeting.starts_at), col(Meeting.id))
    if limit:
        stmt = stmt.limit(limit)
    return [MeetingRow(m, p) for m, p in session.execute(stmt)]


def past_meetings(
    session: Session, *, partnership_id: int | None = None, limit: int | None = None
) -> list[MeetingRow]:
    stmt = _meetings().where(_public_meeting(), col(Meeting.starts_at) < start_of_today())
    if partnership_id is not None:
        stmt = stmt.where(col(Meeting.partnership_id) == partnership_id)
    stmt = stmt.order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())
    if limit:
        stmt = stmt.limit(limit)
    return [MeetingRow(m, p) for m, p in session.execute(stmt)]


def _decisions() -> Any:
    return (
        select(Decision, Meeting, Partnership, AgendaItem.title)
        .join(Meeting, col(Meeting.id) == col(Decision.meeting_id))
        .join(Partnership, col(Partnership.id) == col(Meeting.partnership_id))
        .outerjoin(AgendaItem, col(AgendaItem.id) == col(Decision.agenda_item_id))
        .where(_public_meeting())
    )


def _decision_rows(session: Session, stmt: Select[Any]) -> list[DecisionRow]:
    return [DecisionRow(d, m, p, t) for d, m, p, t in session.execute(stmt)]


def recent_decisions(
    session: Session, *, partnership_id: int | None = None, limit: int = RECENT_DECISIONS
) -> list[DecisionRow]:
    stmt = _decisions()
    if partnership_id is not None:
        stmt = stmt.where(col(Meeting.partnership_id) == partnership_id)
    stmt = stmt.order_by(col(Meeting.starts_at).desc(), col(Decision.id).desc()).limit(limit)
    return _decision_rows(session, stmt)


def partnership_by_slug(session: Session, slug: str) -> Partnership | None:
    return session.scalar(
        select(Partnership).where(col(Partnership.slug) == slug, _public_partnership())
    )


def partnership_page(session: Session, slug: str) -> PartnershipPage | None:
    p = partnership_by_slug(session, slug)
    if p is None or p.id is None:
        return None
    parent = None
    if p.parent_id is not None:
        parent = session.scalar(
            select(Partnership).where(col(Partnership.id) == p.parent_id, _public_partnership())
        )
    children = list(
        session.scalars(
            select(Partnership)
            .where(col(Partnership.parent_id) == p.id, _public_partnership())
            .order_by(col(Partnership.name))
        )
    )
    # Names, roles and organisations only: the query never reads an e-mail or a phone.
    employer = Organisation.__table__.alias("employer")  # type: ignore[attr-defined]
    rows = session.execute(
        sa_select(
            col(Person.name),
            col(Membership.role),
            col(Membership.represents),
            func.coalesce(col(Organisation.name), employer.c.name).label("organisation"),
        )
        .select_from(Membership)
        .join(Person, col(Person.id) == col(Membership.person_id))
        .outerjoin(Organisation, col(Organisation.id) == col(Membership.on_behalf_of_id))
        .outerjoin(employer, employer.c.id == col(Person.organisation_id))
        .where(col(Membership.partnership_id) == p.id, open_on(clock.today()))
        .order_by(col(Person.name), col(Membership.id))
    ).all()
    by_org: dict[str, OrganisationMembers] = {}
    chairs: list[Member] = []
    for name, role, represents, org in rows:
        member = Member(name=name, role=MembershipRole(role), represents=represents)
        key = org or "Independent members"
        by_org.setdefault(key, OrganisationMembers(key)).members.append(member)
        if member.role in (MembershipRole.chair, MembershipRole.vice_chair):
            chairs.append(member)
    chairs.sort(key=lambda m: ROLE_ORDER[m.role])
    for org_members in by_org.values():
        org_members.members.sort(key=lambda m: (ROLE_ORDER[m.role], m.name))
    return PartnershipPage(
        partnership=p,
        parent=parent,
        children=children,
        chairs=chairs,
        organisations=sorted(by_org.values(), key=lambda o: o.name),
        upcoming=upcoming_meetings(session, partnership_id=p.id),
        past=past_meetings(session, partnership_id=p.id, limit=12),
        decisions=recent_decisions(session, partnership_id=p.id, limit=5),
        has_progress=_strategy_for(session, p) is not None,
        indicators=partnership_indicators(session, p.id),
    )


def meeting_page(session: Session, meeting_id: int) -> MeetingPage | None:
    found = session.execute(
        _meetings().where(col(Meeting.id) == meeting_id, _public_meeting())
    ).first()
    if found is None:
        return None
    meeting, partnership = found
    items = list(
        session.scalars(
            select(AgendaItem)
            .where(col(AgendaItem.meeting_id) == meeting_id)
            .order_by(col(AgendaItem.position), col(AgendaItem.id))
        )
    )
    papers = public_papers(session, paper_ids=[i.report_id for i in items if i.report_id])
    decisions = list(
        session.scalars(
            select(Decision)
            .where(col(Decision.meeting_id) == meeting_id)
            .order_by(col(Decision.id))
        )
    )
    approved = meeting.minutes_approved_at is not None
    adjourned_to = None
    if meeting.adjourned_to_id is not None:
        adjourned_to = session.scalar(
            select(Meeting)
            .join(Partnership, col(Partnership.id) == col(Meeting.partnership_id))
            .where(col(Meeting.id) == meeting.adjourned_to_id, _public_meeting())
        )
    return MeetingPage(
        row=MeetingRow(meeting, partnership),
        agenda=[AgendaEntry(i, papers.get(i.report_id) if i.report_id else None) for i in items],
        decisions=decisions,
        minutes=meeting.minutes if approved else None,
        approved_at=meeting.minutes_approved_at if approved else None,
        adjourned_to=adjourned_to,
    )


@dataclass
class PaperPage:
    paper: Report
    partnership: Partnership | None
    meetings: list[MeetingRow]
    indicators: list[Indicator]


def paper_page(session: Session, paper_id: int) -> PaperPage | None:
    paper = public_papers(session, paper_ids=[paper_id]).get(paper_id)
    if paper is None:
        return None
    partnership = session.get(Partnership, paper.partnership_id) if paper.partnership_id else None
    meetings = [
        MeetingRow(m, p)
        for m, p in session.execute(
            _meetings()
            .join(AgendaItem, col(AgendaItem.meeting_id) == col(Meeting.id))
            .where(col(AgendaItem.report_id) == paper_id, _public_meeting())
            .order_by(col(Meeting.starts_at), col(Meeting.id))
            .distinct()
        )
    ]
    indicators = list(
        session.scalars(
            select(Indicator)
            .join(ReportIndicator, col(ReportIndicator.indicator_id) == col(Indicator.id))
            .where(col(ReportIndicator.report_id) == paper_id)
            .order_by(col(Indicator.id))
        )
    )
    return PaperPage(paper, partnership, meetings, indicators)


def paper_text(page: PaperPage) -> str:
    """The paper as a plain-text document in the report form's order (no contact line)."""
    p = page.paper
    lines = [p.title, "=" * min(len(p.title), 72), ""]
    if page.partnership:
        lines.append(f"Partnership: {page.partnership.name}")
    for label, value in (
        ("Published", p.published_on.isoformat() if p.published_on else None),
        ("Author", p.author),
        ("Target audience", p.target_audience),
        ("Cross reference", p.cross_reference),
    ):
        if value:
            lines.append(f"{label}: {redact(value)}")
    for label, value in (
        ("Description", p.description),
        ("Purpose", p.purpose),
        ("Report", p.narrative),
        ("Decision required", p.decision_required),
    ):
        if value:
            lines += ["", label, "-" * len(label), redact(value)]
    if page.indicators:
        lines += ["", "Indicators", "----------"]
        lines += [f"{i.code}: {i.title}" for i in page.indicators]
    return "\n".join(lines) + "\n"


# -- decisions ---------------------------------------------------------------------------------


@dataclass
class DecisionSearch:
    rows: list[DecisionRow]
    total: int
    page: int
    pages: int


def search_decisions(
    session: Session,
    *,
    q: str | None,
    partnership_id: int | None,
    result: str | None,
    since: date | None,
    until: date | None,
    page: int,
) -> DecisionSearch:
    stmt = _decisions()
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(col(Decision.text)).like(like),
                func.lower(col(AgendaItem.title)).like(like),
                func.lower(col(Meeting.title)).like(like),
            )
        )
    if partnership_id is not None:
        stmt = stmt.where(col(Meeting.partnership_id) == partnership_id)
    if result:
        stmt = stmt.where(col(Decision.result) == result)
    if since:
        stmt = stmt.where(
            col(Meeting.starts_at)
            >= datetime.combine(since, time(0), tzinfo=LONDON).astimezone(UTC)
        )
    if until:
        stmt = stmt.where(
            col(Meeting.starts_at)
            < datetime.combine(until, time(23, 59, 59), tzinfo=LONDON).astimezone(UTC)
        )
    total = session.scalar(sa_select(func.count()).select_from(stmt.order_by(None).subquery()))
    total = total or 0
    pages = max(1, -(-total // DECISIONS_PER_PAGE))
    page = min(max(page, 1), pages)
    rows = _decision_rows(
        session,
        stmt.order_by(col(Meeting.starts_at).desc(), col(Decision.id).desc())
        .limit(DECISIONS_PER_PAGE)
        .offset((page - 1) * DECISIONS_PER_PAGE),
    )
    return DecisionSearch(rows, total, page, pages)


def decision(session: Session, decision_id: int) -> DecisionRow | None:
    rows = _decision_rows(session, _decisions().where(col(Decision.id) == decision_id))
    return rows[0] if rows else None


# -- strategy progress -------------------------------------------------------------------------


def _strategy_for(session: Session, p: Partnership) -> Strategy | None:
    """The partnership's own strategy, else the nearest ancestor's (for the outcomes it leads)."""
    seen: set[int] = set()
    current: Partnership | None = p
    while current is not None and current.id is not None and current.id not in seen:
        seen.add(current.id)
        found = session.scalar(
            select(Strategy)
            .where(col(Strategy.partnership_id) == current.id)
            .order_by(col(Strategy.id).desc())
            .limit(1)
        )
        if found is not None:
            if current.id != p.id and not session.scalar(
                select(Outcome.id)
                .where(col(Outcome.strategy_id) == found.id)
                .where(col(Outcome.lead_partnership_id) == p.id)
                .limit(1)
            ):
                return None
            return found
        current = session.get(Partnership, current.parent_id) if current.parent_id else None
    return None


@dataclass
class ProgressPage:
    partnership: Partnership
    strategy: Strategy
    progress: StrategyProgress
    own: bool


def progress_page(session: Session, slug: str) -> ProgressPage | None:
    p = partnership_by_slug(session, slug)
    if p is None:
        return None
    strategy = _strategy_for(session, p)
    if strategy is None or strategy.id is None:
        return None
    public = public_partnership_ids(session)
    with heavy_work():
        progress = progress_of(session, strategy.id, public, None)
    own = strategy.partnership_id == p.id

    def shown(o: OutcomeProgress) -> bool:
        lead_ok = o.lead_partnership_id is None or o.lead_partnership_id in public
        return lead_ok and (own or o.lead_partnership_id == p.id)

    for group in progress.priorities:
        group.outcomes = [o for o in group.outcomes if shown(o)]
        for o in group.outcomes:
            if o.lead_partnership_id is not None and o.lead_partnership_id not in public:
                o.lead_partnership = None
    progress.priorities = [g for g in progress.priorities if g.outcomes]
    return ProgressPage(p, strategy, progress, own)


# -- indicators --------------------------------------------------------------------------------


def _reported_indicator_ids() -> Any:
    """Indicators linked to an outcome a public partnership leads, or to a public paper."""
    by_outcome = (
        sa_select(col(OutcomeIndicator.indicator_id))
        .join(Outcome, col(Outcome.id) == col(OutcomeIndicator.outcome_id))
        .join(Partnership, col(Partnership.id) == col(Outcome.lead_partnership_id))
        .where(_public_partnership())
    )
    by_paper = (
        sa_select(col(ReportIndicator.indicator_id))
        .join(Report, col(Report.id) == col(ReportIndicator.report_id))
        .outerjoin(Partnership, col(Partnership.id) == col(Report.partnership_id))
        .where(
            col(Report.public).is_(True),
            or_(col(Report.partnership_id).is_(None), _public_partnership()),
        )
    )
    return union_all(by_outcome, by_paper)


def indicators(session: Session) -> list[Indicator]:
    rows = session.scalars(
        select(Indicator).where(col(Indicator.id).in_(_reported_indicator_ids()))
    ).all()
    return sorted(rows, key=lambda i: natural_key(i.code))


def partnership_indicators(session: Session, partnership_id: int) -> list[Indicator]:
    rows = session.scalars(
        select(Indicator)
        .join(OutcomeIndicator, col(OutcomeIndicator.indicator_id) == col(Indicator.id))
        .join(Outcome, col(Outcome.id) == col(OutcomeIndicator.outcome_id))
        .where(col(Outcome.lead_partnership_id) == partnership_id)
        .distinct()
    ).all()
    return sorted(rows, key=lambda i: natural_key(i.code))


@dataclass
class Point:
    period: str
    value: float
    target: float | None
    met: bool | None


@dataclass
class Series:
    area: str
    points: list[Point]
    targets: list[LaaTarget]


@dataclass
class IndicatorPage:
    indicator: Indicator
    series: list[Series]
    partnerships: list[Partnership]


def _target_for(targets: Sequence[LaaTarget], period: str) -> LaaTarget | None:
    found: LaaTarget | None = None
    for t in targets:  # ordered by period
        if period.startswith(t.period):
            return t
        if t.period <= period:
            found = t
    return found


def indicator_page(session: Session, indicator_id: int) -> IndicatorPage | None:
    ind = session.scalar(
        select(Indicator).where(
            col(Indicator.id) == indicator_id, col(Indicator.id).in_(_reported_indicator_ids())
        )
    )
    if ind is None:
        return None
    measurements = session.execute(
        sa_select(col(Measurement.area), col(Measurement.period), col(Measurement.value))
        .where(col(Measurement.indicator_id) == indicator_id)
        .order_by(col(Measurement.area), col(Measurement.period), col(Measurement.reported_on))
    ).all()
    targets: dict[str, list[LaaTarget]] = defaultdict(list)
    for t in session.scalars(
        select(LaaTarget)
        .where(col(LaaTarget.indicator_id) == indicator_id)
        .order_by(col(LaaTarget.area), col(LaaTarget.period))
    ):
        targets[t.area].append(t)
    latest: dict[tuple[str, str], float] = {}
    for area, period, value in measurements:  # a later report of a period replaces it
        latest[(area, period)] = value
    higher = ind.polarity == Polarity.higher_is_better
    points: dict[str, list[Point]] = defaultdict(list)
    for (area, period), value in latest.items():
        target = _target_for(targets.get(area, []), period)
        met = None
        if target is not None:
            met = value >= target.target if higher else value <= target.target
        points[area].append(Point(period, value, target.target if target else None, met))
    areas = sorted(set(points) | set(targets))
    leads = list(
        session.scalars(
            select(Partnership)
            .join(Outcome, col(Outcome.lead_partnership_id) == col(Partnership.id))
            .join(OutcomeIndicator, col(OutcomeIndicator.outcome_id) == col(Outcome.id))
            .where(col(OutcomeIndicator.indicator_id) == indicator_id, _public_partnership())
            .distinct()
        )
    )
    leads.sort(key=lambda p: p.name)
    return IndicatorPage(
        indicator=ind,
        series=[Series(a, points.get(a, []), targets.get(a, [])) for a in areas],
        partnerships=leads,
    )


def chart(series: Series, polarity: Polarity) -> dict[str, Any] | None:
    """Coordinates of a small inline SVG line chart (values and the target line), so the
    trend is drawn on the server: no script."""
    values = [p.value for p in series.points]
    tvals = [t.target for t in series.targets] + [t.baseline for t in series.targets]
    if not values:
        return None
    lo, hi = min(values + tvals), max(values + tvals)
    if hi == lo:
        hi, lo = hi + 1, lo - 1
    pad = (hi - lo) * 0.1
    lo, hi = lo - pad, hi + pad
    width, height, left, top, bottom = 600, 220, 48, 12, 36
    inner_w, inner_h = width - left - 12, height - top - bottom
    n = len(values)

    def x(i: int) -> float:
        return round(left + (inner_w * i / (n - 1) if n > 1 else inner_w / 2), 1)

    def y(v: float) -> float:
        return round(top + inner_h * (hi - v) / (hi - lo), 1)

    points = [(x(i), y(p.value), p) for i, p in enumerate(series.points)]
    target_steps = [
        (x(i), y(p.target)) for i, p in enumerate(series.points) if p.target is not None
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "bottom": height - bottom,
        "right": width - 12,
        "line": " ".join(f"{px},{py}" for px, py, _ in points),
        "points": points,
        "target": " ".join(f"{px},{py}" for px, py in target_steps),
        "ticks": [(round(y(v), 1), round(v, 1)) for v in (lo + pad, (lo + hi) / 2, hi - pad)],
        "labels": [(px, p.period) for px, _, p in points][:: max(1, n // 8)],
        "higher": polarity == Polarity.higher_is_better,
    }


# -- feeds and the sitemap ---------------------------------------------------------------------


def feed_meetings(session: Session, partnership_id: int | None = None) -> list[MeetingRow]:
    return upcoming_meetings(session, partnership_id=partnership_id, limit=FEED_ITEMS)


def feed_decisions(session: Session, partnership_id: int | None = None) -> list[DecisionRow]:
    return recent_decisions(session, partnership_id=partnership_id, limit=FEED_ITEMS)


@dataclass
class SitemapEntry:
    path: str
    lastmod: datetime | None


def sitemap(session: Session) -> list[SitemapEntry]:
    fixed = ("/public/", "/public/meetings", "/public/decisions", "/public/indicators")
    entries = [SitemapEntry(path, None) for path in fixed]
    for p in partnerships(session):
        entries.append(SitemapEntry(f"/public/partnerships/{p.slug}", p.updated_at))
        if _strategy_for(session, p) is not None:
            entries.append(SitemapEntry(f"/public/partnerships/{p.slug}/progress", None))
    for m, _ in session.execute(
        _meetings().where(_public_meeting()).order_by(col(Meeting.starts_at), col(Meeting.id))
    ):
        entries.append(SitemapEntry(f"/public/meetings/{m.id}", m.updated_at))
    for d in session.scalars(
        select(Decision)
        .join(Meeting, col(Meeting.id) == col(Decision.meeting_id))
        .join(Partnership, col(Partnership.id) == col(Meeting.partnership_id))
        .where(_public_meeting())
        .order_by(col(Decision.id))
    ):
        entries.append(SitemapEntry(f"/public/decisions/{d.id}", d.updated_at))
    for paper in public_papers(session).values():
        entries.append(SitemapEntry(f"/public/papers/{paper.id}", paper.updated_at))
    for ind in indicators(session):
        entries.append(SitemapEntry(f"/public/indicators/{ind.id}", None))
    return entries


def is_upcoming(meeting: Meeting) -> bool:
    return meeting.starts_at >= start_of_today() and meeting.status == MeetingStatus.scheduled
