from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from api.common import UTCDateTime
from api.core import clock


class AuditEvent(SQLModel, table=True):
    """Append-only record of a write; no API changes or deletes one."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)
    principal: str = Field(max_length=200, index=True)
    action: str = Field(max_length=40, index=True)
    resource: str = Field(max_length=60, index=True)
    resource_id: str | None = Field(default=None, max_length=60, index=True)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    request_id: str | None = Field(default=None, max_length=64, index=True)


class Tombstone(SQLModel, table=True):
    """Remembers deletions so incremental exports can report them."""

    id: int | None = Field(default=None, primary_key=True)
    resource: str = Field(max_length=60, index=True)
    resource_id: int = Field(index=True)
    natural_key: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    deleted_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)
