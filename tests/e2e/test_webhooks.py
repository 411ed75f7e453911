"""Webhooks in the browser: add one (secret shown once), pause it, and send a failed delivery
again to a receiver on loopback with `lsphub worker --once`."""

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.e2e.conftest import Spa
from tests.live import LiveServer, lsphub

pytestmark = pytest.mark.e2e

DEMO_HOOK = "https://hooks.example.org/lsphub"


class Receiver:
    """A webhook receiver on 127.0.0.1 that records every POST and answers 204."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        received = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                received.append(json.loads(self.rfile.read(length)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def run_worker(server: LiveServer) -> None:
    """One pass of the delivery worker against the live server's database."""
    lsphub(server.database_url, "worker", "--once", env=server.env)


def open_webhooks(spa: Spa) -> None:
    spa.login("admin")
    spa.page.get_by_role("navigation", name="Main").get_by_role("link", name="Webhooks").click()
    spa.page.get_by_role("heading", name="Webhooks", level=1).wait_for()
    spa.settle()


class TestWebhooks:
    def test_add_a_webhook_see_its_secret_once_and_pause_it(
        self, spa: Spa, api: httpx.Client, server: LiveServer
    ) -> None:
        open_webhooks(spa)
        page = spa.page
        form = page.get_by_role("form", name="Add a webhook")
        form.get_by_label("Receiver URL").fill("ftp://files.example.org/drop")
        form.get_by_label("An indicator measurement is recorded").check()
        spa.expect_http_error(422)
        form.get_by_role("button", name="Add webhook").click()
        url_field = form.get_by_label("Receiver URL")
        page.wait_for_selector('#hook-new-url[aria-invalid="true"]')
        error = page.locator("#hook-new-url-error")
        assert error.is_visible() and error.inner_text().strip()
        spa.check_accessibility()

        url_field.fill("https://data.example.org/lsphub-events")
        form.get_by_label("Description").fill("Partnership data warehouse")
        form.get_by_role("button", name="Add webhook").click()
        secret = page.get_by_label("The signing secret")
        secret.wait_for()
        shown = secret.inner_text().strip()
        assert shown.startswith("whsec_")
        hook = next(
            h
            for h in api.get("/api/v1/webhooks").json()["items"]
            if h["url"] == "https://data.example.org/lsphub-events"
        )
        assert "secret" not in hook and hook["active"] is True
        engine = create_engine(server.database_url)
        with engine.connect() as conn:
            stored = conn.execute(
                text("SELECT secret FROM webhook WHERE id = :i"), {"i": hook["id"]}
            )
            assert stored.scalar_one() == shown, "the secret shown is the one that signs"
        engine.dispose()

        row = page.get_by_role("row").filter(has_text="https://data.example.org/lsphub-events")
        row.get_by_role("button", name="Pause").click()
        row.get_by_text("Paused").wait_for()
        assert api.get(f"/api/v1/webhooks/{hook['id']}").json()["active"] is False
        page.reload()
        spa.settle()
        assert page.get_by_label("The signing secret").count() == 0, "shown once"

    def test_redeliver_a_failed_delivery_to_a_local_receiver(
        self, spa: Spa, api: httpx.Client, server: LiveServer, receiver: Receiver
    ) -> None:
        open_webhooks(spa)
        page = spa.page
        row = page.get_by_role("row").filter(has_text=DEMO_HOOK)
        assert "Paused" in row.inner_text()
        row.get_by_role("button", name="Change").click()
        edit = page.get_by_role("form", name=re.compile("Change the webhook"))
        edit.get_by_label("Receiver URL").fill(receiver.url)
        edit.get_by_role("button", name="Save changes").click()
        edit.wait_for(state="detached")
        page.get_by_role("link", name=f"Deliveries to {receiver.url}").click()

        page.get_by_role("heading", name="Webhook deliveries").wait_for()
        spa.settle()
        failed = page.get_by_role("row").filter(has_text="Failed")
        cells = failed.inner_text()
        assert "measurement.created" in cells and "503" in cells and "HTTP 503" in cells
        spa.check_accessibility()
        spa.screenshot("webhook-deliveries")

        page.get_by_role("button", name="Redeliver all failed (1)").click()
        page.get_by_text("1 failed delivery queued again.").wait_for()
        pending = page.get_by_role("row").filter(has_text="Pending")
        assert "when resumed" in pending.inner_text()

        run_worker(server)
        assert receiver.bodies == [], "a paused webhook keeps its queue"

        page.get_by_role("button", name="Resume").click()
        page.get_by_role("status").filter(has_text="Resumed").wait_for()
        run_worker(server)
        (delivered,) = receiver.bodies
        assert delivered["event"] == "measurement.created"
        page.reload()
        done = page.get_by_role("row").filter(has_text="Delivered")
        done.wait_for()
        assert "204" in done.inner_text()
        assert page.get_by_role("button", name="Redeliver all failed (0)").is_disabled()

        page.get_by_role("button", name="Pause").click()
        page.get_by_role("status").filter(has_text="Paused: deliveries wait").wait_for()
        hooks = api.get("/api/v1/webhooks").json()["items"]
        assert next(h for h in hooks if h["url"] == receiver.url)["active"] is False
