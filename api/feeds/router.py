from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from api.auth.deps import PrincipalDep
from api.core.models import Id
from api.core.web.deps import SessionDep
from api.crud.router import PROBLEM_RESPONSES
from api.feeds import ical, popolo, tokens

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


class CalendarFeedRead(BaseModel):
    """Whether the caller has a private feed address; the address itself is shown only when
    it is issued."""

    active: bool
    created_at: datetime | None = None


class CalendarFeedIssued(CalendarFeedRead):
    token: str = Field(description="The secret in the address; shown once, stored hashed")
    url: str = Field(description="The feed address for a calendar client; keep it secret")


@router.get("/me/calendar-feed", operation_id="get_my_calendar_feed")
def get_my_calendar_feed(session: SessionDep, principal: PrincipalDep) -> CalendarFeedRead:
    """Whether the caller has a private feed (all meetings, public or not, of their
    partnerships) and since when."""
    row = tokens.current_token(session, principal)
    return CalendarFeedRead(active=row is not None, created_at=row.created_at if row else None)


@router.post(
    "/me/calendar-feed",
    operation_id="issue_my_calendar_feed",
    status_code=201,
    responses={422: {"description": "The caller is not a person (an API key or a bare login)"}},
)
def issue_my_calendar_feed(
    session: SessionDep, principal: PrincipalDep, response: Response
) -> CalendarFeedIssued:
    """Issue the caller's private feed address, replacing any earlier one (which stops
    working). The address is in this response only; it works without a login."""
    row, token = tokens.issue_token(session, principal)
    response.headers["Location"] = "/api/v1/me/calendar-feed"
    response.headers["Cache-Control"] = "no-store"
    return CalendarFeedIssued(
        active=True, created_at=row.created_at, token=token, url=tokens.feed_url(token)
    )


@router.delete("/me/calendar-feed", operation_id="revoke_my_calendar_feed", status_code=204)
def revoke_my_calendar_feed(session: SessionDep, principal: PrincipalDep) -> Response:
    """Revoke the caller's private feed address at once (404 when they have none)."""
    tokens.revoke_token(session, principal)
    return Response(status_code=204)


@router.get(
    "/calendars/{token}.ics",
    operation_id="get_private_calendar",
    response_class=Response,
    responses=ICS_RESPONSE,
)
def get_private_calendar(token: str, session: SessionDep) -> Response:
    """A person's private feed, by the secret address issued at ``/me/calendar-feed``."""
    person_id = tokens.person_for_token(session, token[:100])
    return _calendar(ical.private_feed(session, person_id), "my-meetings.ics")


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
