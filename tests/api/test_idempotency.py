"""Idempotency-Key on POST status updates (DESIGN §4, api/core/idempotency.py)."""

import threading
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select, text

from api.auth.models import User
from api.core import clock
from api.core.audit import AuditEvent
from api.core.audit_chain import verify
from api.core.idempotency import IdempotencyRecord, lock_id
from api.core.principal import Role
from api.plans.models import StatusUpdate, Task
from tests.tamper import triggers_dropped


def a_task(client: TestClient) -> dict:
    return client.get("/api/v1/tasks", params={"limit": 1, "rag": "amber"}).json()["items"][0]


def post(client: TestClient, task_id: int, body: dict, key: str | None) -> object:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(f"/api/v1/tasks/{task_id}/status-updates", json=body, headers=headers)


def history_total(client: TestClient, task_id: int) -> int:
    return client.get(f"/api/v1/tasks/{task_id}/status-updates").json()["total"]


class TestReplay:
    def test_same_key_same_body_replays_the_first_response(self, client: TestClient) -> None:
        task = a_task(client)
        body = {"rag": "green", "position": "Back on track", "note": "Funding agreed"}
        first = post(client, task["id"], body, "key-1")
        assert first.status_code == 201, first.text
        again = post(client, task["id"], body, "key-1")
        assert again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["location"] == first.headers["location"]
        assert again.headers["idempotent-replayed"] == "true"
        assert "idempotent-replayed" not in first.headers
        history = client.get(f"/api/v1/tasks/{task['id']}/status-updates").json()["items"]
        assert [h["id"] for h in history].count(first.json()["id"]) == 1
        assert client.get(f"/api/v1/tasks/{task['id']}").json()["version"] == task["version"] + 1

    def test_replay_writes_nothing(self, client: TestClient) -> None:
        task = a_task(client)
        body = {"note": "Checked"}
        post(client, task["id"], body, "key-2")
        before = history_total(client, task["id"])
        for _ in range(3):
            assert post(client, task["id"], body, "key-2").status_code == 201
        assert history_total(client, task["id"]) == before

    def test_key_order_and_whitespace_do_not_make_a_different_body(
        self, client: TestClient
    ) -> None:
        task = a_task(client)
        path = f"/api/v1/tasks/{task['id']}/status-updates"
        one = client.post(
            path,
            content=b'{"note": "A", "position": "B"}',
            headers={"Idempotency-Key": "key-3", "Content-Type": "application/json"},
        )
        two = client.post(
            path,
            content=b'{"position":"B","note":"A"}',
            headers={"Idempotency-Key": "key-3", "Content-Type": "application/json"},
        )
        assert one.status_code == two.status_code == 201
        assert two.json()["id"] == one.json()["id"]

    def test_without_a_key_every_request_writes(self, client: TestClient) -> None:
        task = a_task(client)
        before = history_total(client, task["id"])
        assert post(client, task["id"], {"note": "one"}, None).status_code == 201
        assert post(client, task["id"], {"note": "one"}, None).status_code == 201
        assert history_total(client, task["id"]) == before + 2

    def test_keys_belong_to_the_caller(self, client: TestClient, as_role) -> None:  # type: ignore[no-untyped-def]
        """Another principal using the same key string is a different request."""
        officer = as_role("officer")
        mine = officer.get("/api/v1/dashboard").json()["partnerships"]
        managed = next(p["id"] for p in mine if p["role"] == "officer")
        task = officer.get("/api/v1/tasks", params={"partnership_id": managed}).json()["items"][0]
        one = post(client, task["id"], {"note": "admin"}, "shared-key")
        two = post(officer, task["id"], {"note": "officer"}, "shared-key")
        assert one.status_code == 201, one.text
        assert two.status_code == 201, two.text
        assert two.json()["id"] != one.json()["id"]


class TestReuse:
    def test_same_key_different_body_is_422(self, client: TestClient) -> None:
        task = a_task(client)
        assert post(client, task["id"], {"note": "first"}, "key-4").status_code == 201
        before = history_total(client, task["id"])
        r = post(client, task["id"], {"note": "second"}, "key-4")
        assert r.status_code == 422
        assert r.json()["type"] == "/problems/idempotency-key-reused"
        assert r.json()["errors"][0]["loc"] == ["header", "idempotency-key"]
        assert history_total(client, task["id"]) == before

    def test_same_key_on_another_task_is_422(self, client: TestClient) -> None:
        tasks = client.get("/api/v1/tasks", params={"limit": 2}).json()["items"]
        assert post(client, tasks[0]["id"], {"note": "x"}, "key-5").status_code == 201
        r = post(client, tasks[1]["id"], {"note": "x"}, "key-5")
        assert r.json()["type"] == "/problems/idempotency-key-reused"

    def test_a_failed_request_stores_nothing(self, client: TestClient) -> None:
        """A 422 is not remembered: fixing the body and retrying with the key works."""
        task = a_task(client)
        bad = post(client, task["id"], {"rag": "red"}, "key-6")
        assert bad.json()["type"] == "/problems/planned-improvement-required"
        good = post(client, task["id"], {"rag": "red", "planned_improvement": "Plan B"}, "key-6")
        assert good.status_code == 201

    def test_key_longer_than_200_is_422(self, client: TestClient) -> None:
        task = a_task(client)
        r = post(client, task["id"], {"note": "x"}, "k" * 201)
        assert r.status_code == 422


