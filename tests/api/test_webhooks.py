"""Webhooks: registration, the transactional outbox, signed delivery, retries and restarts.

A real receiver (http.server on 127.0.0.1, in a thread) takes the deliveries; the worker's
functions run in the test's transaction like any other session. Signatures are checked with
the ``standardwebhooks`` library, as receivers do, and recomputed from the specification.
"""

import base64
import hashlib
import hmac
import importlib.util
import json
import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import standardwebhooks
import time_machine
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app as cli
from api.core import clock
from api.core.db import SessionLocal, session_scope
from api.core.settings import get_settings
from api.webhooks import outbound, service
from api.webhooks.models import Webhook

KEY = b"receiver-secret-0123456789abcdef"  # 32 bytes
SECRET = "whsec_" + base64.b64encode(KEY).decode()


def whsec(size: int, *, padded: bool = True) -> str:
    encoded = base64.b64encode(bytes(range(size))).decode()
    return "whsec_" + (encoded if padded else encoded.rstrip("="))


class Receiver:
    """Records every POST; answers with the queued status codes, then 200."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        self.reply = b""  # the body of every answer
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers.items()), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if 300 <= status < 400:  # back to itself: a followed redirect would show
                    self.send_header("Location", receiver.url)
                self.send_header("Content-Length", str(len(receiver.reply)))
                self.end_headers()
                self.wfile.write(receiver.reply)

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
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The receivers listen on 127.0.0.1, which webhooks may reach only when allowed."""
    monkeypatch.setattr(get_settings(), "webhook_allowed_hosts", ["127.0.0.1"])


@pytest.fixture
def receiver(loopback_allowed: None) -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def http(loopback_allowed: None) -> Iterator[httpx.Client]:
    """The worker's own client (checked addresses, no redirects)."""
    with outbound.client() as client:
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
        [
            ("events", ["task.deleted"]),
            ("events", []),
            ("url", "ftp://x"),
            ("secret", "short"),
            ("secret", "receiver-secret-0123456789"),  # not whsec_<base64>
            ("secret", whsec(23)),  # the specification asks for 24 to 64 bytes
            ("secret", whsec(65)),
            ("secret", whsec(25, padded=False)),
            ("secret", "whsec_" + "!" * 40),
        ],
    )
    def test_validation(self, client: TestClient, field: str, value: Any) -> None:
        body = {"url": "https://example.org/h", "events": ["meeting.updated"], "secret": SECRET}
        r = client.post("/api/v1/webhooks", json={**body, field: value})
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"][:2] == ["body", field]

    @pytest.mark.parametrize("size", [24, 25, 26, 63, 64])
    def test_secrets_of_24_to_64_bytes(self, client: TestClient, size: int) -> None:
        hook = register(client, "https://example.org/h")
        r = client.patch(f"/api/v1/webhooks/{hook['id']}", json={"secret": whsec(size)})
        assert r.status_code == 200, r.text

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

    def test_every_status_update_through_the_api_queues_an_event(self, client: TestClient) -> None:
        """A PATCH of status fields and a task created with a status append status updates
        too, and announce them as a POST does; a PATCH of other fields does not."""
        hook = register(client, "https://example.org/a", ["status_update.created"])
        task = client.get("/api/v1/tasks", params={"limit": 1}).json()["items"][0]
        r = client.patch(f"/api/v1/tasks/{task['id']}", json={"position": "Venue confirmed"})
        assert r.status_code == 200, r.text
        r = client.patch(f"/api/v1/tasks/{task['id']}", json={"title": "Renamed task"})
        assert r.status_code == 200, r.text
        body = {"action_id": task["action_id"], "ref": "wh1", "title": "New", "rag": "green"}
        created = client.post("/api/v1/tasks", json=body)
        assert created.status_code == 201, created.text
        queued = deliveries(client, hook["id"])
        assert sorted(
            (q["payload"]["task_id"], q["payload"]["position"]) for q in queued
        ) == sorted([(task["id"], "Venue confirmed"), (created.json()["id"], None)])
        assert {q["event"] for q in queued} == {"status_update.created"}

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


