"""Importing tasks: a file with an error is rejected row by row, the fixed file goes in."""

import httpx
import pytest

from tests.e2e.conftest import Spa

pytestmark = pytest.mark.e2e

HEADER = "partnership,outcome_code,action_ref,task_ref,title,target,rag,deadline\n"


def task_csv(api: httpx.Client, rag: str) -> bytes:
    """One new task under an existing action, with the given RAG value."""
    task = api.get("/api/v1/tasks", params={"limit": 1}).json()["items"][0]
    action = api.get(f"/api/v1/actions/{task['action_id']}").json()
    outcome = api.get(f"/api/v1/outcomes/{action['outcome_id']}").json()
    plan = api.get(f"/api/v1/action-plans/{action['action_plan_id']}").json()
    partnership = api.get(f"/api/v1/partnerships/{plan['partnership_id']}").json()
    row = [
        partnership["slug"],
        outcome["code"],
        action["ref"],
        "z",
        "Map youth provision in every ward",
        "Map published",
        rag,
        "2027-03-31",
    ]
    return (HEADER + ",".join(row) + "\n").encode()


def choose_file(spa: Spa, content: bytes) -> None:
    spa.page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "tasks.csv", "mimeType": "text/csv", "buffer": content}]
    )


class TestTaskImport:
    def test_a_bad_row_is_reported_then_the_fixed_file_is_applied(
        self, spa: Spa, api: httpx.Client
    ) -> None:
        spa.expect_http_error(422)
        spa.login("admin")
        spa.goto("/import")
        spa.page.get_by_label("What the file contains").select_option("tasks")

        choose_file(spa, task_csv(api, "BLUE"))
        spa.page.get_by_role("button", name="Check file (dry run)").click()
        errors = spa.page.get_by_role("region", name="Row errors")
        errors.wait_for()
        assert "BLUE" in errors.inner_text()
        assert spa.page.get_by_role("button", name="Apply import").count() == 0

        choose_file(spa, task_csv(api, "green"))
        spa.page.get_by_role("button", name="Check file (dry run)").click()
        spa.page.get_by_text("Dry run passed").wait_for()
        search = {"q": "Map youth provision"}
        assert api.get("/api/v1/tasks", params=search).json()["total"] == 0, "a dry run wrote"
        assert spa.page.get_by_role("region", name="Changes").get_by_text("New").count() >= 1

        spa.page.get_by_role("button", name="Apply import").click()
        spa.page.get_by_text("Imported: 1 created").wait_for()
        created = api.get("/api/v1/tasks", params=search).json()["items"]
        assert [t["rag"] for t in created] == ["green"]
