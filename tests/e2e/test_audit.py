"""The audit trail in the browser: an administrator finds a task's change, with its before and
after, from the task's own page; filters live in the address; keyboard, axe and 375 px."""

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Spa, login_token
from tests.live import LiveServer

pytestmark = pytest.mark.e2e


def a_task(api: httpx.Client, skip: tuple[str, ...]) -> dict[str, Any]:
    for task in api.get("/api/v1/tasks", params={"limit": 100}).json()["items"]:
        if task["rag"] not in skip:
            return task
    raise AssertionError("the demo data has no such task")


def name_of(server: LiveServer, role: str) -> str:
    headers = {"Authorization": f"Bearer {login_token(server, role)}"}
    return str(httpx.get(f"{server.url}/api/v1/me", headers=headers).json()["name"])


def newest_event(spa: Spa) -> Any:
    spa.page.get_by_role("heading", name="Audit trail", level=1).wait_for()
    spa.settle()
    return spa.page.locator("article.audit-event").first


def diff_row(event: Any, field: str) -> tuple[str, str]:
    row = event.locator("tbody tr").filter(has=event.page.get_by_role("rowheader", name=field))
    cells = row.locator("td")
    return cells.nth(0).inner_text().strip(), cells.nth(1).inner_text().strip()


class TestAuditViewer:
    def test_admin_finds_a_tasks_change_with_its_diff(
        self, spa: Spa, api: httpx.Client, server: LiveServer
    ) -> None:
        task = a_task(api, skip=("red", "complete"))
        spa.login("admin")
        spa.goto(f"/tasks/{task['id']}")
        panel = spa.page.locator(".task-panel")
        panel.get_by_label("RAG status").select_option("red")
        panel.get_by_label("Current position").fill("Funding withdrawn in the autumn")
        panel.get_by_label("Planned improvement").fill("Bid to the lottery by January")
        panel.get_by_role("button", name="Save update").click()
        panel.get_by_text("Update saved.").wait_for()

        spa.page.get_by_role("link", name="History of this task").click()
        spa.page.wait_for_url(f"**/audit?resource=task&resource_id={task['id']}")
        event = newest_event(spa)
        assert event.get_by_role("heading").inner_text() == f"Update task {task['id']}"
        assert f"by {name_of(server, 'admin')}" in event.inner_text()
        assert "user:" in event.inner_text()  # the label too, for searching logs
        before_rag = (task["rag"] or "").strip()
        assert diff_row(event, "Rag") == (before_rag or "(empty)", "red")
        assert diff_row(event, "Position")[1] == "Funding withdrawn in the autumn"
        assert event.locator("ins", has_text="Bid to the lottery by January").count() == 1
        # every row of the diff is a field that changed
        assert "Title" not in event.locator("tbody").inner_text()
        summary = spa.page.get_by_role("status").inner_text()
        assert re.match(r"\d+ events?, newest first", summary)
        spa.check_accessibility()
        spa.screenshot("audit")

        # The event's record is a link away, and back.
        event.get_by_role("link", name="Open this task").click()
        spa.page.get_by_role("heading", level=1).filter(has_text=task["title"]).wait_for()

    def test_filters_by_keyboard_and_in_the_address(self, spa: Spa, api: httpx.Client) -> None:
        meeting = api.get("/api/v1/meetings", params={"limit": 1}).json()["items"][0]
        assert api.patch(
            f"/api/v1/meetings/{meeting['id']}", json={"location": "Council chamber, room 2"}
        ).is_success
        spa.login("admin")
        nav = spa.page.get_by_role("navigation", name="Main")
        nav.get_by_role("link", name="Audit trail").click()
        newest_event(spa)
        spa.check_accessibility()

        page = spa.page
        page.get_by_label("Record id").focus()
        page.keyboard.type(str(meeting["id"]))
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/audit?resource_id={meeting['id']}")
        page.get_by_label("Record type").select_option("meeting")
        page.get_by_label("Action").select_option("update")
        page.get_by_label("Record id").press("Enter")
        page.wait_for_url(f"**/audit?resource=meeting&resource_id={meeting['id']}&action=update")
        event = newest_event(spa)
        assert diff_row(event, "Location")[1] == "Council chamber, room 2"
        # the filters survive a reload: they are the address
        page.reload()
        assert page.get_by_label("Record type").input_value() == "meeting"
        assert newest_event(spa).get_by_role("heading").inner_text() == (
            f"Update meeting {meeting['id']}"
        )

        # whole London days; nothing is recorded before the demo was loaded
        spa.goto("/audit?to=2000-01-01")
        page.get_by_text("No events match these filters.").wait_for()

    def test_older_pages_by_keyboard(self, spa: Spa, api: httpx.Client) -> None:
        org = api.get("/api/v1/organisations", params={"limit": 1}).json()["items"][0]
        for n in range(21):  # more than a page of events, whatever ran before
            r = api.patch(f"/api/v1/organisations/{org['id']}", json={"short_name": f"P{n}"})
            assert r.is_success, r.text
        spa.login("admin")
        spa.goto("/audit")
        newest_event(spa)
        older = spa.page.get_by_role("link", name="Older events")
        older.focus()
        spa.page.keyboard.press("Enter")
        spa.page.wait_for_url("**/audit?page=2")
        newest_event(spa)
        assert "page 2 of" in spa.page.get_by_role("status").inner_text()
        # the keyboard carries on at the results, not at the link that went away (the focus
        # moves once the page has rendered: waited for, not read at once)
        expect(spa.page.locator("#audit-results")).to_be_focused()
        spa.page.get_by_role("link", name="Newer events").wait_for()

    def test_only_administrators_see_the_trail(self, spa: Spa, server: LiveServer) -> None:
        headers = {"Authorization": f"Bearer {login_token(server, 'officer')}"}
        me = httpx.get(f"{server.url}/api/v1/me", headers=headers).json()
        partnership = me["memberships"][0]["partnership_id"]
        spa.login("officer")
        nav = spa.page.get_by_role("navigation", name="Main")
        assert "Audit trail" not in nav.inner_text()
        spa.goto(f"/partnerships/{partnership}")
        spa.page.get_by_role("heading", level=1).wait_for()
        spa.settle()
        assert spa.page.get_by_role("link", name="History of this partnership").count() == 0

    def test_every_object_page_links_to_its_history(self, spa: Spa, api: httpx.Client) -> None:
        spa.login("admin")
        for noun in ("partnership", "meeting", "task"):
            item = api.get(f"/api/v1/{noun}s", params={"limit": 1}).json()["items"][0]["id"]
            spa.goto(f"/{noun}s/{item}")
            spa.page.get_by_role("link", name=f"History of this {noun}").click()
            spa.page.wait_for_url(f"**/audit?resource={noun}&resource_id={item}")
            spa.page.get_by_role("heading", name="Audit trail", level=1).wait_for()
            spa.settle()
            assert spa.page.get_by_label("Record type").input_value() == noun
            assert spa.page.get_by_label("Record id").input_value() == str(item)


class TestAuditOnAPhone:
    def test_the_trail_fits_375px(self, phone: Spa) -> None:
        phone.login("admin")
        phone.goto("/audit")
        newest_event(phone)
        width = phone.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the audit trail scrolls sideways ({width}px)"
        phone.check_accessibility()
        phone.screenshot("audit-phone")
