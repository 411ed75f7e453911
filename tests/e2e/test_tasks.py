"""A member reports progress on a task; the dashboard and the performance report follow."""

import re
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Spa, login_token
from tests.live import LiveServer

pytestmark = pytest.mark.e2e


def member_task(server: LiveServer, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """A task in one of the member's partnerships, led by the member's organisation, whose RAG
    is not in `skip`."""
    headers = {"Authorization": f"Bearer {login_token(server, 'member')}"}
    with httpx.Client(base_url=server.url, headers=headers) as member:
        me = member.get("/api/v1/me").json()
        for membership in me["memberships"]:
            tasks = member.get(
                "/api/v1/tasks",
                params={
                    "partnership_id": membership["partnership_id"],
                    "lead_organisation_id": me["organisation_id"],
                },
            ).json()["items"]
            for task in tasks:
                if task["rag"] not in skip:
                    return {**task, "partnership_id": membership["partnership_id"]}
    raise AssertionError("the demo data has no such task led by the member's organisation")


def outcome_code(api: httpx.Client, task: dict[str, Any]) -> str:
    action = api.get(f"/api/v1/actions/{task['action_id']}").json()
    return str(api.get(f"/api/v1/outcomes/{action['outcome_id']}").json()["code"])


def red_on_dashboard(spa: Spa, code: str) -> int:
    spa.goto("/")
    label = spa.page.locator("dt", has_text=re.compile(rf"^{re.escape(code)} "))
    row = spa.page.locator(".rag-chart-row", has=label).first
    text = row.locator(".rag-chart-counts").inner_text()
    found = re.search(r"Red (\d+)", text)
    return int(found.group(1)) if found else 0


def red_in_report(spa: Spa, partnership_id: int, code: str) -> int:
    spa.goto(f"/partnerships/{partnership_id}/report")
    sheet = spa.page.locator(f'.report-sheet[aria-labelledby="report-outcome-{code}"]')
    return int(sheet.locator(".summary-box tbody td").nth(2).inner_text())


def open_task(spa: Spa, task: dict[str, Any]) -> None:
    spa.goto(f"/partnerships/{task['partnership_id']}")
    spa.page.locator(f'button[aria-controls="task-panel-{task["id"]}"]').click()
    spa.page.locator(f"#task-{task['id']}-rag").wait_for()


class TestStatusUpdate:
    def test_rating_a_task_red_moves_the_dashboard_and_report(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        task = member_task(server, skip=("red", "complete"))
        code = outcome_code(api, task)
        spa.login("member")
        dashboard_before = red_on_dashboard(spa, code)
        report_before = red_in_report(spa, task["partnership_id"], code)

        open_task(spa, task)
        panel = spa.page.locator(f"#task-panel-{task['id']}")
        panel.get_by_label("RAG status").select_option("red")
        panel.get_by_label("Current position").fill("Contractor withdrew; re-tendering")
        panel.get_by_label("Planned improvement").fill("New contract awarded by March")
        panel.get_by_role("button", name="Save update").click()
        panel.get_by_text("Update saved.").wait_for()
        panel.locator(".timeline li").first.get_by_text("Red").wait_for()

        assert red_on_dashboard(spa, code) == dashboard_before + 1
        assert red_in_report(spa, task["partnership_id"], code) == report_before + 1

    def test_a_conflicting_edit_asks_to_reload_and_retry(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        task = member_task(server)
        spa.login("member")
        open_task(spa, task)
        # Someone else changes the task after the panel was opened.
        api.patch(f"/api/v1/tasks/{task['id']}", json={"position": "Changed elsewhere"})

        spa.expect_http_error(412)
        panel = spa.page.locator(f"#task-panel-{task['id']}")
        panel.get_by_label("RAG status").select_option("amber")
        panel.get_by_role("button", name="Save update").click()
        panel.get_by_text("Someone else updated this task").wait_for()
        panel.get_by_role("button", name="Reload the latest version").click()
        panel.get_by_text("Your changes are still in the form").wait_for()
        assert panel.get_by_label("RAG status").input_value() == "amber"
        panel.get_by_role("button", name="Save update").click()
        panel.get_by_text("Update saved.").wait_for()
        assert api.get(f"/api/v1/tasks/{task['id']}").json()["rag"] == "amber"
