"""The audit trail: every write records an event in the caller's transaction, so a write and
its record land together. ``request_id_var`` carries the request id (set by the middleware).

:func:`record` keeps an event's column values in the session; the next flush or commit writes
every kept event in one INSERT (a rolled-back transaction or savepoint drops those recorded in
it). Events are never ORM objects: one is written once and never changed, and the unit of
work's bookkeeping for them (construction, states, identity map, a RETURNING of each id) cost
a write more than its own rows did. Nothing reads an event back in the transaction.

Events form a hash chain (:mod:`api.core.audit_chain`): each gets its ``seq``, ``prev_hash``
and ``hash`` when it is linked (on PostgreSQL just after its transaction commits, on SQLite in
the flush that inserts it); database triggers refuse DELETE and every UPDATE but that one
linking, and ``lsphub audit verify`` walks the chain.
"""

from contextvars import ContextVar
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from types import SimpleNamespace
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Table, event, insert, text
from sqlalchemy.orm import Session, SessionTransaction
from sqlmodel import Field, SQLModel

from api.core import audit_chain, clock
from api.core.db import READ_ONLY, WriteInRead
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
"""session.info: an event was recorded in the session's transaction (for the audit guard)."""

_PENDING = "lsphub_audit_pending"
"""session.info: the events recorded and not written yet, each with the transaction (or
savepoint) it was recorded in."""

_TABLE: Table = AuditEvent.__table__  # type: ignore[attr-defined]
_INSERT = insert(_TABLE)
_UNLINKED = dict.fromkeys(c.key for c in _TABLE.columns if c.key != "id")


def record(
    session: Session,
    principal: Principal | str,
    action: str,
    resource: str,
    resource_id: Any,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Record an event in the session's transaction; the next flush or commit writes it."""
    if session.info.get(READ_ONLY):
        raise WriteInRead("a read request recorded an audit event")
    event = {
        **_UNLINKED,
        "at": clock.now(),
        "principal": principal if isinstance(principal, str) else principal.label,
        "action": action,
        "resource": resource,
        "resource_id": None if resource_id is None else str(resource_id),
        # Stored as the JSON they hash to: string keys, ISO dates, no tuples.
        "before": jsonable(before),
        "after": jsonable(after),
        "request_id": request_id_var.get(),
    }
    where = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((where, event))
    session.info[AUDITED] = True


def _write_pending(session: Session, *_: Any) -> None:
    """Write the recorded events in one INSERT: linked into the chain now on SQLite, left
    pending for the after-commit link on PostgreSQL (:func:`audit_chain.link_new`)."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    events = [SimpleNamespace(**values) for _, values in pending]
    audit_chain.link_new(session, events, _TABLE)
    session.connection().execute(_INSERT, [vars(e) for e in events])


def _drop_rolled_back(session: Session, rolled_back: SessionTransaction) -> None:
    """Forget the events recorded in a transaction or savepoint that rolled back."""
    pending = session.info.get(_PENDING)
    if not pending:
        return
    if rolled_back.parent is None:
        session.info.pop(_PENDING)
        return
    session.info[_PENDING] = [
        (where, values) for where, values in pending if not _within(where, rolled_back)
    ]


def _within(where: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while where is not None:
        if where is outer:
            return True
        where = where.parent
    return False


def _end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed (written before it) or rolled back or closed
        session.info.pop(_PENDING, None)


for _name, _listener in (
    ("before_flush", _write_pending),
    ("before_commit", _write_pending),
    ("after_soft_rollback", _drop_rolled_back),
    ("after_transaction_end", _end),
):
    if not event.contains(Session, _name, _listener):
        event.listen(Session, _name, _listener)
