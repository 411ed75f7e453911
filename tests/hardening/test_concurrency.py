"""Concurrent writers against a live server: optimistic locking, idempotency, SQLite locking.

Every request goes through real sockets to uvicorn with two worker processes, and every write
really commits, so the database (not a test transaction) arbitrates the races. After each
test ``lsphub audit verify`` must find one unbroken audit chain holding every event.
"""

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.live import LiveServer, verified_chain

PROBLEM = "application/problem+json"
NEXT_RAG = {"green": "amber", "amber": "red", "red": "green", "complete": "amber", None: "green"}


@pytest.fixture(autouse=True)
def audit_chain_holds(live: LiveServer) -> Iterator[None]:
    """The audit events the racing writers recorded form one unbroken chain."""
    before, _ = verified_chain(live.database_url)
    yield
    after, _ = verified_chain(live.database_url)
    assert after > before, "the test wrote no audit event"


def race(n: int, live: LiveServer, call: Callable[[httpx.Client, int], httpx.Response]) -> list:
    """Run ``call`` from ``n`` threads released together; each thread has its own connection."""
    barrier = threading.Barrier(n)

    def one(i: int) -> httpx.Response:
        with live.client() as client:
            client.get("/health")  # connect before the barrier, so the requests really overlap
            barrier.wait(timeout=60)
            return call(client, i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def a_task(client: httpx.Client, offset: int) -> dict[str, Any]:
    r = client.get("/api/v1/tasks", params={"limit": 1, "offset": offset})
    assert r.status_code == 200, r.text
    return r.json()["items"][0]


def history_total(client: httpx.Client, task_id: int) -> int:
    r = client.get(f"/api/v1/tasks/{task_id}/status-updates", params={"limit": 1})
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


class TestSameIfMatch:
    def test_fifty_patches_one_winner_the_rest_412(self, live: LiveServer) -> None:
        with live.client() as client:
            task = a_task(client, 3)
            r = client.get(f"/api/v1/tasks/{task['id']}")
            etag = r.headers["etag"]
            before = history_total(client, task["id"])
        rag = NEXT_RAG[task["rag"]]

        responses = race(
            50,
            live,
            lambda c, i: c.patch(
                f"/api/v1/tasks/{task['id']}",
                json={"rag": rag, "position": f"Attempt {i}", "planned_improvement": "Catch up"},
                headers={"If-Match": etag},
            ),
        )

        statuses = Counter(r.status_code for r in responses)
        assert statuses == {200: 1, 412: 49}, statuses
        for r in responses:
            if r.status_code == 412:
                assert r.headers["content-type"] == PROBLEM
                assert r.json()["type"] == "/problems/precondition-failed"
        winner = next(r for r in responses if r.status_code == 200).json()
        with live.client() as client:
            now = client.get(f"/api/v1/tasks/{task['id']}").json()
            assert now["version"] == task["version"] + 1
            assert now["rag"] == rag and now["position"] == winner["position"]
            assert history_total(client, task["id"]) == before + 1
            latest = client.get(f"/api/v1/tasks/{task['id']}/status-updates").json()["items"][0]
            assert latest["position"] == winner["position"]

    def test_a_stale_etag_never_wins(self, live: LiveServer) -> None:
        with live.client() as client:
            task = a_task(client, 4)
            stale = f'"{task["version"]}"'
            assert client.patch(
                f"/api/v1/tasks/{task['id']}",
                json={"title": "Renamed first"},
                headers={"If-Match": stale},
            ).is_success
        responses = race(
            10,
            live,
            lambda c, i: c.patch(
                f"/api/v1/tasks/{task['id']}", json={"title": f"T{i}"}, headers={"If-Match": stale}
            ),
        )
        assert {r.status_code for r in responses} == {412}


class TestRacingStatusUpdates:
    def test_each_update_to_one_task_lands_whole_or_412(self, live: LiveServer) -> None:
        """Twenty status updates to one task at once: each either lands whole (its history
        entry, the task's values and version) or is refused with a 412 and writes nothing."""
        with live.client() as client:
            task = a_task(client, 6)
            before = history_total(client, task["id"])

        responses = race(
            20,
            live,
            lambda c, i: c.post(
                f"/api/v1/tasks/{task['id']}/status-updates",
                json={"rag": "amber", "position": f"Racer {i}"},
            ),
        )

        statuses = Counter(r.status_code for r in responses)
        assert set(statuses) <= {201, 412}, statuses
        assert statuses[201] >= 1
        for r in responses:
            if r.status_code == 412:
                assert r.headers["content-type"] == PROBLEM
        won = {r.json()["position"] for r in responses if r.status_code == 201}
        with live.client() as client:
            now = client.get(f"/api/v1/tasks/{task['id']}").json()
            assert now["version"] == task["version"] + statuses[201]
            assert now["position"] in won
            history = client.get(
                f"/api/v1/tasks/{task['id']}/status-updates", params={"limit": 100}
            ).json()
            assert history["total"] == before + statuses[201]
            assert {e["position"] for e in history["items"][: statuses[201]]} == won


class TestIdempotencyKey:
    def test_twenty_identical_requests_make_one_row(self, live: LiveServer) -> None:
        with live.client() as client:
            task = a_task(client, 5)
            before = history_total(client, task["id"])
        key = str(uuid.uuid4())
        body = {
            "rag": NEXT_RAG[task["rag"]],
            "planned_improvement": "Catch up",
            "note": "Reported once, sent twenty times",
        }

        responses = race(
            20,
            live,
            lambda c, i: c.post(
                f"/api/v1/tasks/{task['id']}/status-updates",
                json=body,
                headers={"Idempotency-Key": key},
            ),
        )

        statuses = Counter(r.status_code for r in responses)
        assert set(statuses) <= {201, 409}, statuses
        assert statuses[201] >= 1
        created = {r.json()["id"] for r in responses if r.status_code == 201}
        assert len(created) == 1, "every replay must return the first response"
        with live.client() as client:
            assert history_total(client, task["id"]) == before + 1


class TestConcurrentWriters:
    """Eight writers and two readers at once: writers queue, nobody sees a 500."""

    def test_eight_writers_never_fail(self, live: LiveServer) -> None:
        with live.client() as client:
            tasks = [a_task(client, 10 + i) for i in range(8)]
            before = {t["id"]: history_total(client, t["id"]) for t in tasks}
        per_writer = 6

        def work(c: httpx.Client, i: int) -> httpx.Response:
            if i >= 8:  # readers
                last = c.get("/api/v1/tasks", params={"limit": 100})
                for _ in range(per_writer):
                    last = c.get("/api/v1/tasks", params={"limit": 100})
                    if last.status_code != 200:
                        return last
                return last
            task = tasks[i]
            last = c.get("/health")
            for n in range(per_writer):
                last = c.post(
                    f"/api/v1/tasks/{task['id']}/status-updates",
                    json={"position": f"Writer {i}, update {n}", "rag": "amber"},
                )
                if last.status_code != 201:
                    return last
                last = c.patch(f"/api/v1/tasks/{task['id']}", json={"target": f"Target {n}"})
                if last.status_code != 200:
                    return last
            return last

        responses = race(10, live, work)

        failures = [(r.status_code, r.text[:300]) for r in responses if not r.is_success]
        assert failures == []
        with live.client() as client:
            for task in tasks:
                assert history_total(client, task["id"]) == before[task["id"]] + per_writer
                assert client.get(f"/api/v1/tasks/{task['id']}").json()["target"] == "Target 5"
