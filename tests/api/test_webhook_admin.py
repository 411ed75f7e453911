"""Administering webhooks: a generated secret shown once, a new secret, and redelivering every
failed delivery (the delivery mechanics themselves are in test_webhooks.py)."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text

from api.core.db import SessionLocal
from api.core.settings import get_settings
from api.webhooks import outbound, service
from api.webhooks.models import DeliveryStatus, WebhookDelivery
from tests.api.test_webhooks import Receiver, whsec

HOOKS = "/api/v1/webhooks"


def create(client: TestClient, url: str = "https://example.org/hook", **extra: Any) -> dict:
    body = {"url": url, "events": ["measurement.created"], **extra}
    r = client.post(HOOKS, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def stored_secret(db: Connection, hook_id: int) -> str:
    return str(
        db.execute(text("SELECT secret FROM webhook WHERE id = :i"), {"i": hook_id}).one()[0]
    )


def last_audit_event(db: Connection, hook_id: int) -> tuple[str, Any]:
    """The action and ``after`` of the webhook's latest audit event."""
    action, after = db.execute(
        text(
            "SELECT action, after FROM audit_event WHERE resource = 'webhook' "
            "AND resource_id = :i ORDER BY id DESC LIMIT 1"
        ),
        {"i": str(hook_id)},
    ).one()
    return str(action), after


def add_deliveries(hook_id: int, *statuses: DeliveryStatus) -> list[int]:
    with SessionLocal() as session, session.begin():
        rows = [
            WebhookDelivery(
                webhook_id=hook_id,
                event="measurement.created",
                payload={"n": n},
                status=status,
                attempts=service.MAX_ATTEMPTS if status == DeliveryStatus.failed else 1,
                last_status_code=503 if status == DeliveryStatus.failed else 200,
                last_error="HTTP 503" if status == DeliveryStatus.failed else None,
            )
            for n, status in enumerate(statuses)
        ]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows if row.id is not None]


class TestCreate:
    def test_a_generated_secret_is_shown_once(self, client: TestClient, db: Connection) -> None:
        r = client.post(HOOKS, json={"url": "https://example.org/h", "events": ["meeting.updated"]})
        assert r.status_code == 201, r.text
        assert r.headers["cache-control"] == "no-store"
        hook = r.json()
        assert hook["secret"].startswith("whsec_") and len(hook["secret"]) >= 40
        assert stored_secret(db, hook["id"]) == hook["secret"]
        assert "secret" not in client.get(f"{HOOKS}/{hook['id']}").json()
        assert all("secret" not in h for h in client.get(HOOKS).json()["items"])
        other = create(client)
        assert other["secret"] != hook["secret"], "each webhook has a secret of its own"

    def test_a_chosen_secret_is_kept(self, client: TestClient, db: Connection) -> None:
        chosen = whsec(32)
        hook = create(client, secret=chosen)
        assert hook["secret"] == chosen
        assert stored_secret(db, hook["id"]) == chosen

    def test_the_secret_stays_out_of_the_audit_log(
        self, client: TestClient, db: Connection
    ) -> None:
        hook = create(client)
        logged = db.execute(
            text("SELECT after FROM audit_event WHERE resource = 'webhook' AND resource_id = :i"),
            {"i": str(hook["id"])},
        ).scalar_one()
        assert hook["secret"] not in str(logged)


