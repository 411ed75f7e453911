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

Appends never fork the chain, and one writer links at a time. On PostgreSQL a request's events
are inserted **pending** (``seq``, ``prev_hash`` and ``hash`` NULL, no lock), and right after its
commit a short linking transaction (:func:`link_pending`) takes a transaction-level advisory
lock (:data:`LOCK_KEY`, released by its commit), reads the tip in a statement of its own (under
READ COMMITTED it then sees the tip the previous holder committed) and links every pending
event, in id order, in one batch: concurrent writers commit side by side and share a few
linking commits instead of committing one at a time under the lock. Within a process one link
runs at a time, and writers that commit meanwhile wait for the next one, which covers them all
(:class:`_Linker`); a linker that finds nothing pending writes nothing. Events a crash left
pending are linked by the next linker or by ``lsphub worker``. On SQLite the events are linked
in the flush that inserts them: a writing transaction already holds the database's write lock
through its commit (``BEGIN IMMEDIATE``), so linking after the commit would only add a second
write transaction. The unique ``seq`` is the backstop: two links that read the same tip cannot
both commit.
"""

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from types import SimpleNamespace
from typing import Any, Protocol

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Connection,
    Dialect,
    Integer,
    Select,
    String,
    Table,
    Update,
    bindparam,
    func,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from api.core import db
from api.core.compiled import CompiledSelect, compile_select, watched

log = logging.getLogger("lsphub.audit")

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


_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def _lock(conn: Connection) -> None:
    """Serialise links (PostgreSQL: advisory lock to the end of the transaction)."""
    if conn.dialect.name == "postgresql":
        conn.execute(_ADVISORY_LOCK, {"key": LOCK_KEY})


def _tip_query(table: Table) -> Any:
    return (
        select(table.c.seq, table.c.hash)
        .where(table.c.seq.is_not(None))
        .order_by(table.c.seq.desc())
        .limit(1)
    )


def lock_and_read_tip(conn: Connection, table: Table) -> Tip:
    """Take the lock, then read the tip. Two statements on purpose: a READ COMMITTED
    statement's snapshot is taken when it starts, so a tip read in the locking statement could
    predate the last holder's commit.
    """
    _lock(conn)
    row = conn.execute(_tip_query(table)).first()
    return Tip(0, GENESIS) if row is None else Tip(int(row.seq), str(row.hash))


def link(session: Session, events: Sequence[Any], table: Table) -> None:
    """Give ``events`` (in the order they were recorded) their place in the chain."""
    _chain(events, lock_and_read_tip(session.connection(), table))


def _chain(events: Sequence[Any], tip: Tip) -> None:
    """Give ``events``, in order, the places after ``tip``: ``seq``, ``prev_hash``, ``hash``."""
    seq, prev = tip.seq, tip.hash
    for pending in events:
        seq += 1
        pending.seq = seq
        pending.prev_hash = prev
        pending.hash = prev = event_hash(pending)


def link_pending(conn: Connection, table: Table) -> int:
    """Link every pending event (``seq`` NULL) after the tip, in id order, in the caller's
    transaction; returns how many. One statement reads the pending events with the tip, one
    stores their places (on PostgreSQL a single UPDATE over the arrays of their places,
    however many a shared link covers; elsewhere an executemany); nothing is written when
    none are pending."""
    _lock(conn)
    rows = conn.execute(_pending_with_tip(table)).all()
    if not rows:
        return 0
    pending = [SimpleNamespace(**row._mapping) for row in rows]
    _chain_pending(pending)
    if conn.dialect.name == "postgresql":
        conn.execute(_store_places_at_once(table), _places(pending))
    else:
        linked = [
            {"_id": e.id, "_seq": e.seq, "_prev_hash": e.prev_hash, "_hash": e.hash}
            for e in pending
        ]
        conn.execute(_store_places(table), linked)
    return len(pending)


def _link_pending_pipelined(conn: Connection, table: Table) -> int:
    """:func:`link_pending` on PostgreSQL with one round trip fewer than statements: BEGIN (the
    driver's, at its first statement), the lock and the read of the pending events with the
    tip go together in the driver's pipeline mode. (SQLAlchemy cannot pipeline: it reads a
    result's columns as soon as it has sent the statement.) The statements are compiled
    once."""
    lock_sql, reading, names, store_sql = _pipelined_statements(table, conn.dialect)
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.pipeline():
        driver.execute(lock_sql, {"key": LOCK_KEY})
        rows = reading.rows(driver.execute(reading.sql, reading.parameters({})).fetchall())
        pending = [SimpleNamespace(**dict(zip(names, row, strict=True))) for row in rows]
        if pending:
            _chain_pending(pending)
            driver.execute(store_sql, _places(pending))
    return len(pending)


def _chain_pending(pending: Sequence[Any]) -> None:
    """Chain rows of :func:`_pending_with_tip` after the tip they were read with."""
    first = pending[0]
    _chain(pending, Tip(int(first.tip_seq or 0), str(first.tip_hash or GENESIS)))


def _places(events: Sequence[Any]) -> dict[str, list[Any]]:
    """The parameters of :func:`_store_places_at_once`."""
    return {
        "ids": [e.id for e in events],
        "seqs": [e.seq for e in events],
        "prev_hashes": [e.prev_hash for e in events],
        "hashes": [e.hash for e in events],
    }


@cache
def _pipelined_statements(
    table: Table, dialect: Dialect
) -> tuple[str, CompiledSelect, tuple[str, ...], str]:
    """The lock, the pending events' read (and its columns' names) and the places' UPDATE, as
    ``dialect`` sends them."""
    pending = _pending_with_tip(table)
    reading = compile_select(pending, dialect)
    assert reading is not None
    names = tuple(column.name for column in pending.selected_columns)
    lock = _ADVISORY_LOCK.compile(dialect=dialect).string
    return lock, reading, names, _store_places_at_once(table).compile(dialect=dialect).string


@cache
def _pending_with_tip(table: Table) -> Select[Any]:
    """The pending events of ``table`` in id order, each with the tip's ``seq`` and ``hash``
    (built once: a link runs after every write)."""
    tip = _tip_query(table).subquery()
    content = [table.c[name] for name in CHAINED_FIELDS if name not in ("seq", "prev_hash")]
    return (
        select(
            table.c.id,
            *content,
            select(tip.c.seq).scalar_subquery().label("tip_seq"),
            select(tip.c.hash).scalar_subquery().label("tip_hash"),
        )
        .where(table.c.seq.is_(None))
        .order_by(table.c.id)
    )


@cache
def _store_places_at_once(table: Table) -> Update:
    """The places of many events, given as four arrays (PostgreSQL; built once):
    ``UPDATE … FROM unnest(:ids, :seqs, :prev_hashes, :hashes) AS places(…)``."""
    places = (
        func.unnest(
            bindparam("ids", type_=ARRAY(Integer)),
            bindparam("seqs", type_=ARRAY(BigInteger)),
            bindparam("prev_hashes", type_=ARRAY(String)),
            bindparam("hashes", type_=ARRAY(String)),
        )
        .table_valued("id", "seq", "prev_hash", "hash")
        .render_derived(name="places")
    )
    return (
        update(table)
        .where(table.c.id == places.c.id)
        .values(seq=places.c.seq, prev_hash=places.c.prev_hash, hash=places.c.hash)
    )


@cache
def _store_places(table: Table) -> Update:
    """An event's place in the chain, by id (executemany; built once)."""
    return (
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values(seq=bindparam("_seq"), prev_hash=bindparam("_prev_hash"), hash=bindparam("_hash"))
    )


