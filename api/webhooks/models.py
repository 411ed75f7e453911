from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Text
from sqlmodel import Field, SQLModel

from api.core import clock
from api.core.models import Entity, UTCDateTime, enum_check, enum_column


class DeliveryStatus(StrEnum):
    pending = "pending"
    delivered = "delivered"
    failed = "failed"


class Webhook(Entity, table=True):
    url: str = Field(max_length=500)
    events: str = Field(max_length=300)  # space-separated event names
    secret: str = Field(max_length=100)  # shared HMAC secret; needed in clear to sign
    active: bool = True
    description: str | None = Field(default=None, max_length=300)


class WebhookDelivery(SQLModel, table=True):
    """Transactional outbox row: written with the event, delivered by ``lsphub worker``."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (enum_check("status", DeliveryStatus),)

    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(foreign_key="webhook.id", index=True)
    event: str = Field(max_length=60, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: DeliveryStatus = enum_column(DeliveryStatus, default=DeliveryStatus.pending, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, sa_type=Text)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
