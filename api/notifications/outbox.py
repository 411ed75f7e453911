"""Queue an e-mail in the caller's transaction: the one way any feature sends mail.

    from api.notifications.outbox import enqueue
    enqueue(
        session,
        to="alex@example.org",
        subject="[Safer Communities] Meeting 6 — agenda and papers",
        template="agenda",            # templates/agenda.html and templates/agenda.txt
        context={"meeting": {...}},   # plain values: the message is rendered now
        category=Category.agenda,     # or its name, "agenda"
        dedupe_key="agenda:6:alex@example.org",
    )

The message is rendered here and written to ``outbox_message`` in the same transaction as the
change that caused it, so it is sent if and only if that change commits; ``lsphub worker``
sends it. ``dedupe_key`` is unique: a second ``enqueue`` with the same key queues nothing and
returns None (a reminder goes once per person per cycle however often the scheduler runs).

For a person (``person_id``), a category they switched off queues nothing, and a category they
may switch off gets a signed one-click ``List-Unsubscribe`` link. A caller mailing someone who
is not a person (e.g. a subscriber of the public site) passes its own ``unsubscribe_url``,
which must accept an RFC 8058 one-click POST.
"""

import secrets
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import clock
from api.core.settings import get_settings
from api.notifications import unsubscribe
from api.notifications.categories import CATEGORIES, Category
from api.notifications.models import MessageStatus, NotificationPreference, OutboxMessage

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = ["build_message", "enqueue", "is_wanted", "message_values", "render"]

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=2)
def _environment(html: bool) -> "Environment":
    """The templates' environment, built with the first message: a web worker that sends no
    message never loads Jinja2 (≈ 9 MiB)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]) if html else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """``templates/<template>.txt`` and ``.html`` rendered with ``context`` -> (text, html)."""
    values = {"base_url": get_settings().public_base_url.rstrip("/"), **context}
    text = _environment(html=False).get_template(f"{template}.txt").render(values)
    html = _environment(html=True).get_template(f"{template}.html").render(values)
    return text, html


def is_wanted(session: Session, person_id: int, category: Category) -> bool:
    """Whether the person receives ``category`` (required notices always)."""
    info = CATEGORIES[category]
    if info.required:
        return True
    enabled = session.scalar(
        select(NotificationPreference.enabled).where(
            col(NotificationPreference.person_id) == person_id,
            col(NotificationPreference.category) == category,
        )
    )
    return info.default if enabled is None else bool(enabled)


def _message_id() -> str:
    host = urlsplit(get_settings().public_base_url).hostname or "lsphub.invalid"
    return f"<{secrets.token_hex(16)}@{host}>"


def message_values(
    *,
    to: str,
    subject: str,
    template: str,
    context: Mapping[str, Any],
    category: Category,
    dedupe_key: str,
    unsubscribe_url: str | None = None,
    person_id: int | None = None,
    to_name: str | None = None,
    attachments: Sequence[Mapping[str, str]] = (),
) -> dict[str, Any]:
    """The column values of a rendered outbox row (for callers that queue in bulk and check
    preferences and dedupe keys themselves, like the reminder run)."""
    if unsubscribe_url is None and person_id is not None and not CATEGORIES[category].required:
        unsubscribe_url = unsubscribe.url_for(person_id, category)
    text, html = render(
        template,
        {**context, "unsubscribe_url": unsubscribe_url, "category": CATEGORIES[category]},
    )
    now = clock.now()
    return {
        "dedupe_key": dedupe_key[:200],
        "category": category,
        "person_id": person_id,
        "to_address": to,
        "to_name": to_name,
        "subject": " ".join(subject.split())[:300],
        "text_body": text,
        "html_body": html,
        "attachments": [dict(a) for a in attachments],
        "unsubscribe_url": unsubscribe_url,
        "message_id": _message_id(),
        "status": MessageStatus.queued,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": None,
        "sent_at": None,
        "created_at": now,
    }


def build_message(**values: Any) -> OutboxMessage:
    """A rendered outbox row, not yet added to a session (see :func:`message_values`)."""
    return OutboxMessage(**message_values(**values))


def enqueue(
    session: Session,
    *,
    to: str,
    subject: str,
    template: str,
    context: Mapping[str, Any],
    category: Category | str,
    dedupe_key: str,
    unsubscribe_url: str | None = None,
    person_id: int | None = None,
    to_name: str | None = None,
    attachments: Sequence[Mapping[str, str]] = (),
) -> OutboxMessage | None:
    """Render and queue one message in the caller's transaction; None when nothing is queued
    (the dedupe key was used before, or the person switched the category off).

    ``attachments`` are ``{"filename", "content_type", "content"}`` with text content (e.g. an
    ``.ics``). Nothing is committed here.
    """
    category = Category(category)
    if person_id is not None and not is_wanted(session, person_id, category):
        return None
    dedupe_key = dedupe_key[:200]
    if session.scalar(select(OutboxMessage.id).where(col(OutboxMessage.dedupe_key) == dedupe_key)):
        return None
    message = build_message(
        to=to,
        subject=subject,
        template=template,
        context=context,
        category=category,
        dedupe_key=dedupe_key,
        unsubscribe_url=unsubscribe_url,
        person_id=person_id,
        to_name=to_name,
        attachments=attachments,
    )
    try:
        with session.begin_nested():  # another transaction queued the same key first
            session.add(message)
            session.flush()
    except IntegrityError:
        return None
    return message
