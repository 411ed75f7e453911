"""The audit trail's hash chain: every write extends it, the triggers refuse changes (linking a
pending event aside), and a change made behind the API's back (triggers dropped, raw SQL) is
named by the verifier."""

import hashlib
import itertools
import json
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Row, text
from sqlalchemy.exc import DBAPIError

from api.core import audit, clock
from api.core.audit import AuditEvent
from api.core.audit_chain import (
    CHAINED_FIELDS,
    GENESIS,
    Tip,
    Verdict,
    event_hash,
    link_chore,
    verify,
)
from api.core.db import session_scope
from tests.tamper import triggers_dropped

EVENTS = "/api/v1/audit-events"
TABLE = AuditEvent.__table__  # type: ignore[attr-defined]


def verdict(db: Connection, anchor: Tip | None = None) -> Verdict:
    return verify(db, TABLE, anchor)


def write_some(client: TestClient) -> list[dict]:
    """Five audited writes; their events, oldest first."""
    before = verdict_seq(client)
    created = client.post("/api/v1/organisations", json={"name": "Chain Trust", "sector": "faith"})
    assert created.status_code == 201, created.text
    org = created.json()["id"]
    for website in ("https://one.example.org", "https://two.example.org"):
        r = client.patch(f"/api/v1/organisations/{org}", json={"website": website})
        assert r.status_code == 200, r.text
    task = client.get("/api/v1/tasks", params={"limit": 1}).json()["items"][0]
    r = client.post(
        f"/api/v1/tasks/{task['id']}/status-updates", json={"position": "Chained update"}
    )
    assert r.status_code == 201, r.text
    assert client.delete(f"/api/v1/organisations/{org}").status_code == 204
    page = client.get(EVENTS, params={"limit": 500}).json()["items"]
    return [e for e in reversed(page) if e["seq"] > before]


def verdict_seq(client: TestClient) -> int:
    items = client.get(EVENTS, params={"limit": 1}).json()["items"]
    return items[0]["seq"] if items else 0


def set_column(db: Connection, event_id: int, **values: object) -> None:
    assignments = ", ".join(f'"{name}" = :{name}' for name in values)
    db.execute(
        text(f"UPDATE audit_event SET {assignments} WHERE id = :id"), {**values, "id": event_id}
    )


class TestTheChain:
    def test_the_demo_data_verifies(self, db: Connection) -> None:
        result = verdict(db)
        assert result.ok, str(result.broken)
        assert result.events >= 1 and result.tip.seq == result.events

    def test_every_write_extends_it_in_order(self, client: TestClient, db: Connection) -> None:
        start = verdict(db)
        written = write_some(client)
        end = verdict(db)
        assert end.ok, str(end.broken)
        assert end.events == start.events + len(written) and len(written) >= 6
        assert [e["seq"] for e in written] == list(range(start.tip.seq + 1, end.tip.seq + 1))
        assert written[0]["prev_hash"] == start.tip.hash
        for older, newer in itertools.pairwise(written):
            assert newer["prev_hash"] == older["hash"]
        assert written[-1]["hash"] == end.tip.hash

    def test_an_auditor_recomputes_a_hash_from_the_api(self, client: TestClient) -> None:
        """The canonical form of docs/audit.md, computed here without the service's code."""
        for event in write_some(client):
            content = {name: event[name] for name in CHAINED_FIELDS}
            at = datetime.fromisoformat(event["at"])
            content["at"] = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            canonical = json.dumps(
                content, sort_keys=True, separators=(",", ":"), ensure_ascii=False
            )
            assert hashlib.sha256(canonical.encode()).hexdigest() == event["hash"]

    def test_the_first_event_links_to_the_genesis_hash(self, client: TestClient) -> None:
        first = client.get(EVENTS, params={"limit": 1, "offset": verdict_seq(client) - 1})
        assert first.json()["items"][0]["seq"] == 1
        assert first.json()["items"][0]["prev_hash"] == GENESIS


class TestTriggers:
    @pytest.mark.parametrize(
        "statement, operation",
        [
            ("UPDATE audit_event SET action = 'nothing'", "UPDATE"),
            ("DELETE FROM audit_event", "DELETE"),
            ("DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event)", "DELETE"),
        ],
    )
    def test_changes_are_refused(self, db: Connection, statement: str, operation: str) -> None:
        before = verdict(db)
        with (
            pytest.raises(DBAPIError, match=f"append-only: {operation} refused"),
            db.begin_nested(),
        ):
            db.exec_driver_sql(statement)
        assert verdict(db) == before

    def test_they_are_back_after_tampering(self, db: Connection) -> None:
        with triggers_dropped(db):
            db.exec_driver_sql("UPDATE audit_event SET action = action")
        with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
            db.exec_driver_sql("UPDATE audit_event SET action = action")


