from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from api.core import clock
from api.core.models import UTCDateTime


class PublicSubscription(SQLModel, table=True):
    """A resident's e-mail subscription to a partnership's new meetings and decisions, made
    on the public site without an account. The address is kept for this purpose only and the
    row is deleted on unsubscribe; it receives nothing until confirmed (double opt-in)."""

    __tablename__ = "public_subscription"
    __table_args__ = (UniqueConstraint("email", "partnership_id"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    partnership_id: int = Field(foreign_key="partnership.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