class TestRotateSecret:
    def test_a_new_secret_replaces_the_old_one(self, client: TestClient, db: Connection) -> None:
        hook = create(client)
        r = client.post(f"{HOOKS}/{hook['id']}/secret")
        assert r.status_code == 200, r.text
        assert r.headers["cache-control"] == "no-store"
        assert r.headers["etag"] == f'"{hook["version"] + 1}"'
        rotated = r.json()
        assert rotated["webhook_id"] == hook["id"]
        assert rotated["secret"].startswith("whsec_") and rotated["secret"] != hook["secret"]
        assert stored_secret(db, hook["id"]) == rotated["secret"]
        action, after = last_audit_event(db, hook["id"])
        assert action == "rotate_secret" and rotated["secret"] not in str(after)

    def test_unknown_is_404_and_only_admins(self, client: TestClient, as_role) -> None:  # type: ignore[no-untyped-def]
        assert client.post(f"{HOOKS}/999999/secret").status_code == 404
        hook = create(client)
        for role in ("officer", "member", "partner", "county"):
            assert as_role(role).post(f"{HOOKS}/{hook['id']}/secret").status_code == 403


class TestRedeliverFailed:
    def test_only_failed_deliveries_are_queued_again(
        self, client: TestClient, db: Connection
    ) -> None:
        hook = create(client)
        failed_a, delivered, failed_b, pending = add_deliveries(
            hook["id"],
            DeliveryStatus.failed,
            DeliveryStatus.delivered,
            DeliveryStatus.failed,
            DeliveryStatus.pending,
        )
        other = create(client, url="https://example.org/other")
        (elsewhere,) = add_deliveries(other["id"], DeliveryStatus.failed)

        r = client.post(f"{HOOKS}/{hook['id']}/deliveries/redeliver-failed")
        assert r.status_code == 200, r.text
        assert r.json() == {"queued": 2, "delivery_ids": [failed_a, failed_b]}
        log = {d["id"]: d for d in client.get(f"{HOOKS}/{hook['id']}/deliveries").json()["items"]}
        for queued in (failed_a, failed_b):
            assert log[queued]["status"] == "pending" and log[queued]["attempts"] == 0
        assert log[delivered]["status"] == "delivered"
        assert log[pending]["attempts"] == 1, "a pending delivery keeps its count"
        elsewhere_status = db.execute(
            text("SELECT status FROM webhook_delivery WHERE id = :i"), {"i": elsewhere}
        ).scalar_one()
        assert elsewhere_status == "failed", "another webhook's deliveries are left alone"
        action, after = last_audit_event(db, hook["id"])
        assert action == "redeliver_failed"
        assert "delivery_ids" in str(after)

        again = client.post(f"{HOOKS}/{hook['id']}/deliveries/redeliver-failed")
        assert again.json() == {"queued": 0, "delivery_ids": []}

    def test_unknown_is_404_and_only_admins(self, client: TestClient, as_role) -> None:  # type: ignore[no-untyped-def]
        assert client.post(f"{HOOKS}/999999/deliveries/redeliver-failed").status_code == 404
        hook = create(client)
        for role in ("officer", "member", "partner", "county"):
            r = as_role(role).post(f"{HOOKS}/{hook['id']}/deliveries/redeliver-failed")
            assert r.status_code == 403


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """A receiver on 127.0.0.1, which webhooks may reach only when allowed."""
    monkeypatch.setattr(get_settings(), "webhook_allowed_hosts", ["127.0.0.1"])
    r = Receiver()
    yield r
    r.close()


class TestPause:
    def test_a_paused_webhook_keeps_its_queue_until_resumed(
        self, client: TestClient, receiver: Receiver
    ) -> None:
        hook = create(client, url=receiver.url)
        add_deliveries(hook["id"], DeliveryStatus.failed)
        r = client.patch(f"{HOOKS}/{hook['id']}", json={"active": False})
        assert r.status_code == 200 and r.json()["active"] is False
        client.post(f"{HOOKS}/{hook['id']}/deliveries/redeliver-failed")
        with outbound.client() as http:
            assert service.run_once(http) == 0
            assert receiver.requests == []
            client.patch(f"{HOOKS}/{hook['id']}", json={"active": True})
            assert service.run_once(http) == 1
        assert len(receiver.requests) == 1
        (logged,) = client.get(f"{HOOKS}/{hook['id']}/deliveries").json()["items"]
        assert logged["status"] == "delivered" and logged["last_status_code"] == 200
