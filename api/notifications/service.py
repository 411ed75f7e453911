"""Preferences (``/me/notifications``), one-click unsubscribe and the admins' Outbox."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import audit, clock
from api.core.errors import NotFound, Unprocessable, field_error
from api.core.pagination import PageParams, paginate
from api.core.permissions import require_role
from api.core.principal import Principal, Role
from api.notifications import unsubscribe as tokens
from api.notifications.categories import CATEGORIES, PERSONAL, Category
from api.notifications.models import NotificationPreference, OutboxMessage
from api.notifications.schemas import (
    CategoryPreference,
    NotificationPreferences,
    NotificationPreferencesUpdate,
    OutboxMessageBrief,
    OutboxMessageFilters,
    OutboxMessageRead,
    UnsubscribeRead,
    attachment_reads,
)
from api.people.models import Person

WITHHELD = "[Withheld: this message carries a one-time link to set a password.]"


def _person_id(principal: Principal) -> int:
    if principal.person_id is None:
        raise Unprocessable(
            "Only a user linked to a person (a member) receives notifications",
            slug="no-person",
        )
    return principal.person_id


def _choices(session: Session, person_id: int) -> dict[str, bool]:
    return dict(
        session.execute(
            select(NotificationPreference.category, NotificationPreference.enabled).where(
                col(NotificationPreference.person_id) == person_id
            )
        ).all()
    )


def preferences(session: Session, principal: Principal) -> NotificationPreferences:
    """The caller's setting of every category (its default where they chose nothing)."""
    person_id = _person_id(principal)
    person = session.get_one(Person, person_id)
    chosen = _choices(session, person_id)
    return NotificationPreferences(
        person_id=person_id,
        email=person.email,
        categories=[
            CategoryPreference(
                category=c,
                label=CATEGORIES[c].label,
                description=CATEGORIES[c].description,
                required=CATEGORIES[c].required,
                enabled=True if CATEGORIES[c].required else chosen.get(c, CATEGORIES[c].default),
            )
            for c in PERSONAL
        ],
    )


def _set(session: Session, person_id: int, category: Category, enabled: bool) -> bool:
    """Store the person's choice; whether anything was written."""
    row = session.scalar(
        select(NotificationPreference).where(
            col(NotificationPreference.person_id) == person_id,
            col(NotificationPreference.category) == category,
        )
    )
    if row is None:
        session.add(NotificationPreference(person_id=person_id, category=category, enabled=enabled))
        return True
    if row.enabled == enabled:
        return False
    row.enabled = enabled
    row.updated_at = clock.now()
    return True


def update_preferences(
    session: Session, principal: Principal, body: NotificationPreferencesUpdate
) -> NotificationPreferences:
    person_id = _person_id(principal)
    errors = [
        field_error(["categories", c.value], "is required by the terms of reference")
        for c, on in body.categories.items()
        if not on and CATEGORIES[c].required
    ] + [
        field_error(["categories", c.value], "is not a personal choice")
        for c in body.categories
        if c not in PERSONAL
    ]
    if errors:
        raise Unprocessable("Some categories cannot be switched off", errors=errors)
    before = {str(c): on for c, on in _choices(session, person_id).items()}
    written = [
        _set(session, person_id, category, enabled)
        for category, enabled in body.categories.items()
        if not CATEGORIES[category].required
    ]
    session.flush()
    after = {str(c): on for c, on in _choices(session, person_id).items()}
    if any(written):
        audit.record(
            session,
            principal,
            "update",
            "notification_preference",
            person_id,
            before=before,
            after=after,
        )
    return preferences(session, principal)


def unsubscribe(session: Session, token: str) -> UnsubscribeRead:
    """RFC 8058 one-click: the signed token names the person and category; no login."""
    found = tokens.read_token(token)
    if found is None or session.get(Person, found[0]) is None:
        raise NotFound("This unsubscribe link is not valid")
    person_id, category = found
    if CATEGORIES[category].required:
        raise NotFound("This unsubscribe link is not valid")
    before = {str(c): on for c, on in _choices(session, person_id).items()}
    written = _set(session, person_id, category, False)
    session.flush()
    after = {str(c): on for c, on in _choices(session, person_id).items()}
    if written:
        audit.record(
            session,
            f"person:{person_id}",
            "unsubscribe",
            "notification_preference",
            person_id,
            before=before,
            after=after,
        )
    return UnsubscribeRead(person_id=person_id, category=category, enabled=False)


def check_unsubscribe_token(session: Session, token: str) -> tuple[int, Category]:
    found = tokens.read_token(token)
    if found is None or CATEGORIES[found[1]].required or session.get(Person, found[0]) is None:
        raise NotFound("This unsubscribe link is not valid")
    return found


# -- the Outbox (administrators) ---------------------------------------------------------------


def list_messages(
    session: Session, principal: Principal, page: PageParams, filters: OutboxMessageFilters
) -> tuple[Sequence[OutboxMessageBrief], int]:
    """Queued, sent, failed and suppressed messages, newest first."""
    require_role(principal, Role.admin)
    stmt: Select[Any] = select(OutboxMessage)
    if filters.status is not None:
        stmt = stmt.where(col(OutboxMessage.status) == filters.status)
    if filters.category is not None:
        stmt = stmt.where(col(OutboxMessage.category) == filters.category)
    if filters.to_address:
        stmt = stmt.where(col(OutboxMessage.to_address) == filters.to_address.strip().lower())
    stmt = stmt.order_by(col(OutboxMessage.created_at).desc(), col(OutboxMessage.id).desc())
    rows, total = paginate(session, stmt, page)
    return [OutboxMessageBrief.model_validate(r, from_attributes=True) for r in rows], total


def get_message(session: Session, principal: Principal, message_id: int) -> OutboxMessageRead:
    require_role(principal, Role.admin)
    row = session.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound(f"No outbox_message with id {message_id}")
    withheld = row.category == Category.account
    data = {
        **OutboxMessageBrief.model_validate(row, from_attributes=True).model_dump(),
        "dedupe_key": row.dedupe_key,
        "message_id": row.message_id,
        "person_id": row.person_id,
        "unsubscribe_url": row.unsubscribe_url,
        "text_body": WITHHELD if withheld else row.text_body,
        "html_body": f"<p>{WITHHELD}</p>" if withheld else row.html_body,
        "withheld": withheld,
        "attachments": attachment_reads(list(row.attachments or [])),
    }
    return OutboxMessageRead.model_validate(data)
