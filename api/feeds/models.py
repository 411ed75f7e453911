from datetime import datetime

from sqlmodel import Field, SQLModel

from api.core import clock
from api.core.models import UTCDateTime


class CalendarToken(SQLModel, table=True):
    """The secret in a person's private meeting feed address; only its SHA-256 is stored.

    One per person: issuing a new one replaces it, so the old address stops working.
    """

    __tablename__ = "calendar_token"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
