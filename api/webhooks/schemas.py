from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

from api.core.models import RecordMeta
from api.webhooks.models import DeliveryStatus


class WebhookEvent(StrEnum):
    status_update_created = "status_update.created"
    measurement_created = "measurement.created"
    meeting_updated = "meeting.updated"


URL_PATTERN = r"^https?://[^\s]+$"


class _EventsAsText(BaseModel):
    """Events travel as a list and are stored space-separated."""

    @field_serializer("events", check_fields=False)
    def _join(self, events: list[WebhookEvent] | None) -> str | None:
        return None if events is None else " ".join(sorted({e.value for e in events}))


class WebhookCreate(_EventsAsText):
    """An endpoint that receives events as signed JSON POSTs.

    Body: `{"id": <delivery id>, "event": "<name>", "created_at": "<ISO 8601>", "data": {...}}`.
    Headers: `LSPHub-Event`, `LSPHub-Delivery` (the delivery id; deliveries are at least once,
    so de-duplicate on it) and `LSPHub-Signature: t=<unix seconds>,v1=<hex>` where `<hex>` is
    HMAC-SHA256 keyed with `secret` over `"<t>." + raw body`. Verify in constant time and
    refuse timestamps more than 5 minutes old. Any 2xx is success; anything else (or no answer
    within 10 s) is retried with exponential backoff (30 s doubling, 8 attempts) by
    `lsphub worker`, then marked `failed` (see the delivery log; `redeliver` queues it again).
    """

    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=500, pattern=URL_PATTERN, examples=["https://example.org/hook"])
    events: list[WebhookEvent] = Field(min_length=1, max_length=10)
    secret: str | None = Field(
        None,
        min_length=16,
        max_length=100,
        description="Shared secret for the HMAC signature; leave it out to have one generated. "
        "Returned once, in the response to this request, never again",
    )
    active: bool = True
    description: str | None = Field(None, max_length=300)


class WebhookUpdate(_EventsAsText):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, max_length=500, pattern=URL_PATTERN)
    events: list[WebhookEvent] | None = Field(None, min_length=1, max_length=10)
    secret: str | None = Field(None, min_length=16, max_length=100)
    active: bool | None = None
    description: str | None = Field(None, max_length=300)


class WebhookRead(RecordMeta):
    url: str
    events: list[str]
    active: bool
    description: str | None

    @field_validator("events", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return value.split() if isinstance(value, str) else value


class WebhookCreated(WebhookRead):
    """The new webhook: the only response that carries ``secret``; store it now."""

    secret: str


class WebhookSecretRead(BaseModel):
    """A new signing secret, in force at once: the only time it is shown."""

    webhook_id: int
    secret: str


class RedeliveryRead(BaseModel):
    """Failed deliveries queued again."""

    queued: int = Field(description="How many failed deliveries are pending again")
    delivery_ids: list[int]


class WebhookFilters(BaseModel):
    active: bool | None = None


class WebhookDeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    webhook_id: int
    event: str
    payload: dict[str, Any]
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