class TestTampering:
    def test_a_changed_event_is_named(self, client: TestClient, db: Connection) -> None:
        target = write_some(client)[2]
        with triggers_dropped(db):
            set_column(db, target["id"], principal="user:999")
        result = verdict(db)
        assert result.broken is not None
        assert (result.broken.id, result.broken.seq) == (target["id"], target["seq"])
        assert result.broken.field == "hash"
        assert result.broken.stored == target["hash"] != result.broken.expected
        assert result.events == target["seq"] - 1
        assert f"event id {target['id']} (seq {target['seq']})" in str(result.broken)

    def test_a_changed_diff_is_named(self, client: TestClient, db: Connection) -> None:
        target = next(e for e in write_some(client) if e["action"] == "update")
        forged = {**target["after"], "website": "https://forged.example.org"}
        with triggers_dropped(db):
            set_column(db, target["id"], after=json.dumps(forged))
        result = verdict(db)
        assert result.broken is not None
        assert (result.broken.id, result.broken.field) == (target["id"], "hash")

    def test_a_rehashed_event_breaks_the_next_link(
        self, client: TestClient, db: Connection
    ) -> None:
        """Whoever recomputes a changed event's hash breaks the link from the next one."""
        written = write_some(client)
        target, following = written[1], written[2]
        row = db.execute(TABLE.select().where(TABLE.c.id == target["id"])).one()
        forged = {**row._mapping, "action": "read"}
        forged_hash = event_hash(type("Forged", (), forged)())  # type: ignore[arg-type]
        with triggers_dropped(db):
            set_column(db, target["id"], action="read", hash=forged_hash)
        result = verdict(db)
        assert result.broken is not None
        assert (result.broken.id, result.broken.field) == (following["id"], "prev_hash")
        assert (result.broken.expected, result.broken.stored) == (forged_hash, target["hash"])

    def test_a_removed_event_is_named(self, client: TestClient, db: Connection) -> None:
        written = write_some(client)
        with triggers_dropped(db):
            db.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": written[3]["id"]})
        result = verdict(db)
        assert result.broken is not None
        assert (result.broken.id, result.broken.field) == (written[4]["id"], "seq")
        assert (result.broken.expected, result.broken.stored) == (
            str(written[3]["seq"]),
            str(written[4]["seq"]),
        )

    def test_removing_the_newest_events_shows_against_an_anchor(
        self, client: TestClient, db: Connection
    ) -> None:
        written = write_some(client)
        noted = verdict(db).tip
        with triggers_dropped(db):
            db.execute(text("DELETE FROM audit_event WHERE seq > :s"), {"s": written[2]["seq"]})
        assert verdict(db).ok  # what is left is a valid chain…
        result = verdict(db, anchor=noted)  # …but not the one noted earlier
        assert result.broken is not None and result.broken.field == "anchor"
        assert "events were rewritten or removed" in str(result.broken)

    def test_an_anchor_with_another_hash_is_named(self, client: TestClient, db: Connection) -> None:
        written = write_some(client)
        assert verdict(db, anchor=Tip(written[0]["seq"], written[0]["hash"])).ok
        result = verdict(db, anchor=Tip(written[0]["seq"], "f" * 64))
        assert result.broken is not None
        assert (result.broken.id, result.broken.field) == (written[0]["id"], "anchor")


def insert_pending(db: Connection, note: str = "pending") -> int:
    """An event as a write leaves it when the link step after its commit never ran."""
    return int(
        db.execute(
            TABLE.insert()
            .values(at=clock.now(), principal="cli", action="create", resource=note)
            .returning(TABLE.c.id)
        ).scalar_one()
    )


def stored(db: Connection, event_id: int) -> Row:
    return db.execute(TABLE.select().where(TABLE.c.id == event_id)).one()