# -- concurrency: real transactions on the test database (file-backed SQLite or PostgreSQL) ----


@pytest.fixture
def committed_task(engine: Engine, client_outside: TestClient) -> Iterator[int]:
    """A task created with real commits; removed with its history and audit afterwards."""
    with engine.connect() as conn:
        last_audit = conn.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))
    action = client_outside.get("/api/v1/actions", params={"limit": 1}).json()["items"][0]
    r = client_outside.post(
        "/api/v1/tasks",
        json={"action_id": action["id"], "ref": "zz", "title": "Concurrency probe"},
    )
    assert r.status_code == 201, r.text
    task_id = r.json()["id"]
    try:
        yield task_id
        with engine.connect() as conn:  # the racing requests left one unbroken audit chain
            verdict = verify(conn, AuditEvent.__table__)  # type: ignore[attr-defined]
            assert verdict.ok, str(verdict.broken)
    finally:
        with engine.begin() as conn:
            conn.execute(delete(StatusUpdate).where(StatusUpdate.task_id == task_id))
            conn.execute(delete(Task).where(Task.id == task_id))
            conn.execute(delete(IdempotencyRecord).where(IdempotencyRecord.key.like("conc-%")))
            # The newest events are this test's: removing them leaves the chain as it was.
            with triggers_dropped(conn):
                conn.execute(delete(AuditEvent).where(AuditEvent.id > last_audit))


@pytest.fixture
def client_outside(app: FastAPI, engine: Engine, credentials: dict[str, str]) -> TestClient:
    """An admin client whose requests commit for real (no per-test rollback)."""
    return TestClient(
        app,
        headers={"Authorization": f"Bearer {credentials['admin']}"},
        raise_server_exceptions=False,
    )


class TestConcurrency:
    def test_twenty_concurrent_identical_requests_write_once(
        self, engine: Engine, client_outside: TestClient, committed_task: int
    ) -> None:
        key = f"conc-{uuid.uuid4()}"
        body = {"rag": "green", "position": "Started", "reported_on": clock.today().isoformat()}
        barrier = threading.Barrier(20)
        results: list[tuple[int, dict]] = []
        lock = threading.Lock()

        def send() -> None:
            barrier.wait()
            r = post(client_outside, committed_task, body, key)
            with lock:
                results.append((r.status_code, r.json()))

        threads = [threading.Thread(target=send) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        statuses = sorted(code for code, _ in results)
        print(f"\n20 concurrent requests, one key: {Counter(statuses)}")
        assert len(results) == 20
        assert set(statuses) <= {201, 409}, statuses
        created = {body["id"] for code, body in results if code == 201}
        assert len(created) == 1  # every 201 is the same update, first or replayed
        for code, problem in results:
            if code == 409:
                assert problem["type"] == "/problems/idempotency-key-in-use"
        with engine.connect() as conn:
            updates = conn.scalar(
                select(func.count()).where(StatusUpdate.task_id == committed_task)
            )
            records = conn.scalar(select(func.count()).where(IdempotencyRecord.key == key))
        assert (updates, records) == (1, 1)
        # Once the first has finished, a retry replays.
        again = post(client_outside, committed_task, body, key)
        assert again.status_code == 201 and again.json()["id"] in created

    def test_a_request_still_in_progress_is_409(
        self, engine: Engine, client_outside: TestClient, committed_task: int, dialect: str
    ) -> None:
        """PostgreSQL: while another transaction holds the key, the request is 409 at once.
        (SQLite serialises writers, so there the later request waits and then replays.)"""
        if dialect != "postgresql":
            pytest.skip("SQLite runs writers one at a time: no request is seen in progress")
        key = f"conc-{uuid.uuid4()}"
        with engine.connect() as conn:
            admin_id = conn.scalar(
                select(User.id).where(User.role == Role.admin).order_by(User.id).limit(1)
            )
        label = f"user:{admin_id}"  # the principal label the conftest admin token resolves to
        with engine.connect() as holder:
            holder.begin()
            holder.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id(label, key)})
            r = post(client_outside, committed_task, {"note": "x"}, key)
            assert r.status_code == 409, r.text
            assert r.json()["type"] == "/problems/idempotency-key-in-use"
            assert r.headers["retry-after"] == "1"
            holder.rollback()
        r = post(client_outside, committed_task, {"note": "x"}, key)
        assert r.status_code == 201
