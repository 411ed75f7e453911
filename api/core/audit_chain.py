"""The audit trail's hash chain: each event's SHA-256 covers its content and the hash of the
event before it, so changing, removing or reordering a stored event breaks the chain there.

Every event carries ``seq`` (its place in the chain: 1, 2, 3, … with no gaps), ``prev_hash``
(the previous event's ``hash``; :data:`GENESIS`, 64 zeros, for the first) and ``hash``: the
SHA-256, in lower-case hex, of the event's **canonical JSON** (docs/audit.md shows how to
recompute it outside the service):

- one JSON object with exactly the keys of :data:`CHAINED_FIELDS`, sorted, no whitespace
  (``,`` and ``:`` as separators), encoded as UTF-8 with non-ASCII characters as themselves;
- ``at`` as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC (always six fractional digits);
- ``seq`` an integer; ``before`` and ``after`` the stored JSON (or null); the others strings
  or null.

In Python: ``json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``.
The form is fixed: changing it would break every chain already stored (migration 0004 chains
existing events with it too).

Appends never fork the chain. The flush that writes a transaction's events is the last step
before its commit; on PostgreSQL it first takes a transaction-level advisory lock
(:data:`LOCK_KEY`, released by the commit or rollback) and only then reads the chain's tip, in
a statement of its own so that, under READ COMMITTED, it sees the tip the previous holder
committed. On SQLite a writing transaction already holds the database's write lock
(``BEGIN IMMEDIATE``); one that began as a reader cannot write once another has committed.
The unique ``seq`` is the backstop: two appends that read the same tip cannot both commit.
"""

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Table, event, select, text
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import instance_state

GENESIS = "0" * 64
# pg_advisory_xact_lock key of the chain's tip ("lsphaudt" as a big-endian integer).
LOCK_KEY = int.from_bytes(b"lsphaudt", "big")
CHAINED_FIELDS = (
    "action",
    "after",
    "at",
    "before",
    "prev_hash",
    "principal",
    "request_id",
    "resource",
    "resource_id",
    "seq",
)
VERIFY_BATCH = 1000


class Chained(Protocol):
    """An audit event as the chain sees it: a mapped object or a row read back."""

    @property
    def seq(self) -> int | None: ...
    @property
    def at(self) -> datetime: ...
    @property
    def prev_hash(self) -> str | None: ...
    @property
    def hash(self) -> str | None: ...


def format_at(at: datetime) -> str:
    """The canonical form of an event's instant."""
    if at.tzinfo is None:
        raise ValueError("an audit event's time must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(event: Chained) -> bytes:
    """The bytes an event's hash is taken over (see the module docstring)."""
    content = {name: getattr(event, name) for name in CHAINED_FIELDS}
    content["at"] = format_at(event.at)
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def event_hash(event: Chained) -> str:
    return hashlib.sha256(canonical_json(event)).hexdigest()


@dataclass(frozen=True)
class Tip:
    """The last event of the chain (seq 0 and :data:`GENESIS` when there is none)."""

    seq: int
    hash: str


def lock_and_read_tip(conn: Connection, table: Table) -> Tip:
    """Serialise appends (PostgreSQL: advisory lock to the end of the transaction), then read
    the tip. Two statements on purpose: a READ COMMITTED statement's snapshot is taken when
    it starts, so a tip read in the locking statement could predate the last holder's commit.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    row = conn.execute(
        select(table.c.seq, table.c.hash).order_by(table.c.seq.desc()).limit(1)
    ).first()
    return Tip(0, GENESIS) if row is None else Tip(int(row.seq), str(row.hash))


def link(session: Session, events: Sequence[Any], table: Table) -> None:
    """Give ``events`` (in the order they were recorded) their place in the chain."""
    tip = lock_and_read_tip(session.connection(), table)
    seq, prev = tip.seq, tip.hash
    for pending in events:
        seq += 1
        pending.seq = seq
        pending.prev_hash = prev
        pending.hash = prev = event_hash(pending)


_installed: set[type] = set()


def install(model: type) -> None:
    """Link every new ``model`` object in the flush that inserts it (idempotent)."""
    table: Table = model.__table__  # type: ignore[attr-defined]

    def link_new_events(session: Session, _context: UOWTransaction, _instances: Any) -> None:
        pending = [obj for obj in session.new if isinstance(obj, model)]
        if pending:
            pending.sort(key=lambda obj: instance_state(obj).insert_order or 0)
            link(session, pending, table)

    if model not in _installed:
        event.listen(Session, "before_flush", link_new_events)
        _installed.add(model)


# -- verification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """The first event at which the chain does not hold."""

    id: int | None
    seq: int | None
    field: str  # "seq", "prev_hash", "hash" or "anchor"
    expected: str
    stored: str

    def __str__(self) -> str:
        where = f"event id {self.id} (seq {self.seq})" if self.id is not None else "the chain"
        reason = {
            "seq": "events are missing before it",
            "prev_hash": "it does not link to the event before it (either was changed)",
            "hash": "its content was changed",
            "anchor": "it differs from the anchor given (events were rewritten or removed)",
        }[self.field]
        return f"{where}: {reason}; {self.field} expected {self.expected}, stored {self.stored}"


@dataclass(frozen=True)
class Verdict:
    events: int
    tip: Tip
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _rows(conn: Connection, table: Table) -> Iterator[Any]:
    """Every event in chain order, fetched in batches (constant memory)."""
    columns = [table.c.id, table.c.hash, *(table.c[name] for name in CHAINED_FIELDS)]
    stmt = select(*columns).order_by(table.c.seq)
    # Per statement: Connection.execution_options() would change the caller's connection.
    yield from conn.execute(stmt, execution_options={"yield_per": VERIFY_BATCH})


def verify(conn: Connection, table: Table, anchor: Tip | None = None) -> Verdict:
    """Walk the chain from its first event; stop at the first that does not hold.

    ``anchor``, a tip noted earlier (``seq`` and ``hash``), must still be in the chain: that
    catches what the chain alone cannot, events removed from its end or a chain rewritten
    whole.
    """
    tip, count = Tip(0, GENESIS), 0
    for row in _rows(conn, table):
        broken = _check(row, tip, anchor)
        if broken is not None:
            return Verdict(count, tip, broken)
        tip, count = Tip(row.seq, row.hash), count + 1
    if anchor is not None and anchor.seq > tip.seq:
        return Verdict(
            count, tip, Break(None, None, "anchor", f"seq {anchor.seq}", f"seq {tip.seq}")
        )
    return Verdict(count, tip, None)


def _check(row: Any, previous: Tip, anchor: Tip | None) -> Break | None:
    def broken(field: str, expected: object, stored: object) -> Break:
        return Break(row.id, row.seq, field, str(expected), str(stored))

    if row.seq != previous.seq + 1:
        return broken("seq", previous.seq + 1, row.seq)
    if row.prev_hash != previous.hash:
        return broken("prev_hash", previous.hash, row.prev_hash)
    computed = event_hash(row)
    if computed != row.hash:
        return broken("hash", computed, row.hash)
    if anchor is not None and row.seq == anchor.seq and row.hash != anchor.hash:
        return broken("anchor", anchor.hash, row.hash)
    return None


__all__ = [
    "CHAINED_FIELDS",
    "GENESIS",
    "LOCK_KEY",
    "Break",
    "Tip",
    "Verdict",
    "canonical_json",
    "event_hash",
    "install",
    "verify",
]
