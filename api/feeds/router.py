from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel

from api.auth.deps import PrincipalDep
from api.core.models import Id
from api.core.web.deps import SessionDep
from api.crud.router import PROBLEM_RESPONSES
from api.feeds import ical, popolo

router = APIRouter(tags=["feeds"], responses=PROBLEM_RESPONSES)

CALENDAR = "text/calendar; charset=utf-8"
ICS_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {"schema": {"type": "string"}}}, "description": "iCal"}
}


def _calendar(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type=CALENDAR,
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "no-cache",
        },
    )


@router.get(
    "/partnerships/{partnership_id}/meetings.ics",
    operation_id="get_partnership_calendar",
    response_class=Response,
    responses=ICS_RESPONSE,
)
def get_partnership_calendar(partnership_id: Id, session: SessionDep) -> Response:
    """The partnership's public meetings as iCalendar; no login needed (a published
    timetable). Cancelled and adjourned meetings carry STATUS:CANCELLED."""
    return _calendar(ical.partnership_feed(session, partnership_id), "meetings.ics")


@router.get(
    "/meetings.ics",
    operation_id="get_public_calendar",
    response_class=Response,
    responses=ICS_RESPONSE,
)
def get_public_calendar(session: SessionDep) -> Response:
    """Every public meeting of every partnership, as iCalendar."""
    return _calendar(ical.public_feed(session), "meetings.ics")


class CalendarFeed(BaseModel):
    token: str
    url: str


@router.get("/calendar-feed", operation_id="get_my_calendar_feed")
def get_my_calendar_feed(principal: PrincipalDep) -> CalendarFeed:
    """The caller's private feed address: all meetings, public or not, of their partnerships.
    Keep it secret; it works without a login."""
    token, url = ical.private_feed_url(principal)
    return CalendarFeed(token=token, url=url)


@router.get(
    "/calendars/{token}.ics",
    operation_id="get_private_calendar",
    response_class=Response,
    responses=ICS_RESPONSE,
)
def get_private_calendar(token: str, session: SessionDep) -> Response:
    return _calendar(ical.private_feed(session, token[:100]), "my-meetings.ics")


class PopoloExport(BaseModel):
    """Popolo JSON (popoloproject.com): persons, organizations, memberships, events."""

    persons: list[dict[str, Any]]
    organizations: list[dict[str, Any]]
    memberships: list[dict[str, Any]]
    events: list[dict[str, Any]]


@router.get("/popolo", operation_id="export_popolo")
def export_popolo(session: SessionDep, principal: PrincipalDep) -> PopoloExport:
    """Organisations and partnerships, people, memberships (role, on_behalf_of, start/end)
    and meetings as events, in Popolo shape."""
    return PopoloExport(**popolo.export(session, principal))
