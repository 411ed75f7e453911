"""Browser end-to-end tests: Python Playwright driving Debian's Chromium against a live uvicorn.

The server runs on a fresh, migrated SQLite database with the demo data (see tests/live.py) and
serves the built SPA from frontend/dist. Without /usr/bin/chromium the tests skip.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live import ROOT, LiveServer, fresh_database, live_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DIST = ROOT / "frontend" / "dist"
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
DEMO_LOGINS = {
    "admin": ("admin@example.org", "demo-admin-pass"),
    "officer": ("officer@example.org", "demo-officer-pass"),
    "member": ("member@example.org", "demo-member-pass"),
    "county": ("county@example.org", "demo-county-pass"),
}
# The heading each demo login lands on (the county goes straight to its LAA screen).
LANDING = {"county": "LAA dashboard"}
# Network errors a test provokes on purpose still reach the console; everything else fails.
FAILED_RESOURCE = re.compile(
    r"Failed to load resource: the server responded with a status of (\d+)"
)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            "Chromium not found at /usr/bin/chromium: install it (apt-get install chromium) "
            "to run the browser tests"
        )
    if not (DIST / "index.html").exists() or not AXE.exists():
        pytest.skip("the SPA is not built: run `npm ci && npm run build` in frontend/")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def server(browser: Any) -> Iterator[LiveServer]:
    env = {
        "LSPHUB_FRONTEND_DIST": str(DIST),
        # The webhook tests' receiver listens on loopback, which the webhook address rules
        # refuse unless allow-listed.
        "LSPHUB_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
    }
    with fresh_database("lsphub_e2e") as url, live_server(url, env=env) as live:
        yield live


@pytest.fixture(scope="session")
def api(server: LiveServer) -> Iterator[httpx.Client]:
    """The API as an administrator, for looking up what the screens should show."""
    with server.client() as client:
        yield client


def login_token(server: LiveServer, role: str) -> str:
    email, password = DEMO_LOGINS[role]
    response = httpx.post(
        f"{server.url}/api/v1/auth/token", json={"email": email, "password": password}
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


class Spa:
    """A browser tab on the SPA, failing the test on any unexpected console error."""

    def __init__(self, page: Any, base_url: str, screenshots: Path) -> None:
        self.page = page
        self.base_url = base_url
        self.screenshots = screenshots
        self.console_errors: list[str] = []
        self.failed_requests: list[str] = []
        self.expected_statuses: set[int] = set()
        page.on("console", self._on_console)
        page.on("response", self._on_response)
        page.on("pageerror", lambda error: self.console_errors.append(f"page error: {error}"))
        # Through the browser's debugging channel: the page's CSP refuses inline scripts.
        page.add_init_script(path=str(AXE))

    def _on_console(self, message: Any) -> None:
        if message.type != "error":
            return
        failed = FAILED_RESOURCE.search(message.text)
        if failed and int(failed.group(1)) in self.expected_statuses:
            return
        self.console_errors.append(message.text)

    def _on_response(self, response: Any) -> None:
        if response.status >= 400:
            self.failed_requests.append(
                f"{response.status} {response.request.method} {response.url}"
            )

    def expect_http_error(self, status: int) -> None:
        self.expected_statuses.add(status)

    def goto(self, path: str) -> None:
        self.page.goto(f"{self.base_url}{path}")

    def login(self, role: str) -> None:
        email, password = DEMO_LOGINS[role]
        self.goto("/")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        landing = LANDING.get(role, "Dashboard")
        self.page.get_by_role("heading", name=landing, level=1).wait_for()

    def settle(self) -> None:
        """Wait until no screen section is still loading."""
        self.page.wait_for_load_state("networkidle")
        self.page.locator(".loading").first.wait_for(state="detached")

    def check_accessibility(self) -> None:
        """axe-core on the current screen: no serious or critical violations."""
        assert self.page.evaluate("typeof window.axe !== 'undefined'"), "axe-core not loaded"
        violations = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
            ".map(v => `${v.id} (${v.impact}): ${v.help} — ` +"
            " v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))"
        )
        assert violations == [], "\n".join(violations)

    def screenshot(self, name: str, *, full_page: bool = True) -> None:
        """The whole page, or what the window shows (``full_page=False``, for long screens)."""
        self.page.screenshot(path=str(self.screenshots / f"{name}.png"), full_page=full_page)


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """docs/screenshots when LSPHUB_SCREENSHOTS=1 (to refresh the README), else a temp dir."""
    if os.environ.get("LSPHUB_SCREENSHOTS") == "1":
        target = ROOT / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        return target
    return tmp_path


def _open_spa(browser: Any, server: LiveServer, screenshots: Path, width: int) -> Iterator[Spa]:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    spa = Spa(context.new_page(), server.url, screenshots)
    yield spa
    context.close()
    assert spa.console_errors == [], "\n".join(
        ["console errors:", *spa.console_errors, "failed requests:", *spa.failed_requests]
    )


@pytest.fixture
def spa(browser: Any, server: LiveServer, screenshots: Path) -> Iterator[Spa]:
    yield from _open_spa(browser, server, screenshots, 1280)


@pytest.fixture
def phone(browser: Any, server: LiveServer, screenshots: Path) -> Iterator[Spa]:
    """The SPA at 375 px, the width of a small phone."""
    yield from _open_spa(browser, server, screenshots, 375)
