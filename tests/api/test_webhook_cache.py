"""Webhook subscriptions are read once per cache period, not on every write.

A write that announces an event asks the process's list of subscriptions
(``webhooks.service.subscribers``); this process's own webhook writes clear it, another
process's are seen when it expires (``LSPHUB_WEBHOOK_CACHE_SECONDS``). A webhook deleted or
deactivated behind the cache's back gets nothing and breaks nothing.
"""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text

from api.core.settings import get_settings
from api.webhooks import service

SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    service.forget_subscriptions()
    yield
    service.forget_subscriptions()


def task_id(client: TestClient) -> int:
    return int(client.get("/api/v1/tasks", params={"limit": 1}).json()["items"][0]["id"])


def post_update(client: TestClient, task: int, note: str) -> None:
    r = client.post(f"/api/v1/tasks/{task}/status-updates", json={"note": note})
    assert r.status_code == 201, r.text


def queued(db: Connection, hook_id: int) -> int:
    return int(
        db.execute(
            text("SELECT count(*) FROM webhook_delivery WHERE webhook_id = :h"), {"h": hook_id}
        ).scalar_one()
    )


def webhook_reads(statements: list[str]) -> int:
    return sum(1 for s in statements if "FROM webhook" in s and "webhook_delivery" not in s)


def test_no_query_per_write(client: TestClient, db: Connection, query_counter: list[str]) -> None:
    task = task_id(client)
    post_update(client, task, "first")
    query_counter.clear()
    post_update(client, task, "second")
    post_update(client, task, "third")
    assert webhook_reads(query_counter) == 0


def test_own_writes_are_seen_at_once(client: TestClient, db: Connection) -> None:
    task = task_id(client)
    post_update(client, task, "cache filled: nobody subscribes")
    r = client.post(
        "/api/v1/webhooks",
        json={
            "url": "https://example.org/a",
            "events": ["status_update.created"],
            "secret": SECRET,
        },
    )
    assert r.status_code == 201, r.text
    hook = r.json()["id"]
    post_update(client, task, "now someone does")
    assert queued(db, hook) == 1
    r = client.patch(f"/api/v1/webhooks/{hook}", json={"active": False})
    assert r.status_code == 200, r.text
    post_update(client, task, "paused")
    assert queued(db, hook) == 1


def test_changes_behind_the_cache(
    client: TestClient, db: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process's writes: a deleted webhook breaks nothing; a new one is seen once the
    cache expires."""
    monkeypatch.setattr(get_settings(), "webhook_cache_seconds", 300)  # however slow the machine
    task = task_id(client)
    r = client.post(
        "/api/v1/webhooks",
        json={
            "url": "https://example.org/b",
            "events": ["status_update.created"],
            "secret": SECRET,
        },
    )
    hook = r.json()["id"]
    post_update(client, task, "cached with the webhook")
    assert queued(db, hook) == 1
    db.execute(
        text(
            "INSERT INTO webhook (url, events, secret, active, version, created_at, updated_at) "
            "SELECT url, 'status_update.created', secret, true, 1, created_at, updated_at "
            "FROM webhook WHERE id = :h"
        ),
        {"h": hook},
    )
    (new,) = db.execute(text("SELECT max(id) FROM webhook")).one()
    post_update(client, task, "the new one is not seen yet")
    assert (queued(db, hook), queued(db, new)) == (2, 0)

    db.execute(text("DELETE FROM webhook_delivery WHERE webhook_id = :h"), {"h": hook})
    db.execute(text("DELETE FROM webhook WHERE id = :h"), {"h": hook})
    post_update(client, task, "the cache still names the deleted one")
    assert (queued(db, hook), queued(db, new)) == (0, 0)

    monkeypatch.setattr(get_settings(), "webhook_cache_seconds", 0)
    post_update(client, task, "read again")
    assert queued(db, new) == 1
