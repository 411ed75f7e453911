"""Keeping the plan in the browser, the member's worklist, and filtered downloads (issue 17)."""

import csv
import io
from datetime import date, timedelta

import httpx
import pytest

from tests.e2e.conftest import Spa, login_token
from tests.live import LiveServer

pytestmark = pytest.mark.e2e

MANAGER_ROLES = {"chair", "vice_chair", "officer"}


def as_user(server: LiveServer, role: str) -> httpx.Client:
    headers = {"Authorization": f"Bearer {login_token(server, role)}"}
    return httpx.Client(base_url=server.url, headers=headers)


def officers_partnership(server: LiveServer) -> int:
    """A partnership the demo officer manages that has an action plan (and the member is on)."""
    with as_user(server, "officer") as officer, as_user(server, "member") as member:
        mine = {m["partnership_id"] for m in member.get("/api/v1/me").json()["memberships"]}
        for m in officer.get("/api/v1/me").json()["memberships"]:
            if m["role"] in MANAGER_ROLES and m["partnership_id"] in mine:
                plans = officer.get(
                    "/api/v1/action-plans", params={"partnership_id": m["partnership_id"]}
                ).json()
                if plans["total"]:
                    return int(m["partnership_id"])
    raise AssertionError("the demo officer manages no partnership with an action plan")


def no_horizontal_scroll(spa: Spa) -> None:
    overflow = spa.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow}px of horizontal scroll at 375px"


