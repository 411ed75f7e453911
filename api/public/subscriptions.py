"""Residents' e-mail subscriptions to a partnership's new meetings and decisions.

Double opt-in: subscribing queues a confirmation message and nothing else; only a confirmed
subscription receives notices. Every notice carries a one-click unsubscribe link (RFC 8058);
unsubscribing deletes the row and the messages queued for it, so the address is gone. The
address never reaches the audit log (which keeps ids only) and is used for nothing else.

Links carry ``<id>.<signature>``: an HMAC under the install's secret key of the purpose, the
subscription and its address, so nothing secret is stored and a link made for one address
never works for another (or for a later subscription of the same id).
"""

import base64
import hashlib
import hmac
import re

from sqlalchemy import delete
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import audit, clock
from api.core.clock import LONDON
from api.core.errors import invalid
from api.core.events import subscribe
from api.core.settings import get_settings
from api.meetings.events import MeetingScheduled, MinutesApproved
from api.meetings.models import Decision, Meeting
from api.notifications.categories import Category
from api.notifications.models import OutboxMessage
from api.notifications.outbox import enqueue
from api.partnerships.models import Partnership
from api.public.models import PublicSubscription
from api.public.service import redact

PRINCIPAL = "public-site"
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
CONFIRM, UNSUBSCRIBE = "confirm", "unsubscribe"
DEDUPE_PREFIX = "public-subscription"


def _signature(purpose: str, row: PublicSubscription) -> str:
    secret = get_settings().secret_key
    assert secret is not None
    digest = hmac.new(
        secret.get_secret_value().encode(),
        f"public-subscription:{purpose}:{row.id}:{row.email}".encode(),
        hashlib.sha256,
    ).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def token(purpose: str, row: PublicSubscription) -> str:
    return f"{row.id}.{_signature(purpose, row)}"


def _base() -> str:
    return get_settings().public_base_url.rstrip("/")


def link(purpose: str, row: PublicSubscription) -> str:
    return f"{_base()}/public/subscriptions/{purpose}?token={token(purpose, row)}"


def find(session: Session, purpose: str, value: str) -> PublicSubscription | None:
    """The subscription a link names, or None when it names none (or is not one we signed)."""
    head, _, signature = value.partition(".")
    if not head.isdigit() or len(head) > 12 or not signature:
        return None
    row = session.get(PublicSubscription, int(head))
    if row is None or not hmac.compare_digest(signature, _signature(purpose, row)):
        return None
    return row


def subscribe_address(session: Session, partnership: Partnership, email: str) -> None:
    """Record the address (unconfirmed) and send it a confirmation link. The same answer
    whether or not it was subscribed before, so the page reveals nobody's subscriptions."""
    address = email.strip().lower()
    if len(address) > 254 or not EMAIL.match(address):
        raise invalid("email", "Enter an e-mail address like name@example.org")
    assert partnership.id is not None
    row = session.scalar(
        select(PublicSubscription).where(
            col(PublicSubscription.email) == address,
            col(PublicSubscription.partnership_id) == partnership.id,
        )
    )
    if row is not None and row.confirmed_at is not None:
        return  # already receiving them: nothing to confirm
    if row is None:
        row = PublicSubscription(email=address, partnership_id=partnership.id)
        session.add(row)
        session.flush()
        audit.record(
            session, PRINCIPAL, "create", "public_subscription", row.id,
            after={"partnership_id": partnership.id, "confirmed": False},
        )  # fmt: skip
    day = clock.today().isoformat()
    enqueue(
        session,
        to=address,
        subject=f"Confirm: e-mails from {partnership.name}",
        template="public_confirm",
        context={"partnership": partnership.name, "url": link(CONFIRM, row)},
        category=Category.other,
        dedupe_key=f"{DEDUPE_PREFIX}:{row.id}:confirm:{day}",  # at most one a day
    )


def confirm(session: Session, row: PublicSubscription) -> None:
    if row.confirmed_at is None:
        row.confirmed_at = clock.now()
        audit.record(
            session, PRINCIPAL, "confirm", "public_subscription", row.id,
            after={"partnership_id": row.partnership_id, "confirmed": True},
        )  # fmt: skip


def unsubscribe(session: Session, row: PublicSubscription) -> None:
    """Delete the subscription and every message queued or sent to it: the address is gone."""
    session.execute(
        delete(OutboxMessage).where(
            col(OutboxMessage.dedupe_key).startswith(f"{DEDUPE_PREFIX}:{row.id}:"),
        )
    )
    audit.record(
        session, PRINCIPAL, "delete", "public_subscription", row.id,
        before={"partnership_id": row.partnership_id},
    )  # fmt: skip
    session.delete(row)
    session.flush()


# -- notices -----------------------------------------------------------------------------------


def _public_meeting(session: Session, meeting_id: int) -> tuple[Meeting, Partnership] | None:
    found = session.execute(
        select(Meeting, Partnership)
        .join(Partnership, col(Partnership.id) == col(Meeting.partnership_id))
        .where(
            col(Meeting.id) == meeting_id,
            col(Meeting.public).is_(True),
            col(Partnership.public).is_(True),
        )
    ).first()
    return (found[0], found[1]) if found else None


def _notify(
    session: Session, meeting: Meeting, partnership: Partnership, kind: str, lines: list[str]
) -> None:
    subscribers = session.scalars(
        select(PublicSubscription)
        .where(
            col(PublicSubscription.partnership_id) == partnership.id,
            col(PublicSubscription.confirmed_at).is_not(None),
        )
        .order_by(col(PublicSubscription.id))
    ).all()
    when = meeting.starts_at.astimezone(LONDON)
    for row in subscribers:
        enqueue(
            session,
            to=row.email,
            subject=f"{partnership.name}: {meeting.title}"
            + (" — new meeting" if kind == "meeting" else " — minutes and decisions"),
            template="public_update",
            context={
                "partnership": partnership.name,
                "title": meeting.title,
                "kind": kind,
                "when": f"{when:%A} {when.day} {when:%B %Y, %H:%M}",
                "location": meeting.location or "",
                "lines": lines,
                "url": f"{_base()}/public/meetings/{meeting.id}",
                "partnership_url": f"{_base()}/public/partnerships/{partnership.slug}",
            },
            category=Category.other,
            dedupe_key=f"{DEDUPE_PREFIX}:{row.id}:{kind}:{meeting.id}",
            unsubscribe_url=link(UNSUBSCRIBE, row),
        )


def on_meeting_scheduled(session: Session, event: MeetingScheduled) -> None:
    found = _public_meeting(session, event.meeting_id)
    if found is not None:
        _notify(session, *found, "meeting", [])


def on_minutes_approved(session: Session, event: MinutesApproved) -> None:
    """The meeting's minutes are now public: send its decisions with them."""
    found = _public_meeting(session, event.meeting_id)
    if found is None:
        return
    decisions = session.scalars(
        select(Decision)
        .where(col(Decision.meeting_id) == event.meeting_id)
        .order_by(col(Decision.id))
    ).all()
    lines = [f"{redact(d.text)} ({d.result})" for d in decisions]
    _notify(session, *found, "decisions", lines)


def install() -> None:
    """Subscribe the handlers (idempotent)."""
    subscribe(MeetingScheduled, on_meeting_scheduled)
    subscribe(MinutesApproved, on_minutes_approved)
