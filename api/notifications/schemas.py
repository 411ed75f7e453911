from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, StrictBool

from api.core.models import StrictBody
from api.notifications.categories import Category
from api.notifications.models import MessageStatus


class CategoryPreference(BaseModel):
    category: Category
    label: str
    description: str
    required: bool = Field(description="Always sent (the terms of reference require it)")
    enabled: bool


class NotificationPreferences(BaseModel):
    person_id: int
    email: str | None = Field(description="Where messages go; none means nothing can be sent")
    categories: list[CategoryPreference]


class NotificationPreferencesUpdate(StrictBody):
    """Categories to switch on (true) or off (false); categories left out keep their setting.
    A required category cannot be switched off."""

    categories: dict[Category, StrictBool] = Field(
        examples=[{"digest": True, "reminder": False}], max_length=len(Category)
    )


class OutboxMessageFilters(BaseModel):
    status: MessageStatus | None = None
    category: Category | None = None
    to_address: str | None = Field(default=None, max_length=254)


class OutboxMessageBrief(BaseModel):
    id: int
    category: Category
    status: MessageStatus
    to_address: str
    to_name: str | None
    subject: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime


class OutboxAttachment(BaseModel):
    filename: str
    content_type: str
    content: str


class OutboxMessageRead(OutboxMessageBrief):
    dedupe_key: str
    message_id: str
    person_id: int | None
    unsubscribe_url: str | None
    text_body: str
    html_body: str
    withheld: bool = Field(
        description="The body holds a one-time secret (a password link) and is not shown"
    )
    attachments: list[OutboxAttachment]


class UnsubscribeRead(BaseModel):
    person_id: int
    category: Category
    enabled: bool


def attachment_reads(items: list[dict[str, Any]]) -> list[OutboxAttachment]:
    return [
        OutboxAttachment(
            filename=a.get("filename", ""),
            content_type=a.get("content_type", ""),
            content=a.get("content", ""),
        )
        for a in items
    ]