class TestPlanEditing:
    def test_officer_adds_an_outcome_an_action_and_a_task_and_sees_it_in_the_report(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        pid = officers_partnership(server)
        with as_user(server, "member") as member:
            me = member.get("/api/v1/me").json()
        lead_id, owner_id = me["organisation_id"], me["person_id"]
        lead_name = api.get(f"/api/v1/organisations/{lead_id}").json()["name"]
        owner_name = api.get(f"/api/v1/people/{owner_id}").json()["name"]
        deadline = (date.today() + timedelta(days=90)).isoformat()
        spa.login("officer")
        spa.goto(f"/partnerships/{pid}")
        spa.settle()
        page = spa.page

        # The outcome, started from the keyboard.
        page.get_by_role("button", name="Add an outcome").focus()
        page.keyboard.press("Enter")
        form = page.get_by_role("form", name="Add an outcome")
        form.get_by_label("Code (e.g. 2.3)").fill("8.1")
        form.get_by_label("Outcome", exact=True).fill("Fewer empty homes")
        form.get_by_label("What we said we'd achieve (optional)").fill("200 homes back in use")
        spa.check_accessibility()
        form.get_by_role("button", name="Add outcome").click()
        heading = page.get_by_role("heading", name="8.1 Fewer empty homes")
        heading.wait_for()
        section = page.locator("section.outcome", has=heading)

        section.get_by_role("button", name="Add an action to outcome 8.1").click()
        form = section.get_by_role("form", name="Add an action to outcome 8.1")
        form.get_by_label("Reference").fill("8.1.1")
        form.get_by_label("Action (optional)", exact=False).or_(
            form.get_by_label("Action")
        ).first.fill("Survey empty homes")
        form.get_by_role("button", name="Add action").click()
        section.get_by_role("heading", name="Action 8.1.1: Survey empty homes").wait_for()

        section.get_by_role("button", name="Add a task to action 8.1.1").click()
        form = section.get_by_role("form", name="Add a task")
        form.get_by_label("Reference (e.g. a, b)").fill("a")
        form.get_by_label("Task", exact=True).fill("Visit every ward")
        form.get_by_label("Target (optional)").fill("All 20 wards visited")
        form.get_by_label("Lead organisation (optional)").select_option(label=lead_name)
        # The owner is picked from the lead organisation's people, once they have loaded.
        owner = form.get_by_label("Owner (optional)")
        owner.locator(f'optgroup[label="People of {lead_name}"]').wait_for(state="attached")
        owner.select_option(label=owner_name)
        form.get_by_label("Deadline (optional)").fill(deadline)
        spa.check_accessibility()
        form.evaluate("form => form.scrollIntoView({block: 'center'})")
        spa.screenshot("plan-editing", full_page=False)
        form.get_by_role("button", name="Add task").click()
        row = section.locator(".task-row", has_text="Visit every ward")
        row.wait_for()
        assert "8.1.1a" in row.inner_text()
        row.get_by_text(f"Owner: {owner_name}").wait_for()
        spa.check_accessibility()

        task = api.get(
            "/api/v1/tasks", params={"partnership_id": pid, "q": "Visit every ward"}
        ).json()["items"][0]
        assert (task["lead_organisation_id"], task["deadline"]) == (lead_id, deadline)
        assert (task["owner_person_id"], task["owner_name"]) == (owner_id, owner_name)

        # The task's details name the owner; the edit form offers "No owner" to clear it.
        row.get_by_role("button", name="Details task 8.1.1a").or_(
            row.get_by_role("button", name="Update task 8.1.1a")
        ).click()
        facts = row.locator(".task-panel dl.facts")
        facts.get_by_text(owner_name).wait_for()
        row.get_by_role("button", name="Edit task 8.1.1a").click()
        form = row.get_by_role("form", name="Change task Visit every ward")
        form.get_by_label("Owner (optional)").select_option(label="No owner")
        form.get_by_role("button", name="Save task").click()
        row.get_by_text(f"Owner: {owner_name}").wait_for(state="detached")
        assert api.get(f"/api/v1/tasks/{task['id']}").json()["owner_person_id"] is None

        spa.goto(f"/partnerships/{pid}/report")
        sheet = page.locator('.report-sheet[aria-labelledby="report-outcome-8.1"]')
        sheet.get_by_text("Visit every ward").wait_for()
        sheet.get_by_text("Fewer empty homes").first.wait_for()

    def test_an_edit_that_lost_a_race_reloads_and_saves_again(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        pid = officers_partnership(server)
        task = api.get("/api/v1/tasks", params={"partnership_id": pid, "limit": 1}).json()
        task = task["items"][0]
        spa.login("officer")
        spa.goto(f"/partnerships/{pid}")
        spa.settle()
        row = spa.page.locator(
            ".task-row", has=spa.page.locator(f'[aria-controls="task-panel-{task["id"]}"]')
        )
        row.get_by_role("button", name="Edit").click()
        form = row.get_by_role("form")
        form.get_by_label("Task", exact=True).fill("Renamed in the browser")
        api.patch(f"/api/v1/tasks/{task['id']}", json={"target": "Changed elsewhere"})

        spa.expect_http_error(412)
        form.get_by_role("button", name="Save task").click()
        form.get_by_text("Someone else changed this task").wait_for()
        form.get_by_role("button", name="Reload the latest version").click()
        form.get_by_text("Reloaded the latest version of this task").wait_for()
        assert form.get_by_label("Task", exact=True).input_value() == "Renamed in the browser"
        form.get_by_role("button", name="Save task").click()
        row.locator(".task-title", has_text="Renamed in the browser").wait_for()
        saved = api.get(f"/api/v1/tasks/{task['id']}").json()
        assert (saved["title"], saved["target"]) == ("Renamed in the browser", "Changed elsewhere")

    def test_deleting_asks_first_and_leaves_the_audit_trail(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        pid = officers_partnership(server)
        action = api.get(
            "/api/v1/actions",
            params={
                "action_plan_id": api.get(
                    "/api/v1/action-plans", params={"partnership_id": pid}
                ).json()["items"][0]["id"]
            },
        ).json()["items"][0]
        made = api.post(
            "/api/v1/tasks",
            json={"action_id": action["id"], "ref": "zz", "title": "Entered by mistake"},
        ).json()
        spa.login("officer")
        spa.goto(f"/partnerships/{pid}")
        spa.settle()
        row = spa.page.locator(".task-row", has_text="Entered by mistake")
        row.get_by_role("button", name="Delete").click()
        row.get_by_text("the audit trail keeps a record").wait_for()
        assert api.get(f"/api/v1/tasks/{made['id']}").status_code == 200  # not yet
        spa.check_accessibility()
        row.get_by_role("button", name="Yes, delete this task").click()
        row.wait_for(state="detached")
        assert api.get(f"/api/v1/tasks/{made['id']}").status_code == 404
        trail = api.get(
            "/api/v1/audit-events", params={"resource": "task", "resource_id": str(made["id"])}
        ).json()["items"]
        assert [e["action"] for e in trail] == ["delete", "create"]

    def test_a_member_sees_update_only_on_the_tasks_their_organisation_leads(
        self, spa: Spa, server: LiveServer
    ) -> None:
        pid = officers_partnership(server)
        with as_user(server, "member") as member:
            org = member.get("/api/v1/me").json()["organisation_id"]
            tasks = member.get("/api/v1/tasks", params={"partnership_id": pid, "limit": 500}).json()
        led = [t for t in tasks["items"] if t["lead_organisation_id"] == org]
        assert 0 < len(led) < tasks["total"], "the demo member should lead some tasks, not all"
        spa.login("member")
        spa.goto(f"/partnerships/{pid}")
        spa.settle()
        buttons = spa.page.locator(".task-row-head").get_by_role("button", name="Update")
        assert buttons.count() == len(led)
        for task in led:
            spa.page.locator(f'[aria-controls="task-panel-{task["id"]}"]').wait_for()
        assert spa.page.get_by_role("button", name="Add an outcome").count() == 0
        assert spa.page.get_by_role("button", name="Edit").count() == 0


class TestWorklist:
    def test_member_updates_a_stale_task_which_leaves_the_stale_group(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        pid = officers_partnership(server)
        with as_user(server, "member") as member:
            me = member.get("/api/v1/me").json()
        org, owner = me["organisation_id"], me["person_id"]
        owner_name = api.get(f"/api/v1/people/{owner}").json()["name"]
        plan = api.get("/api/v1/action-plans", params={"partnership_id": pid}).json()["items"][0]
        action = api.get("/api/v1/actions", params={"action_plan_id": plan["id"]}).json()["items"][
            0
        ]
        r = api.post(
            "/api/v1/tasks",
            json={"action_id": action["id"], "ref": "st", "title": "Stale leaflet drop",
                  "lead_organisation_id": org, "owner_person_id": owner},
        )  # fmt: skip
        assert r.status_code == 201, r.text

        spa.login("member")
        spa.page.get_by_role("link", name="My worklist").click()
        spa.page.get_by_role("heading", name="My worklist", level=1).wait_for()
        spa.settle()
        stale = spa.page.locator("section", has=spa.page.locator("#group-not_updated"))
        item = stale.locator(".task-row", has_text="Stale leaflet drop")
        item.wait_for()
        assert f"owner {owner_name}" in item.inner_text()
        spa.check_accessibility()
        spa.screenshot("worklist", full_page=False)

        item.get_by_role("button", name="Update").click()
        item.get_by_label("RAG status").select_option("green")
        item.get_by_label("Current position").fill("Leaflets delivered to half the wards")
        item.get_by_role("button", name="Save update").click()
        stale.locator(".task-row", has_text="Stale leaflet drop").wait_for(state="detached")
        assert stale.locator(".task-row", has_text="Stale leaflet drop").count() == 0
        elsewhere = spa.page.locator(".task-row", has_text="Stale leaflet drop")
        assert elsewhere.count() >= 1  # still listed, in the groups it is still in

    def test_the_worklist_fits_a_phone(self, phone: Spa) -> None:
        phone.login("member")
        phone.goto("/my-tasks")
        phone.page.get_by_role("heading", name="My worklist", level=1).wait_for()
        phone.settle()
        no_horizontal_scroll(phone)
        phone.check_accessibility()


class TestFiltersAndDownloads:
    def test_a_filtered_table_downloads_as_csv_with_the_same_rows(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        pid = officers_partnership(server)
        spa.login("officer")
        spa.goto(f"/partnerships/{pid}")
        spa.settle()
        page = spa.page
        page.get_by_label("Status").select_option("green")
        page.get_by_role("button", name="Filter", exact=True).click()
        page.wait_for_url(f"**/partnerships/{pid}?rag=green")
        spa.settle()
        shown = page.locator(".task-row .task-ref").all_inner_texts()
        expected = api.get(
            "/api/v1/tasks", params={"partnership_id": pid, "rag": "green", "limit": 500}
        ).json()
        assert len(shown) == expected["total"] > 0
        spa.check_accessibility()

        with page.expect_download() as download:
            page.get_by_role("button", name=f"Download these {len(shown)} tasks (CSV)").click()
        text = download.value.path().read_text(encoding="utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [r["code"] for r in rows] == shown
        assert {r["rag"] for r in rows} == {"Green"}
        assert sorted(r["title"] for r in rows) == sorted(t["title"] for t in expected["items"])

        # The address is the filter: opened afresh, it shows the same rows.
        page.goto(f"{server.url}/partnerships/{pid}?rag=green")
        spa.settle()
        assert page.locator(".task-row .task-ref").all_inner_texts() == shown
        assert page.get_by_label("Status").input_value() == "green"

    def test_the_export_buttons_download_every_task_as_csv_and_xlsx(
        self, spa: Spa, server: LiveServer
    ) -> None:
        pid = officers_partnership(server)
        spa.login("officer")
        spa.goto(f"/partnerships/{pid}")
        spa.settle()
        for label, magic in (("CSV", b"\xef\xbb\xbfpartnership"), ("XLSX (Excel)", b"PK")):
            with spa.page.expect_download() as download:
                spa.page.get_by_role(
                    "button", name=f"Export all my partnerships' tasks ({label})"
                ).click()
            assert download.value.path().read_bytes().startswith(magic)

    def test_the_performance_report_downloads_as_csv(self, spa: Spa, server: LiveServer) -> None:
        pid = officers_partnership(server)
        spa.login("officer")
        spa.goto(f"/partnerships/{pid}/report")
        spa.settle()
        with spa.page.expect_download() as download:
            spa.page.get_by_role("button", name="Download CSV").click()
        assert download.value.suggested_filename.startswith(f"performance-report-{pid}-")
        assert download.value.path().read_text(encoding="utf-8-sig").count("\n") > 1


class TestSmallScreens:
    def test_the_plan_with_its_filters_and_forms_fits_a_phone(
        self, phone: Spa, server: LiveServer
    ) -> None:
        pid = officers_partnership(server)
        phone.login("officer")
        phone.goto(f"/partnerships/{pid}?overdue=1")
        phone.settle()
        assert phone.page.get_by_label("Overdue only").is_checked()
        phone.goto(f"/partnerships/{pid}")
        phone.settle()
        phone.page.get_by_role("button", name="Add a task").first.click()
        phone.page.get_by_role("form", name="Add a task").wait_for()
        no_horizontal_scroll(phone)
        phone.check_accessibility()

    def test_a_task_page_offers_no_update_form_to_a_member_whose_organisation_does_not_lead_it(
        self, spa: Spa, server: LiveServer
    ) -> None:
        pid = officers_partnership(server)
        with as_user(server, "member") as member:
            org = member.get("/api/v1/me").json()["organisation_id"]
            tasks = member.get("/api/v1/tasks", params={"partnership_id": pid}).json()["items"]
        other = next(t for t in tasks if t["lead_organisation_id"] != org)
        mine = next(t for t in tasks if t["lead_organisation_id"] == org)
        spa.login("member")
        spa.goto(f"/tasks/{other['id']}")
        spa.page.get_by_text("The lead organisation and the partnership's officers").wait_for()
        assert spa.page.get_by_role("button", name="Save update").count() == 0
        spa.goto(f"/tasks/{mine['id']}")
        spa.page.get_by_role("button", name="Save update").wait_for()


class TestNewPlan:
    def test_an_administrator_starts_a_plan_for_a_partnership_without_one(
        self, spa: Spa, api: httpx.Client
    ) -> None:
        strategic = api.get("/api/v1/partnerships", params={"kind": "strategic"}).json()
        r = api.post(
            "/api/v1/partnerships",
            json={"name": "Housing Partnership", "kind": "thematic",
                  "parent_id": strategic["items"][0]["id"]},
        )  # fmt: skip
        assert r.status_code == 201, r.text
        pid = r.json()["id"]
        spa.login("admin")
        spa.goto(f"/partnerships/{pid}")
        spa.settle()
        spa.page.get_by_role("button", name="Start an action plan").click()
        form = spa.page.get_by_role("form", name="Start an action plan")
        form.get_by_label("Title").fill("Housing action plan")
        form.get_by_label("Period (e.g. 2026-2028) (optional)").fill("2026-2028")
        form.get_by_role("button", name="Start the plan").click()
        spa.page.get_by_role("button", name="Add an outcome").wait_for()
        spa.page.get_by_text("Housing action plan (2026-2028)").wait_for()
        plans = api.get("/api/v1/action-plans", params={"partnership_id": pid}).json()
        assert [p["title"] for p in plans["items"]] == ["Housing action plan"]
