"""The audit trail: every write records an event in the caller's transaction, so a write and
its record land together. ``request_id_var`` carries the request id (set by the middleware).

Events form a hash chain (:mod:`api.core.audit_chain`): each gets its ``seq``, ``prev_hash``
and ``hash`` when it is linked (on PostgreSQL just after its transaction commits, on SQLite in
the flush that inserts it); database triggers refuse DELETE and every UPDATE but that one
linking, and ``lsphub audit verify`` walks the chain.
"""

from contextvars import ContextVar
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, text
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from api.core import audit_chain, clock
from api.core.models import UTCDateTime
from api.core.principal import Principal


class AuditEvent(SQLModel, table=True):
    """Append-only record of a write: nothing changes or deletes one (database triggers refuse
    it). ``seq``, ``prev_hash`` and ``hash`` are NULL until the event is linked into the chain,
    and set once."""

    __tablename__ = "audit_event"
    __table_args__ = (
        # The linker's "every pending event, in id order": a small index, whatever the size.
        Index(
            "ix_audit_event_pending",
            "id",
            postgresql_where=text("seq IS NULL"),
            sqlite_where=text("seq IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    seq: int | None = Field(default=None, sa_type=BigInteger, unique=True)
    at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)
    principal: str = Field(max_length=200, index=True)
    action: str = Field(max_length=40, index=True)
    resource: str = Field(max_length=60, index=True)
    resource_id: str | None = Field(default=None, max_length=60, index=True)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    request_id: str | None = Field(default=None, max_length=64, index=True)
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)


audit_chain.install(AuditEvent)


class Tombstone(SQLModel, table=True):
    """Remembers deletions so incremental exports can report them."""

    id: int | None = Field(default=None, primary_key=True)
    resource: str = Field(max_length=60, index=True)
    resource_id: int = Field(index=True)
    natural_key: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    deleted_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)


request_id_var: ContextVar[str | None] = ContextVar("lsphub_request_id", default=None)

_SECRET_FIELDS = frozenset({"password_hash", "key_hash", "token_hash", "secret"})


def snapshot(row: SQLModel | None) -> dict[str, Any] | None:
    """A JSON-safe copy of a row's columns, without secrets."""
    if row is None:
        return None
    columns = row.__table__.columns  # type: ignore[attr-defined]
    data = {c.key: getattr(row, c.key) for c in columns if c.key not in _SECRET_FIELDS}
    return {key: jsonable(value) for key, value in data.items()}


_AS_IS = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """A column value as JSON: enums by value, dates and times in ISO 8601."""
    if type(value) in _AS_IS:  # most values: checked first, at the cost of one look-up
        return value
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value.as_tuple().exponent >= 0 else float(value)  # type: ignore[operator]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


AUDITED = "lsphub_audited"
"""session.info: an event was recorded in the session's transaction (for the audit guard; the
event itself leaves the session when its flush writes it)."""


def record(
    session: Session,
    principal: Principal | str,
    action: str,
    resource: str,
    resource_id: Any,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        principal=principal if isinstance(principal, str) else principal.label,
        action=action,
        resource=resource,
        resource_id=None if resource_id is None else str(resource_id),
        # Stored as the JSON they hash to: string keys, ISO dates, no tuples.
        before=jsonable(before),
        after=jsonable(after),
        request_id=request_id_var.get(),
    )
    session.add(event)
    session.info[AUDITED] = True
    return event
