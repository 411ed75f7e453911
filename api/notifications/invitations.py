"""Calendar invitations attached to meeting notices (iTIP, RFC 5546): ``METHOD:REQUEST`` for a
meeting called or moved, ``METHOD:CANCEL`` for one cancelled or adjourned.

The event has the UID and SEQUENCE of the meeting in the iCal feeds (``api.feeds.ical``), so a
calendar that took the meeting from either place updates the same entry.
"""

from typing import Literal

from api.core.clock import LONDON
from api.core.settings import get_settings
from api.feeds.ical import PRODID, meeting_uid
from api.meetings.models import Meeting

Method = Literal["REQUEST", "CANCEL"]


def invitation(
    meeting: Meeting, partnership_name: str, attendee: str, method: Method
) -> dict[str, str]:
    """An ``.ics`` attachment (``{"filename", "content_type", "method", "content"}``)."""
    from icalendar import Calendar, Event, vCalAddress, vText  # with the first invitation

    assert meeting.id is not None
    settings = get_settings()
    base = settings.public_base_url.rstrip("/")
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", meeting_uid(meeting.id))
    event.add("sequence", meeting.version - 1)
    event.add("dtstamp", meeting.updated_at)
    event.add("summary", f"{partnership_name}: {meeting.title}")
    event.add("dtstart", meeting.starts_at.astimezone(LONDON))
    if meeting.ends_at is not None:
        event.add("dtend", meeting.ends_at.astimezone(LONDON))
    if meeting.location:
        event.add("location", meeting.location)
    event.add("url", f"{base}/meetings/{meeting.id}")
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    sender = settings.mail_from.rsplit("<", 1)[-1].rstrip(">").strip()
    organizer = vCalAddress(f"mailto:{sender}")
    organizer.params["cn"] = vText(partnership_name)
    event.add("organizer", organizer)
    guest = vCalAddress(f"mailto:{attendee}")
    guest.params["role"] = vText("REQ-PARTICIPANT")
    guest.params["rsvp"] = vText("FALSE")
    event.add("attendee", guest)
    cal.add_component(event)
    cal.add_missing_timezones()
    return {
        "filename": "invite.ics" if method == "REQUEST" else "cancel.ics",
        "content_type": "text/calendar",
        "method": method,
        "content": cal.to_ical().decode(),
    }
