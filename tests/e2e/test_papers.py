"""The agenda builder, papers as files, the agenda pack and the calendar feed link
(issue 16 parts 2, 3 and 7), each as the role that uses it."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Spa, login_token
from tests.live import LiveServer
from tests.papers_files import pdf

pytestmark = pytest.mark.e2e

NEW_ITEM = "Housing strategy refresh"


def officer_partnership(server: LiveServer) -> int:
    headers = {"Authorization": f"Bearer {login_token(server, 'officer')}"}
    me = httpx.get(f"{server.url}/api/v1/me", headers=headers).json()
    return next(
        m["partnership_id"]
        for m in me["memberships"]
        if m["role"] in ("officer", "chair", "vice_chair")
    )


def new_meeting(api: httpx.Client, partnership_id: int, title: str) -> int:
    starts = (datetime.now(UTC) + timedelta(days=21)).replace(microsecond=0)
    body = {"partnership_id": partnership_id, "title": title, "starts_at": starts.isoformat()}
    r = api.post("/api/v1/meetings", json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def pack(api: httpx.Client, meeting_id: int) -> dict[str, Any]:
    return api.get(f"/api/v1/meetings/{meeting_id}/agenda-pack").json()


def titles(api: httpx.Client, meeting_id: int) -> list[str]:
    return [i["title"] for i in pack(api, meeting_id)["items"]]


def fetch_feed(server: LiveServer, address: str) -> httpx.Response:
    """The feed at ``address`` from the live server (the address names the public site)."""
    return httpx.get(server.url + urlsplit(address).path)


def no_horizontal_scroll(spa: Spa) -> None:
    overflow = spa.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


class TestAgendaBuilder:
    def test_officer_builds_reorders_by_keyboard_and_uploads_a_paper(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        meeting = new_meeting(api, officer_partnership(server), "Agenda building meeting")
        page = spa.page
        spa.login("officer")
        spa.goto(f"/meetings/{meeting}")
        page.get_by_role("button", name="Add the standard opening").click()
        page.get_by_text("Added the standard opening.").wait_for(state="attached")
        page.locator(".builder-item").nth(3).wait_for()
        page.get_by_label("Title").fill(NEW_ITEM)
        page.get_by_label("Presenter").fill("Priya Shah, housing lead")
        page.get_by_label("Minutes allotted").fill("20")
        page.get_by_role("button", name="Add item").click()
        page.locator(".builder-item").nth(4).wait_for()
        assert titles(api, meeting) == [
            "Apologies",
            "Minutes of the last meeting",
            "Performance report",
            "Any other business",
            NEW_ITEM,
        ]

        # Keyboard only: focus the new item's "up" button and press Enter twice; the focus
        # stays on the moved item's button.
        page.get_by_role("button", name=f"Move “{NEW_ITEM}” up").focus()
        page.keyboard.press("Enter")
        page.get_by_text(f"Moved “{NEW_ITEM}” to position 4.").wait_for(state="attached")
        expect(page.get_by_role("button", name=f"Move “{NEW_ITEM}” up")).to_be_focused()
        page.keyboard.press("Enter")
        page.get_by_text(f"Moved “{NEW_ITEM}” to position 3.").wait_for(state="attached")
        assert titles(api, meeting)[2] == NEW_ITEM
        assert titles(api, meeting)[4] == "Any other business"

        # A PDF paper for the new item.
        data = pdf("Housing strategy refresh: options for the sub-group")
        page.get_by_label(f"Upload a paper for “{NEW_ITEM}”").set_input_files(
            {"name": "housing-strategy.pdf", "mimeType": "application/pdf", "buffer": data}
        )
        page.get_by_text(f"Paper saved for “{NEW_ITEM}”.").wait_for(state="attached")
        page.get_by_role("button", name="Download housing-strategy.pdf").wait_for()
        item = next(i for i in pack(api, meeting)["items"] if i["title"] == NEW_ITEM)
        assert item["paper"]["file"]["name"] == "housing-strategy.pdf"
        assert item["paper"]["file"]["size"] == len(data)

        # Not for the public site.
        # The upload already put "Paper saved" in the live region, so wait for the PATCH itself.
        with page.expect_response(
            lambda r: r.request.method == "PATCH" and "/api/v1/reports/" in r.url
        ) as saved:
            page.get_by_label(f"Public paper (“{NEW_ITEM}”)").uncheck()
        assert saved.value.ok
        item = next(i for i in pack(api, meeting)["items"] if i["title"] == NEW_ITEM)
        assert item["paper"]["public"] is False

        # A file that is not what it says is refused, with the server's reason.
        spa.expect_http_error(422)
        page.get_by_label("Upload a paper for “Apologies”").set_input_files(
            {"name": "apologies.pdf", "mimeType": "application/pdf", "buffer": b"MZ" + bytes(64)}
        )
        page.get_by_role("alert").filter(has_text="not a file type we accept").wait_for()
        assert pack(api, meeting)["items"][0]["paper"] is None

        with page.expect_download() as download:
            page.get_by_role("button", name="Download housing-strategy.pdf").click()
        assert download.value.suggested_filename == "housing-strategy.pdf"

        page.get_by_role("button", name="Add the performance report as a paper").click()
        page.get_by_text("The performance report is on the agenda.").wait_for(state="attached")
        spa.settle()
        spa.check_accessibility()
        spa.screenshot("agenda-builder")

    def test_the_builder_fits_a_phone(
        self, phone: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        meeting = new_meeting(api, officer_partnership(server), "Phone agenda meeting")
        for title in ("Apologies", "A rather long agenda item title about the community strategy"):
            api.post("/api/v1/agenda-items", json={"meeting_id": meeting, "title": title})
        phone.login("officer")
        phone.goto(f"/meetings/{meeting}")
        phone.page.locator(".builder-item").nth(1).wait_for()
        phone.settle()
        no_horizontal_scroll(phone)
        phone.check_accessibility()


class TestAgendaPack:
    def test_the_pack_prints_as_one_document(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        meeting = new_meeting(api, officer_partnership(server), "Pack meeting")
        for title in ("Apologies", "Performance report", "Any other business"):
            api.post("/api/v1/agenda-items", json={"meeting_id": meeting, "title": title})
        r = api.post(f"/api/v1/meetings/{meeting}/performance-report-paper", json={})
        assert r.status_code == 201, r.text
        page = spa.page
        spa.login("officer")
        spa.goto(f"/meetings/{meeting}/pack")
        page.get_by_role("heading", name="Pack meeting", level=1).wait_for()
        page.get_by_role("heading", name="Performance report as of").wait_for()
        page.get_by_role("button", name="Publish the agenda pack").click()
        page.get_by_role("button", name="Publish again").wait_for()
        assert pack(api, meeting)["agenda_published_at"] is not None
        spa.settle()
        spa.check_accessibility()
        spa.screenshot("agenda-pack")
        page.emulate_media(media="print")
        assert not page.get_by_role("button", name="Print agenda pack").is_visible()
        assert not page.locator(".site-header").is_visible()
        assert page.get_by_role("heading", name="Agenda", exact=True).is_visible()
        assert page.get_by_role("heading", name="Papers").is_visible()
        printed = page.pdf(format="A4")
        # One document: the agenda and papers, then the report from a new page.
        pages = len(re.findall(rb"/Type\s*/Page[^s]", printed))
        assert printed.startswith(b"%PDF") and pages >= 2, pages
        page.emulate_media(media="screen")

    def test_a_member_reads_the_pack(
        self, phone: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        headers = {"Authorization": f"Bearer {login_token(server, 'member')}"}
        me = httpx.get(f"{server.url}/api/v1/me", headers=headers).json()
        meeting = new_meeting(api, me["memberships"][0]["partnership_id"], "Member pack")
        api.post("/api/v1/agenda-items", json={"meeting_id": meeting, "title": "Apologies"})
        phone.login("member")
        phone.goto(f"/meetings/{meeting}/pack")
        phone.page.get_by_role("heading", name="Member pack", level=1).wait_for()
        assert phone.page.get_by_role("button", name="Publish the agenda pack").count() == 0
        phone.settle()
        no_horizontal_scroll(phone)
        phone.check_accessibility()


class TestCalendarLink:
    def test_a_person_copies_rotates_and_revokes_their_feed(
        self, spa: Spa, server: LiveServer
    ) -> None:
        page = spa.page
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        spa.login("member")
        page.get_by_role("link", name="My calendar").click()
        page.get_by_role("heading", name="My calendar", level=1).wait_for()
        page.get_by_role("button", name="Create my feed address").click()
        field = page.get_by_label("Your feed address (shown only now)")
        field.wait_for()
        first = field.input_value()
        assert fetch_feed(server, first).status_code == 200
        page.get_by_role("button", name="Copy address").click()
        page.get_by_text("Address copied.").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == first
        spa.settle()
        spa.check_accessibility()
        spa.screenshot("my-calendar")

        page.get_by_role("button", name="Rotate address").click()
        page.get_by_text("A new address is ready; the old one no longer works.").wait_for()
        second = field.input_value()
        assert second != first
        assert fetch_feed(server, first).status_code == 404
        feed = fetch_feed(server, second)
        assert feed.status_code == 200 and feed.text.startswith("BEGIN:VCALENDAR")

        page.get_by_role("button", name="Revoke address").click()
        page.get_by_role("button", name="Confirm: revoke the address").click()
        page.get_by_text("You have no feed address.").wait_for()
        assert fetch_feed(server, second).status_code == 404
