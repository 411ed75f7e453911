"""iCalendar feeds of meetings (RFC 5545 via the ``icalendar`` library), Europe/London times.

UIDs are ``meeting-<id>@<host>`` so calendar clients update an event in place when a meeting
moves or is cancelled; SEQUENCE follows the row version.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import clock
from api.core.calendar import add_months
from api.core.clock import LONDON
from api.core.policy import not_found
from api.core.settings import get_settings
from api.meetings.models import AgendaItem, Meeting, MeetingStatus
from api.partnerships.models import Membership, Partnership
from api.partnerships.service import open_on

PRODID = "-//LSP Hub//Meetings//EN"


def _host() -> str:
    return urlsplit(get_settings().public_base_url).hostname or "lsphub.invalid"


def meeting_uid(meeting_id: int) -> str:
    return f"meeting-{meeting_id}@{_host()}"


def _since() -> datetime:
    """Feeds carry meetings from 12 months ago onwards."""
    return datetime.combine(add_months(clock.today(), -12), time(0, 0), tzinfo=LONDON)


def _meetings(session: Session, *where: ColumnElement[bool]) -> list[tuple[Meeting, str]]:
    rows = session.execute(
        select(Meeting, Partnership.name)
        .join(Partnership, col(Partnership.id) == col(Meeting.partnership_id))
        .where(col(Meeting.starts_at) >= _since(), *where)
        .order_by(col(Meeting.starts_at), col(Meeting.id))
    ).all()
    return [(m, name) for m, name in rows]


def _agendas(session: Session, meeting_ids: Sequence[int]) -> dict[int, list[str]]:
    agendas: dict[int, list[str]] = defaultdict(list)
    if meeting_ids:
        for meeting_id, title in session.execute(
            select(AgendaItem.meeting_id, AgendaItem.title)
            .where(col(AgendaItem.meeting_id).in_(meeting_ids))
            .order_by(col(AgendaItem.meeting_id), col(AgendaItem.position), col(AgendaItem.id))
        ):
            agendas[meeting_id].append(title)
    return agendas


def build_calendar(session: Session, name: str, rows: list[tuple[Meeting, str]]) -> bytes:
    from icalendar import Calendar, Event  # loaded with the first feed, not at startup

    base = get_settings().public_base_url.rstrip("/")
    agendas = _agendas(session, [m.id for m, _ in rows if m.id is not None])
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/London")
    for meeting, partnership_name in rows:
        assert meeting.id is not None
        event = Event()
        event.add("uid", meeting_uid(meeting.id))
        event.add("dtstamp", meeting.updated_at)
        event.add("last-modified", meeting.updated_at)
        event.add("created", meeting.created_at)
        event.add("sequence", meeting.version - 1)
        event.add("summary", meeting.title)
        event.add("dtstart", meeting.starts_at.astimezone(LONDON))
        if meeting.ends_at is not None:
            event.add("dtend", meeting.ends_at.astimezone(LONDON))
        if meeting.location:
            event.add("location", meeting.location)
        lines = [partnership_name]
        if meeting.status == MeetingStatus.adjourned and meeting.adjourned_to_id:
            lines.append(f"Adjourned to meeting {meeting.adjourned_to_id}.")
        if agendas.get(meeting.id):
            lines.append("Agenda:")
            lines += [f"{n}. {title}" for n, title in enumerate(agendas[meeting.id], start=1)]
        event.add("description", "\n".join(lines))
        event.add("categories", [meeting.kind.replace("_", " ")])
        event.add("url", f"{base}/meetings/{meeting.id}")
        cancelled = meeting.status in (MeetingStatus.cancelled, MeetingStatus.adjourned)
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("class", "PUBLIC" if meeting.public else "PRIVATE")
        cal.add_component(event)
    if rows:
        # Transitions only for the years the feed spans, not 1970-2038.
        first, last = rows[0][0].starts_at, max(m.starts_at for m, _ in rows)
        cal.add_missing_timezones(date(first.year - 1, 1, 1), date(last.year + 2, 1, 1))
    return cal.to_ical()


def partnership_feed(session: Session, partnership_id: int) -> bytes:
    """Public meetings of one partnership; open to anyone, like a published timetable."""
    partnership = session.get(Partnership, partnership_id)
    if partnership is None or not partnership.public:
        raise not_found("partnership", partnership_id)
    rows = _meetings(
        session,
        col(Meeting.partnership_id) == partnership_id,
        col(Meeting.public).is_(True),
    )
    return build_calendar(session, f"{partnership.name} meetings", rows)


def public_feed(session: Session) -> bytes:
    return build_calendar(
        session,
        "LSP Hub public meetings",
        _meetings(session, col(Meeting.public).is_(True), col(Partnership.public).is_(True)),
    )


# -- private feeds -----------------------------------------------------------------------------


def private_feed(session: Session, person_id: int) -> bytes:
    """Every meeting, public or not, of the partnerships the person currently belongs to."""
    mine = select(Membership.partnership_id).where(
        col(Membership.person_id) == person_id, open_on(clock.today())
    )
    rows = _meetings(session, col(Meeting.partnership_id).in_(mine))
    return build_calendar(session, "My partnership meetings", rows)
