from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.common import UTCDateTime
from api.core import clock


class ImportRecord(SQLModel, table=True):
    """One applied import: who, when, what file, and what it changed."""

    __tablename__ = "import_record"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40, index=True)
    file_name: str | None = Field(default=None, max_length=300)
    sha256: str = Field(max_length=64, index=True)
    principal: str = Field(max_length=200)
    counts: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)


class IdempotencyRecord(SQLModel, table=True):
    """The first response to a write sent with an ``Idempotency-Key``, replayed on retries."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("principal", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    principal: str = Field(max_length=200)
    key: str = Field(max_length=200)
    method: str = Field(max_length=10)
    path: str = Field(max_length=500)
    body_sha256: str = Field(max_length=64)
    status_code: int | None = None
    response_body: str | None = None
    response_headers: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)