def link_new(session: Session, events: Sequence[Any], table: Table) -> None:
    """What writing new ``events`` does (:mod:`api.core.audit`, at a flush or commit): link
    them now (SQLite), or leave them pending and link them once the transaction has committed
    (:func:`api.core.db.after_commit`)."""
    if session.get_bind().dialect.name == "sqlite":
        link(session, events, table)
    else:
        db.after_commit(session, _linker(table))


class _Linker:
    """The after-commit link for one table, shared by a process's threads like a database's
    group commit: one link runs at a time; a writer that commits meanwhile waits for it to end,
    then either finds its events covered (a link that began after its commit took them) or
    runs the next link itself, for everyone who has committed by then. Writers that wait
    send nothing to the database."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self._cond = threading.Condition()
        self._asked = 0  # one ticket per committed writer, in the order they asked
        self._done = 0  # every writer up to this ticket has had a link begin after its commit
        self._running = False

    def __call__(self, session: Session) -> None:
        with self._cond:
            self._asked += 1
            ticket = self._asked
            while self._running and self._done < ticket:
                self._cond.wait()
            if self._done >= ticket:
                return
            self._running, covered = True, self._asked
        try:
            with session.begin():
                connection = session.connection()
                if connection.dialect.name == "postgresql" and not watched(connection):
                    _link_pending_pipelined(connection, self.table)
                else:
                    link_pending(connection, self.table)
        except Exception:  # the writes are committed: their events wait for the next link
            log.exception("linking audit events failed; they stay pending")
        finally:
            with self._cond:
                self._running, self._done = False, max(self._done, covered)
                self._cond.notify_all()


@cache
def _linker(table: Table) -> _Linker:
    """The after-commit step for ``table`` (one per table, so it runs once per commit)."""
    return _Linker(table)


def link_chore(table: Table) -> Callable[[], None]:
    """For ``lsphub worker``: link whatever a crash between commit and link left pending."""

    def chore() -> None:
        try:
            with db.session_scope() as session:
                linked = link_pending(session.connection(), table)
        except Exception:
            log.exception("linking pending audit events failed")
            return
        if linked:
            log.info("linked %d pending audit events", linked)

    return chore


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
    pending: int = 0  # events not linked yet (seq NULL): neither good nor broken

    @property
    def ok(self) -> bool:
        return self.broken is None


def _rows(conn: Connection, table: Table) -> Iterator[Any]:
    """Every linked event in chain order, fetched in batches (constant memory)."""
    columns = [table.c.id, table.c.hash, *(table.c[name] for name in CHAINED_FIELDS)]
    stmt = select(*columns).where(table.c.seq.is_not(None)).order_by(table.c.seq)
    # Per statement: Connection.execution_options() would change the caller's connection.
    yield from conn.execute(stmt, execution_options={"yield_per": VERIFY_BATCH})


def verify(conn: Connection, table: Table, anchor: Tip | None = None) -> Verdict:
    """Walk the chain from its first event; stop at the first that does not hold.

    ``anchor``, a tip noted earlier (``seq`` and ``hash``), must still be in the chain: that
    catches what the chain alone cannot, events removed from its end or a chain rewritten
    whole. Pending events (not linked yet) are counted apart: they are not in the chain yet.
    """
    pending = conn.scalar(select(func.count()).select_from(table).where(table.c.seq.is_(None))) or 0
    tip, count = Tip(0, GENESIS), 0
    for row in _rows(conn, table):
        broken = _check(row, tip, anchor)
        if broken is not None:
            return Verdict(count, tip, broken, pending)
        tip, count = Tip(row.seq, row.hash), count + 1
    if anchor is not None and anchor.seq > tip.seq:
        return Verdict(
            count, tip, Break(None, None, "anchor", f"seq {anchor.seq}", f"seq {tip.seq}"), pending
        )
    return Verdict(count, tip, None, pending)


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
    "link_chore",
    "link_pending",
    "verify",
]
