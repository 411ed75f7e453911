from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.core import clock
from api.core.models import UTCDateTime, enum_check, enum_column
from api.notifications.categories import Category


class MessageStatus(StrEnum):
    queued = "queued"  # waiting for the worker (or for its lease to run out)
    sent = "sent"  # accepted by the SMTP server, or written as .eml
    failed = "failed"  # gave up after the last attempt
    suppressed = "suppressed"  # the person unsubscribed between queueing and sending


class OutboxMessage(SQLModel, table=True):
    """A rendered e-mail, written in the transaction of the event that caused it and sent by
    ``lsphub worker``. ``dedupe_key`` is unique: the same notice is queued once, however often
    the event or the scheduler runs."""

    __tablename__ = "outbox_message"
    __table_args__ = (enum_check("status", MessageStatus), enum_check("category", Category))

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    category: Category = enum_column(Category, index=True)
    person_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="SET NULL"
    )
    to_address: str = Field(max_length=254)
    to_name: str | None = Field(default=None, max_length=200)
    subject: str = Field(max_length=300)
    text_body: str = Field(sa_type=Text)
    html_body: str = Field(sa_type=Text)
    # [{"filename", "content_type", "content" (text)}]
    attachments: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    unsubscribe_url: str | None = Field(default=None, max_length=500)
    message_id: str = Field(max_length=200)  # the Message-ID header, the same on every attempt
    status: MessageStatus = enum_column(MessageStatus, default=MessageStatus.queued, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)
    last_error: str | None = Field(default=None, sa_type=Text)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)


class NotificationPreference(SQLModel, table=True):
    """A person's choice for one category (no row: the category's default)."""

    __tablename__ = "notification_preference"
    __table_args__ = (
        UniqueConstraint("person_id", "category"),
        enum_check("category", Category),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    category: Category = enum_column(Category)
    enabled: bool
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
