"""Webhooks: registration, the transactional outbox, signed delivery, retries and restarts.

A real receiver (http.server on 127.0.0.1, in a thread) takes the deliveries; the worker's
functions run in the test's transaction like any other session.
"""

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app as cli
from api.core.db import session_scope
from api.core.models import utcnow
from api.webhooks import service

SECRET = "receiver-secret-0123456789"


class Receiver:
    """Records every POST; answers with the queued status codes, then 200."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers.items()), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client


def register(client: TestClient, url: str, events: list[str] | None = None, **extra: Any) -> dict:
    body = {"url": url, "events": events or ["measurement.created"], "secret": SECRET, **extra}
    r = client.post("/api/v1/webhooks", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def add_measurement(client: TestClient, value: float = 55) -> dict:
    ni1 = client.get("/api/v1/indicators", params={"code": "NI 1"}).json()["items"][0]
    r = client.post(
        "/api/v1/measurements",
        json={
            "indicator_id": ni1["id"],
            "area": "E07000078",
            "period": "2030-31-Q1",
            "value": value,
            "reported_on": "2030-07-01",
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


def deliveries(client: TestClient, hook_id: int) -> list[dict]:
    r = client.get(f"/api/v1/webhooks/{hook_id}/deliveries")
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


class TestRegistration:
    def test_admin_registers_and_the_secret_is_returned_once(self, client: TestClient) -> None:
        hook = register(
            client, "https://example.org/hook", ["meeting.updated", "measurement.created"]
        )
        assert hook.pop("secret") == SECRET
        assert hook["events"] == ["measurement.created", "meeting.updated"]
        got = client.get(f"/api/v1/webhooks/{hook['id']}")
        assert "secret" not in got.json()
        r = client.patch(f"/api/v1/webhooks/{hook['id']}", json={"events": ["meeting.updated"]})
        assert r.json()["events"] == ["meeting.updated"]
        assert client.delete(f"/api/v1/webhooks/{hook['id']}").status_code == 204

    @pytest.mark.parametrize(
        ("field", "value"),
        [("events", ["task.deleted"]), ("events", []), ("url", "ftp://x"), ("secret", "short")],
    )
    def test_validation(self, client: TestClient, field: str, value: Any) -> None:
        body = {"url": "https://example.org/h", "events": ["meeting.updated"], "secret": SECRET}
        r = client.post("/api/v1/webhooks", json={**body, field: value})
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"][:2] == ["body", field]

    @pytest.mark.parametrize("role", ["officer", "member", "partner", "county"])
    def test_only_admins(self, as_role, role: str) -> None:  # type: ignore[no-untyped-def]
        assert as_role(role).get("/api/v1/webhooks").status_code == 403
        body = {"url": "https://example.org/h", "events": ["meeting.updated"], "secret": SECRET}
        assert as_role(role).post("/api/v1/webhooks", json=body).status_code == 403


class TestOutbox:
    def test_a_measurement_queues_one_delivery_per_subscriber(self, client: TestClient) -> None:
        hook = register(client, "https://example.org/a")
        other = register(client, "https://example.org/b", ["meeting.updated"])
        paused = register(client, "https://example.org/c", active=False)
        measurement = add_measurement(client)
        (queued,) = deliveries(client, hook["id"])
        assert queued["event"] == "measurement.created" and queued["status"] == "pending"
        assert queued["payload"]["id"] == measurement["id"]
        assert deliveries(client, other["id"]) == []
        assert deliveries(client, paused["id"]) == []

    def test_a_status_update_queues_an_event(self, client: TestClient) -> None:
        hook = register(client, "https://example.org/a", ["status_update.created"])
        task = client.get("/api/v1/tasks", params={"limit": 1}).json()["items"][0]
        r = client.post(
            f"/api/v1/tasks/{task['id']}/status-updates",
            json={"position": "Venue booked", "note": "Checked for the webhook test"},
        )
        assert r.status_code == 201, r.text
        (queued,) = deliveries(client, hook["id"])
        assert queued["event"] == "status_update.created"
        assert queued["payload"]["task_id"] == task["id"]

    def test_a_meeting_update_queues_an_event(self, client: TestClient) -> None:
        hook = register(client, "https://example.org/a", ["meeting.updated"])
        meeting = client.get("/api/v1/meetings", params={"limit": 1}).json()["items"][0]
        r = client.patch(f"/api/v1/meetings/{meeting['id']}", json={"location": "Civic Centre"})
        assert r.status_code == 200, r.text
        (queued,) = deliveries(client, hook["id"])
        assert queued["event"] == "meeting.updated"
        assert queued["payload"]["location"] == "Civic Centre"

    def test_a_refused_write_queues_nothing(self, client: TestClient) -> None:
        hook = register(client, "https://example.org/a")
        ni1 = client.get("/api/v1/indicators", params={"code": "NI 1"}).json()["items"][0]
        body = {
            "indicator_id": ni1["id"],
            "area": "E07000078",
            "period": "2030-31",
            "value": 140,  # NI 1 is a percentage
            "reported_on": "2030-07-01",
        }
        r = client.post("/api/v1/measurements", json=body)
        assert r.status_code == 422
        assert deliveries(client, hook["id"]) == []


class TestDelivery:
    def test_signed_delivery(
        self, client: TestClient, receiver: Receiver, http: httpx.Client
    ) -> None:
        hook = register(client, receiver.url)
        measurement = add_measurement(client)
        assert service.run_once(http) == 1
        ((headers, body),) = receiver.requests
        assert headers["LSPHub-Event"] == "measurement.created"
        signature = headers["LSPHub-Signature"]
        parts = dict(item.split("=", 1) for item in signature.split(","))
        expected = hmac.new(
            SECRET.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256
        ).hexdigest()
        assert hmac.compare_digest(parts["v1"], expected)
        assert service.verify_signature(SECRET, signature, body)
        assert not service.verify_signature("another-secret-0000", signature, body)
        document = json.loads(body)
        assert document["event"] == "measurement.created"
        assert document["data"]["id"] == measurement["id"]
        assert headers["LSPHub-Delivery"] == str(document["id"])
        (logged,) = deliveries(client, hook["id"])
        assert logged["status"] == "delivered" and logged["attempts"] == 1
        assert logged["last_status_code"] == 200 and logged["delivered_at"]
        assert service.run_once(http) == 0, "nothing left to send"

    def test_retry_after_a_500_with_backoff(
        self, client: TestClient, receiver: Receiver, http: httpx.Client
    ) -> None:
        hook = register(client, receiver.url)
        add_measurement(client)
        receiver.statuses = [500]
        assert service.run_once(http) == 1
        (logged,) = deliveries(client, hook["id"])
        assert logged["status"] == "pending" and logged["attempts"] == 1
        assert logged["last_status_code"] == 500 and logged["last_error"] == "HTTP 500"
        assert service.run_once(http) == 0, "not due before the backoff has passed"
        assert service.run_once(http, now=utcnow() + service.backoff(1)) == 1
        (logged,) = deliveries(client, hook["id"])
        assert logged["status"] == "delivered" and logged["attempts"] == 2
        first, second = receiver.bodies()
        assert first == second, "the same event, retried"

    def test_backoff_doubles_and_is_capped(self) -> None:
        assert [service.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
        assert service.backoff(30) == service.BACKOFF_MAX

    def test_gives_up_after_the_last_attempt_then_redeliver(
        self, client: TestClient, receiver: Receiver, http: httpx.Client
    ) -> None:
        hook = register(client, receiver.url)
        add_measurement(client)
        receiver.statuses = [503] * service.MAX_ATTEMPTS
        later = utcnow()
        for _ in range(service.MAX_ATTEMPTS):
            later += service.BACKOFF_MAX
            assert service.run_once(http, now=later) == 1
        (logged,) = deliveries(client, hook["id"])
        assert logged["status"] == "failed" and logged["attempts"] == service.MAX_ATTEMPTS
        assert service.run_once(http, now=later + service.BACKOFF_MAX) == 0
        r = client.post(f"/api/v1/webhooks/{hook['id']}/deliveries/{logged['id']}/redeliver")
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "pending" and r.json()["attempts"] == 0
        assert service.run_once(http) == 1
        assert deliveries(client, hook["id"])[0]["status"] == "delivered"
        assert len(receiver.requests) == service.MAX_ATTEMPTS + 1

    def test_redeliver_unknown_is_404(self, client: TestClient) -> None:
        hook = register(client, "https://example.org/a")
        r = client.post(f"/api/v1/webhooks/{hook['id']}/deliveries/999999/redeliver")
        assert r.status_code == 404

    def test_no_loss_when_the_worker_dies_after_claiming(
        self, client: TestClient, receiver: Receiver, http: httpx.Client
    ) -> None:
        register(client, receiver.url)
        for value in (51, 52, 53):
            add_measurement(client, value)
        with session_scope() as session:  # a worker claims the batch, then dies before sending
            claimed = service.claim_due(session, utcnow())
        assert len(claimed) == 3 and receiver.requests == []
        assert service.run_once(http) == 0, "leased to the dead worker"
        restarted = utcnow() + service.LEASE + timedelta(seconds=1)
        assert service.run_once(http, now=restarted) == 3
        values = sorted(b["data"]["value"] for b in receiver.bodies())
        assert values == [51, 52, 53]
        assert service.run_once(http, now=restarted) == 0

    def test_unreachable_endpoint_is_logged(self, client: TestClient, http: httpx.Client) -> None:
        hook = register(client, "http://127.0.0.1:9/closed")
        add_measurement(client)
        assert service.run_once(http) == 1
        (logged,) = deliveries(client, hook["id"])
        assert logged["status"] == "pending" and logged["last_status_code"] is None
        assert "ConnectError" in logged["last_error"]

    def test_lsphub_worker_once(self, client: TestClient, receiver: Receiver) -> None:
        register(client, receiver.url)
        add_measurement(client)
        result = CliRunner().invoke(cli, ["worker", "--once"])
        assert result.exit_code == 0, result.output
        assert len(receiver.requests) == 1