class TestPendingEvents:
    """Events inserted unlinked (seq, prev_hash and hash NULL) until the link after the commit."""

    def test_verify_counts_them_apart(self, db: Connection) -> None:
        start = verdict(db)
        insert_pending(db)
        result = verdict(db)
        assert result.ok, str(result.broken)
        assert (result.events, result.tip, result.pending) == (start.events, start.tip, 1)

    def test_the_next_write_links_them_first(
        self, client: TestClient, db: Connection, dialect: str
    ) -> None:
        if dialect == "sqlite":
            pytest.skip("SQLite links a write's events in its flush; the worker links leftovers")
        start = verdict(db)
        pending = insert_pending(db)
        assert client.get(EVENTS, params={"resource": "pending"}).json()["total"] == 0
        assert client.get(f"{EVENTS}/{pending}").status_code == 404
        written = write_some(client)  # the events linked by these writes, oldest first
        result = verdict(db)
        assert result.ok and result.pending == 0, str(result.broken)
        assert (written[0]["id"], written[0]["seq"]) == (pending, start.tip.seq + 1)
        assert written[1]["prev_hash"] == written[0]["hash"] == stored(db, pending).hash
        assert client.get(f"{EVENTS}/{pending}").json()["seq"] == start.tip.seq + 1

    def test_the_worker_links_them(self, db: Connection) -> None:
        start = verdict(db)
        first, second = insert_pending(db, "first"), insert_pending(db, "second")
        link_chore(TABLE)()
        result = verdict(db)
        assert result.ok and result.pending == 0, str(result.broken)
        assert result.tip.seq == start.tip.seq + 2
        assert [stored(db, first).seq, stored(db, second).seq] == [
            start.tip.seq + 1,
            start.tip.seq + 2,
        ]
        link_chore(TABLE)()  # nothing pending: nothing changes
        assert verdict(db) == result

    def test_linking_is_allowed_once(self, db: Connection) -> None:
        """The one UPDATE the triggers allow: all three links from NULL to a value."""
        tip = verdict(db).tip
        pending = insert_pending(db)
        link = {"seq": tip.seq + 1, "prev_hash": tip.hash, "hash": "a" * 64}
        with pytest.raises(DBAPIError, match="append-only: UPDATE refused"), db.begin_nested():
            set_column(db, pending, seq=tip.seq + 1)  # one link without the others
        with pytest.raises(DBAPIError, match="append-only: UPDATE refused"), db.begin_nested():
            set_column(db, pending, **link, principal="user:1")  # and the content changed
        set_column(db, pending, **link)
        with pytest.raises(DBAPIError, match="append-only: UPDATE refused"), db.begin_nested():
            set_column(db, pending, hash="b" * 64)  # linked once: never again
        result = verdict(db)  # the forged hash above is what verify names
        assert result.broken is not None
        assert (result.broken.id, result.broken.field) == (pending, "hash")

    @pytest.mark.parametrize(
        "values",
        [
            {"hash": "f" * 64},
            {"seq": None, "prev_hash": None, "hash": None},
            {"seq": 10**9},
            {"prev_hash": GENESIS},
        ],
    )
    def test_a_linked_event_cannot_be_relinked(self, db: Connection, values: dict) -> None:
        before = verdict(db)
        target = before.tip.seq
        event_id = db.execute(TABLE.select().where(TABLE.c.seq == target)).one().id
        with pytest.raises(DBAPIError, match="append-only: UPDATE refused"), db.begin_nested():
            set_column(db, event_id, **values)
        assert verdict(db) == before

    def test_tampering_with_a_linked_event_is_still_named(
        self, client: TestClient, db: Connection
    ) -> None:
        written = write_some(client)
        target = written[1]
        with triggers_dropped(db):
            set_column(db, target["id"], hash="e" * 64)
        result = verdict(db)
        assert result.broken is not None
        assert (result.broken.id, result.broken.field) == (target["id"], "hash")


class TestRecording:
    """An event is written by the next flush or commit of the transaction it was recorded in,
    and only if that transaction (or savepoint) does not roll back."""

    def recorded(self, db: Connection, marker: str) -> list[str]:
        rows = db.execute(
            text("SELECT action FROM audit_event WHERE principal = :p ORDER BY id"), {"p": marker}
        )
        return [row.action for row in rows]

    def test_a_commit_writes_what_was_recorded_with_no_other_change(self, db: Connection) -> None:
        with session_scope() as session:
            audit.record(session, "test:commit", "kept", "thing", 1)
        assert self.recorded(db, "test:commit") == ["kept"]

    def test_a_rolled_back_savepoint_drops_only_its_own(self, db: Connection) -> None:
        with session_scope() as session:
            audit.record(session, "test:savepoint", "before", "thing", 1)
            with pytest.raises(RuntimeError), session.begin_nested():
                audit.record(session, "test:savepoint", "inside", "thing", 2)
                raise RuntimeError("the savepoint rolls back")
            audit.record(session, "test:savepoint", "after", "thing", 3)
        assert self.recorded(db, "test:savepoint") == ["before", "after"]

    def test_a_rolled_back_transaction_writes_nothing(self, db: Connection) -> None:
        with pytest.raises(RuntimeError), session_scope() as session:
            audit.record(session, "test:rollback", "dropped", "thing", 1)
            session.flush()
            raise RuntimeError("the transaction rolls back")
        with session_scope() as session:
            audit.record(session, "test:rollback", "next", "thing", 2)
        assert self.recorded(db, "test:rollback") == ["next"]
