from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

from api.core.models import Permitted, RecordMeta, StrictBody
from api.webhooks.models import DeliveryStatus


class WebhookEvent(StrEnum):
    status_update_created = "status_update.created"
    measurement_created = "measurement.created"
    meeting_updated = "meeting.updated"


URL_PATTERN = r"^https?://[^\s]+$"
URL_RULES = (
    "http or https, without a user name or password, to a public address: loopback, private, "
    "link-local, unique-local, multicast and reserved addresses are refused (422), here and "
    "again at delivery after DNS resolution, unless the host is in "
    "LSPHUB_WEBHOOK_ALLOWED_HOSTS. Redirects are not followed."
)


_B64 = "[A-Za-z0-9+/]"
_QUAD = f"{_B64}{{4}}"  # 3 bytes
_TAIL = f"(?:{_B64}{{2}}==|{_B64}{{3}}=)"  # 1 or 2 bytes
# whsec_ + padded base64 of 24 to 64 bytes: 24-62 bytes are 8-20 quads and an optional tail;
# 63 and 64 bytes are 21 quads and at most a one-byte tail.
SECRET_PATTERN = rf"^whsec_(?:(?:{_QUAD}){{8,20}}{_TAIL}?|(?:{_QUAD}){{21}}(?:{_B64}{{2}}==)?)$"

WebhookSecret = Annotated[
    str,
    Field(
        min_length=38,
        max_length=94,
        pattern=SECRET_PATTERN,
        description="Signing secret as the Standard Webhooks specification has it: `whsec_` "
        "and the base64 of 24 to 64 random bytes; write-only, never returned",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    ),
]


class _EventsAsText(BaseModel):
    """Events travel as a list and are stored space-separated."""

    @field_serializer("events", check_fields=False)
    def _join(self, events: list[WebhookEvent] | None) -> str | None:
        return None if events is None else " ".join(sorted({e.value for e in events}))


class WebhookCreate(_EventsAsText, StrictBody):
    """An endpoint that receives events as JSON POSTs signed per Standard Webhooks.

    Body: `{"id": <delivery id>, "event": "<name>", "created_at": "<ISO 8601>", "data": {...}}`.
    Headers: `LSPHub-Event` and the Standard Webhooks ones: `webhook-id` (the delivery id;
    deliveries are at least once, so de-duplicate on it), `webhook-timestamp` (unix seconds)
    and `webhook-signature: v1,<base64>`, an HMAC-SHA256 keyed with the secret's bytes over
    `"<webhook-id>.<webhook-timestamp>.<raw body>"`. Verify with a Standard Webhooks library,
    e.g. Python's `standardwebhooks.Webhook(secret).verify(body, headers)`, which also refuses
    timestamps more than 5 minutes away. Any 2xx is success; anything else (or no answer
    within 10 s) is retried with exponential backoff (30 s doubling, 8 attempts) by
    `lsphub worker`, then marked `failed` (see the delivery log; `redeliver` queues it again).
    """

    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        max_length=500,
        pattern=URL_PATTERN,
        examples=["https://example.org/hook"],
        description=URL_RULES,
    )
    events: list[WebhookEvent] = Field(min_length=1, max_length=10)
    secret: WebhookSecret | None = Field(
        None,
        description="Signing secret (`whsec_` and base64, as above); leave it out to have one "
        "generated. Returned once, in the response to this request, never again",
    )
    active: bool = True
    description: str | None = Field(None, max_length=300)


class WebhookUpdate(_EventsAsText, StrictBody):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, max_length=500, pattern=URL_PATTERN, description=URL_RULES)
    events: list[WebhookEvent] | None = Field(None, min_length=1, max_length=10)
    secret: WebhookSecret | None = None
    active: bool | None = None
    description: str | None = Field(None, max_length=300)


class WebhookRead(RecordMeta, Permitted):
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
