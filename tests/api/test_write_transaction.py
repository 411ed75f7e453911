"""A request's worker-thread hops, and a write's transaction: committed in the one worker
thread its endpoint runs in, rolled back whole when the request fails (api/core/web/deps.py
``get_session`` and ``in_one_hop``).

Hops are counted at ``anyio.to_thread.run_sync``, which every hop Starlette and FastAPI take
goes through. A status update used to take three (BEGIN, the endpoint, COMMIT), a PATCH four
(FastAPI's check of the returned model against the response model was the fourth), a read of
one task three (the endpoint, that check, the session's close).
"""

from collections.abc import Iterator

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The name of what each worker-thread hop ran, in order."""
    ran: list[str] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(func, *args, **kwargs):  # type: ignore[no-untyped-def]
        work = getattr(func, "func", func)  # functools.partial, as Starlette passes it
        ran.append(getattr(work, "__name__", repr(work)))
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    yield ran


def amber_task(client: TestClient) -> dict:
    return client.get("/api/v1/tasks", params={"limit": 1, "rag": "amber"}).json()["items"][0]


def history(client: TestClient, task_id: int) -> list[dict]:
    return client.get(f"/api/v1/tasks/{task_id}/status-updates").json()["items"]


class TestOneHopPerRequest:
    def test_a_status_update_is_written_and_committed_in_one_hop(
        self, client: TestClient, hops: list[str]
    ) -> None:
        task = amber_task(client)
        before = history(client, task["id"])
        hops.clear()
        r = client.post(
            f"/api/v1/tasks/{task['id']}/status-updates",
            json={"rag": "green", "position": "Recovered: the contract is signed"},
        )
        assert r.status_code == 201, r.text
        assert hops == ["work"]
        after = history(client, task["id"])
        assert len(after) == len(before) + 1
        assert after[0]["position"] == "Recovered: the contract is signed"
        assert client.get(f"/api/v1/tasks/{task['id']}").json()["rag"] == "green"

    def test_a_patch_commits_in_its_endpoint_thread(
        self, client: TestClient, hops: list[str]
    ) -> None:
        """The endpoint and its commit share one hop; FastAPI checks the returned model
        against the response model on the event loop."""
        task = amber_task(client)
        version = client.get(f"/api/v1/tasks/{task['id']}").headers["ETag"]
        hops.clear()
        r = client.patch(
            f"/api/v1/tasks/{task['id']}",
            json={"title": "Open two more youth hubs"},
            headers={"If-Match": version},
        )
        assert r.status_code == 200, r.text
        assert hops == ["work"]
        title = client.get(f"/api/v1/tasks/{task['id']}").json()["title"]
        assert title == "Open two more youth hubs"

    def test_a_read_of_one_row_checks_its_model_without_a_hop(
        self, client: TestClient, hops: list[str]
    ) -> None:
        """The endpoint's hop, then the session's close: a hop here, where the test binds a
        connection, and on SQLite; none on a PostgreSQL engine (autocommit reads)."""
        task = amber_task(client)
        hops.clear()
        r = client.get(f"/api/v1/tasks/{task['id']}")
        assert r.status_code == 200, r.text
        assert hops == ["work", "close"]
        assert r.json()["id"] == task["id"]
        assert r.json()["can"]["update_status"] is True


class TestAFailedWriteLeavesNothing:
    def test_a_refused_update_is_rolled_back_in_a_hop_of_its_own(
        self, client: TestClient, hops: list[str]
    ) -> None:
        """The endpoint read the task (its transaction began) and then refused the move: the
        rollback is the one extra hop, and the error is rendered on the event loop."""
        task = amber_task(client)
        before = history(client, task["id"])
        hops.clear()
        r = client.post(f"/api/v1/tasks/{task['id']}/status-updates", json={"rag": "red"})
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert hops == ["work", "rollback"]
        assert history(client, task["id"]) == before
        assert client.get(f"/api/v1/tasks/{task['id']}").json()["rag"] == "amber"

    def test_a_stale_patch_changes_nothing(self, client: TestClient) -> None:
        task = amber_task(client)
        stale = client.get(f"/api/v1/tasks/{task['id']}").headers["ETag"]
        r = client.patch(
            f"/api/v1/tasks/{task['id']}", json={"title": "First"}, headers={"If-Match": stale}
        )
        assert r.status_code == 200, r.text
        r = client.patch(
            f"/api/v1/tasks/{task['id']}", json={"title": "Second"}, headers={"If-Match": stale}
        )
        assert r.status_code == 412, r.text
        assert client.get(f"/api/v1/tasks/{task['id']}").json()["title"] == "First"
