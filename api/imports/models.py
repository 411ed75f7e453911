from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from api.core import clock
from api.core.models import UTCDateTime


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