def spec_signature(key: bytes, headers: dict[str, str], body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">``, straight from the spec."""
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


class TestDelivery:
    def test_signed_delivery(
        self, client: TestClient, receiver: Receiver, http: httpx.Client
    ) -> None:
        hook = register(client, receiver.url)
        measurement = add_measurement(client)
        assert service.run_once(http) == 1
        ((headers, body),) = receiver.requests
        assert headers["LSPHub-Event"] == "measurement.created"
        assert re.fullmatch(r"v1,[A-Za-z0-9+/]{43}=", headers["webhook-signature"])
        assert headers["webhook-signature"] == spec_signature(KEY, headers, body)
        document = standardwebhooks.Webhook(SECRET).verify(body, headers)
        assert document["event"] == "measurement.created"
        assert document["data"]["id"] == measurement["id"]
        assert headers["webhook-id"] == str(document["id"])
        assert abs(int(headers["webhook-timestamp"]) - clock.now().timestamp()) < 60
        with pytest.raises(standardwebhooks.WebhookVerificationError):
            standardwebhooks.Webhook(whsec(32)).verify(body, headers)
        tampered = body.replace(b'"measurement.created"', b'"meeting.updated"')
        with pytest.raises(standardwebhooks.WebhookVerificationError):
            standardwebhooks.Webhook(SECRET).verify(tampered, headers)
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
        assert service.run_once(http, now=clock.now() + service.backoff(1)) == 1
        (logged,) = deliveries(client, hook["id"])
        assert logged["status"] == "delivered" and logged["attempts"] == 2
        first, second = receiver.bodies()
        assert first == second, "the same event, retried"

    def test_a_retry_keeps_its_id_and_is_signed_afresh(
        self, client: TestClient, receiver: Receiver, http: httpx.Client
    ) -> None:
        register(client, receiver.url)
        add_measurement(client)
        receiver.statuses = [500]
        assert service.run_once(http) == 1
        with time_machine.travel(clock.now() + service.backoff(1), tick=False):
            assert service.run_once(http) == 1
        (first, _), (second, body) = receiver.requests
        assert first["webhook-id"] == second["webhook-id"], "receivers de-duplicate on it"
        assert int(second["webhook-timestamp"]) - int(first["webhook-timestamp"]) >= 30
        assert second["webhook-signature"] == spec_signature(KEY, second, body)

    def test_a_secret_from_before_whsec_signs_with_its_own_bytes(
        self, client: TestClient, receiver: Receiver, http: httpx.Client
    ) -> None:
        hook = register(client, receiver.url)
        legacy = "receiver-secret-0123456789"  # accepted by earlier versions
        with SessionLocal() as session, session.begin():
            session.get_one(Webhook, hook["id"]).secret = legacy
        add_measurement(client)
        assert service.run_once(http) == 1
        ((headers, body),) = receiver.requests
        assert headers["webhook-signature"] == spec_signature(legacy.encode(), headers, body)
        assert standardwebhooks.Webhook(legacy.encode()).verify(body, headers)

    def test_backoff_doubles_and_is_capped(self) -> None:
        assert [service.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
        assert service.backoff(30) == service.BACKOFF_MAX

    def test_gives_up_after_the_last_attempt_then_redeliver(
        self, client: TestClient, receiver: Receiver, http: httpx.Client
    ) -> None:
        hook = register(client, receiver.url)
        add_measurement(client)
        receiver.statuses = [503] * service.MAX_ATTEMPTS
        later = clock.now()
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
            claimed = service.claim_due(session, clock.now())
        assert len(claimed) == 3 and receiver.requests == []
        assert service.run_once(http) == 0, "leased to the dead worker"
        restarted = clock.now() + service.LEASE + timedelta(seconds=1)
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
        assert logged["last_error"] == "the connection failed"  # not why: no port scanning

    def test_only_an_excerpt_of_an_error_response_is_kept(
        self, client: TestClient, receiver: Receiver, http: httpx.Client
    ) -> None:
        hook = register(client, receiver.url)
        add_measurement(client)
        receiver.statuses = [500]
        receiver.reply = b"Internal error\n" + b"x" * 100_000
        assert service.run_once(http) == 1
        (logged,) = deliveries(client, hook["id"])
        assert logged["last_error"].startswith("HTTP 500: Internal error x")
        assert len(logged["last_error"]) <= len("HTTP 500: ") + outbound.EXCERPT_BYTES

    def test_lsphub_worker_once(self, client: TestClient, receiver: Receiver) -> None:
        register(client, receiver.url)
        add_measurement(client)
        result = CliRunner().invoke(cli, ["worker", "--once"])
        assert result.exit_code == 0, result.output
        assert len(receiver.requests) == 1


# -- server-side request forgery ---------------------------------------------------------------

INTERNAL = [
    "http://127.0.0.1:5432/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:6379/",
    "http://0x7f000001/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://10.0.0.5/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://0.0.0.0:8000/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://[::]/",
    "http://[fd00::1]/",
    "http://[fe80::1]/",
    "http://[fec0::1]/",
    "http://[ff02::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::127.0.0.1]/",
    "http://[64:ff9b::a00:1]/",
    "http://[2002:7f00:1::]/",
    "http://localhost:8000/",
    "http://LOCALHOST./",
    "http://api.localhost/",
]
NOT_HTTP = ["ftp://example.org/", "file:///etc/passwd", "gopher://example.org/"]
USERINFO = ["https://user:pass@example.org/", "https://user@example.org/"]


def hook_body(url: str) -> dict[str, Any]:
    return {"url": url, "events": ["measurement.created"], "secret": SECRET}


def refused_as_url(r: httpx.Response) -> str:
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["errors"][0]["loc"] == ["body", "url"], problem
    return str(problem["errors"][0]["msg"])


class FakeDns:
    """A resolver with fixed answers, standing in for a name an attacker controls."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        return self.answers[host]


class TestForgery:
    @pytest.mark.parametrize("url", INTERNAL + NOT_HTTP + USERINFO)
    def test_internal_destinations_are_refused_on_create(
        self, client: TestClient, url: str
    ) -> None:
        refused_as_url(client.post("/api/v1/webhooks", json=hook_body(url)))

    @pytest.mark.parametrize("url", ["http://[::1]:6379/", "http://0x7f000001/"])
    def test_and_on_update(self, client: TestClient, url: str) -> None:
        hook = register(client, "https://example.org/hook")
        msg = refused_as_url(client.patch(f"/api/v1/webhooks/{hook['id']}", json={"url": url}))
        assert "loopback" in msg
        assert client.get(f"/api/v1/webhooks/{hook['id']}").json()["url"].startswith("https://")

    def test_public_destinations_are_accepted(self, client: TestClient) -> None:
        for url in ("https://hooks.example.org/lsphub", "http://93.184.216.34:8080/h"):
            register(client, url)

    def test_an_allowed_host_may_be_internal(
        self, client: TestClient, loopback_allowed: None
    ) -> None:
        register(client, "http://127.0.0.1:9/hook")
        refused_as_url(client.post("/api/v1/webhooks", json=hook_body("http://127.0.0.2/")))

    def test_a_stored_internal_url_is_refused_at_delivery(
        self, client: TestClient, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A row registered while allowed (or before the rule) is not sent once it is not."""
        hook = register(client, receiver.url)
        add_measurement(client)
        monkeypatch.setattr(get_settings(), "webhook_allowed_hosts", [])
        with outbound.client() as http:
            assert service.run_once(http) == 1
        assert receiver.requests == []
        (logged,) = deliveries(client, hook["id"])
        assert logged["last_error"] == "refused: 127.0.0.1 is a loopback address"
        assert logged["status"] == "pending" and logged["last_status_code"] is None

    def test_a_name_that_resolves_inside_is_refused_at_delivery(
        self, client: TestClient, receiver: Receiver
    ) -> None:
        port = receiver.server.server_address[1]
        hook = register(client, f"http://hooks.example.org:{port}/hook")
        add_measurement(client)
        dns = FakeDns({"hooks.example.org": ["127.0.0.1"]})
        with outbound.client(allowed=[], resolver=dns) as http:
            assert service.run_once(http) == 1
        assert dns.asked == ["hooks.example.org"] and receiver.requests == []
        (logged,) = deliveries(client, hook["id"])
        assert logged["last_error"] == "refused: hooks.example.org resolves to a loopback address"

    def test_every_address_of_a_name_is_checked(self, client: TestClient) -> None:
        hook = register(client, "http://hooks.example.org/hook")
        add_measurement(client)
        dns = FakeDns({"hooks.example.org": ["93.184.216.34", "10.1.2.3"]})
        with outbound.client(allowed=[], resolver=dns) as http:
            assert service.run_once(http) == 1  # refused before any connection is made
        (logged,) = deliveries(client, hook["id"])
        assert logged["last_error"] == "refused: hooks.example.org resolves to a private address"

    def test_the_checked_address_is_the_one_connected_to(
        self, client: TestClient, receiver: Receiver
    ) -> None:
        """The name is resolved once, by the check; the request goes to that address with the
        name as Host, so a second, different answer (DNS rebinding) is never asked for."""
        port = receiver.server.server_address[1]
        register(client, f"http://hooks.example.org:{port}/hook")
        add_measurement(client)
        dns = FakeDns({"hooks.example.org": ["127.0.0.1"]})
        with outbound.client(allowed=["hooks.example.org"], resolver=dns) as http:
            assert service.run_once(http) == 1
        assert dns.asked == ["hooks.example.org"]
        ((headers, _),) = receiver.requests
        assert headers["Host"] == f"hooks.example.org:{port}"

    def test_the_worker_ignores_proxy_settings(
        self, client: TestClient, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A proxy would connect on the worker's behalf, to an address nobody checked."""
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
        monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:9")
        register(client, receiver.url)
        add_measurement(client)
        with outbound.client() as http:
            assert service.run_once(http) == 1
        assert len(receiver.requests) == 1

    def test_redirects_are_not_followed(
        self, client: TestClient, receiver: Receiver, http: httpx.Client
    ) -> None:
        hook = register(client, receiver.url)
        add_measurement(client)
        receiver.statuses = [307]
        assert service.run_once(http) == 1
        (logged,) = deliveries(client, hook["id"])
        assert logged["last_status_code"] == 307 and len(receiver.requests) == 1


@pytest.fixture(scope="module")
def example() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "examples" / "webhook_receiver.py"
    spec = importlib.util.spec_from_file_location("webhook_receiver", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TestExampleReceiver:
    """examples/webhook_receiver.py verifies with the library and handles each event once."""

    def serve(self, example: ModuleType, secret: str) -> tuple[str, list[dict], Any]:
        events: list[dict] = []
        server = example.make_server(example.Receiver(secret, events.append), "127.0.0.1", 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{server.server_address[1]}/lsphub", events, server

    def test_verifies_and_handles_a_redelivery_once(
        self, example: ModuleType, client: TestClient, http: httpx.Client
    ) -> None:
        url, events, server = self.serve(example, SECRET)
        try:
            hook = register(client, url)
            measurement = add_measurement(client)
            assert service.run_once(http) == 1
            (logged,) = deliveries(client, hook["id"])
            assert logged["status"] == "delivered" and logged["last_status_code"] == 204
            redeliver = f"/api/v1/webhooks/{hook['id']}/deliveries/{logged['id']}/redeliver"
            assert client.post(redeliver).status_code == 200
            assert service.run_once(http) == 1
            assert deliveries(client, hook["id"])[0]["status"] == "delivered"
        finally:
            server.shutdown()
            server.server_close()
        (event,) = events
        assert event["event"] == "measurement.created"
        assert event["data"]["id"] == measurement["id"]

    def test_refuses_a_delivery_signed_with_another_secret(
        self, example: ModuleType, client: TestClient, http: httpx.Client
    ) -> None:
        url, events, server = self.serve(example, whsec(32))
        try:
            hook = register(client, url)
            add_measurement(client)
            assert service.run_once(http) == 1
        finally:
            server.shutdown()
            server.server_close()
        (logged,) = deliveries(client, hook["id"])
        assert logged["status"] == "pending" and logged["last_status_code"] == 401
        assert events == []
