"""The plan's and strategy's remaining writes in the browser: renaming an action plan, the
strategy's principles and priorities, and an indicator's outcome and task links (issue 17)."""

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Spa
from tests.e2e.test_plans import as_user, officers_partnership
from tests.live import LiveServer

pytestmark = pytest.mark.e2e


def open_plan_form(spa: Spa, server: LiveServer, api: httpx.Client) -> tuple[dict[str, Any], Any]:
    """As the officer, open the rename form of their partnership's first plan: (plan, form)."""
    pid = officers_partnership(server)
    plan = api.get("/api/v1/action-plans", params={"partnership_id": pid}).json()["items"][0]
    spa.login("officer")
    spa.goto(f"/partnerships/{pid}")
    spa.settle()
    spa.page.get_by_role(
        "button", name=f"Rename or change period of action plan {plan['title']}"
    ).click()
    return plan, spa.page.get_by_role("form", name=f"Change action plan {plan['title']}")


class TestActionPlan:
    def test_officer_renames_the_plan_and_changes_its_period(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        plan, form = open_plan_form(spa, server, api)
        page = spa.page
        form.get_by_label("Title").fill("Safer streets plan")
        form.get_by_label("Period (e.g. 2026-2028) (optional)").fill("2027-2029")
        spa.check_accessibility()
        form.get_by_role("button", name="Save the plan").click()
        page.get_by_text("Safer streets plan (2027-2029)").wait_for()
        saved = api.get(f"/api/v1/action-plans/{plan['id']}").json()
        assert (saved["title"], saved["period"]) == ("Safer streets plan", "2027-2029")

        # A plan with actions is not offered for deletion: the screen says what comes first.
        page.get_by_text("To delete this action plan, first delete its").wait_for()
        assert page.get_by_role("button", name="Delete action plan Safer streets plan").count() == 0

    def test_a_rename_that_lost_a_race_reloads_and_saves_again(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        plan, form = open_plan_form(spa, server, api)
        page = spa.page
        form.get_by_label("Title").fill("Plan renamed in the browser")
        # Someone else changes the period meanwhile.
        other = api.patch(
            f"/api/v1/action-plans/{plan['id']}",
            json={"period": "2030-2032"},
            headers={"If-Match": f'"{plan["version"]}"'},
        )
        assert other.status_code == 200, other.text
        spa.expect_http_error(412)
        form.get_by_role("button", name="Save the plan").click()
        form.get_by_role("alert").get_by_text("Someone else changed this action plan").wait_for()
        form.get_by_role("button", name="Reload the latest version").click()
        form.get_by_role("status").get_by_text("Reloaded the latest version").wait_for()
        form.get_by_role("button", name="Save the plan").click()
        page.get_by_text("Plan renamed in the browser (2030-2032)").wait_for()

    def test_a_member_sees_the_plan_but_no_way_to_change_it(
        self, spa: Spa, server: LiveServer
    ) -> None:
        with as_user(server, "member") as member:
            pid = member.get("/api/v1/me").json()["memberships"][0]["partnership_id"]
            plans = member.get("/api/v1/action-plans", params={"partnership_id": pid}).json()
        spa.login("member")
        spa.goto(f"/partnerships/{pid}")
        spa.settle()
        if plans["items"]:
            spa.page.get_by_text(plans["items"][0]["title"]).first.wait_for()
        assert spa.page.get_by_role("button", name="Rename or change period").count() == 0

    def test_officer_deletes_an_empty_plan_after_confirming(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        pid = officers_partnership(server)
        with as_user(server, "officer") as officer:
            # A second, empty plan of the same partnership: the one the screen offers to delete.
            empty = officer.post(
                "/api/v1/action-plans",
                json={"partnership_id": pid, "title": "Draft plan to discard"},
            )
            assert empty.status_code == 201, empty.text
        spa.login("officer")
        spa.goto(f"/partnerships/{pid}")
        spa.settle()
        page = spa.page
        page.get_by_role("button", name="Delete action plan Draft plan to discard").click()
        confirm = page.get_by_role("group", name="Delete action plan Draft plan to discard?")
        spa.check_accessibility()
        confirm.get_by_role("button", name="Yes, delete this action plan").click()
        page.locator(".plan-heading", has_text="Draft plan to discard").wait_for(state="detached")
        assert api.get(f"/api/v1/action-plans/{empty.json()['id']}").status_code == 404


class TestStrategy:
    def test_admin_adds_a_priority_and_edits_a_principle_and_sees_them_in_the_progress(
        self, spa: Spa, api: httpx.Client
    ) -> None:
        strategy = api.get("/api/v1/strategies").json()["items"][0]
        principle = api.get("/api/v1/principles", params={"strategy_id": strategy["id"]}).json()[
            "items"
        ][0]
        spa.login("admin")
        spa.goto(f"/strategies/{strategy['id']}/progress")
        spa.settle()
        page = spa.page
        page.get_by_role("button", name="Edit the strategy").click()
        editor = page.locator(".strategy-editor")

        editor.get_by_role("button", name=f"Edit principle {principle['position']}").click()
        form = editor.get_by_role("form", name=f"Change principle {principle['position']}")
        form.get_by_label("Principle").fill("Residents first, in every decision")
        spa.check_accessibility()
        form.evaluate("form => form.scrollIntoView({block: 'center'})")
        spa.screenshot("strategy-editing", full_page=False)
        form.get_by_role("button", name="Save principle").click()
        form.wait_for(state="detached")

        editor.get_by_role("button", name="Add a priority").click()
        form = editor.get_by_role("form", name="Add a priority")
        form.get_by_label("Priority").fill("Warm homes for every household")
        spa.check_accessibility()
        form.get_by_role("button", name="Add priority").click()
        form.wait_for(state="detached")

        progress = page.locator("article.strategy-progress")
        progress.get_by_text("Residents first, in every decision").wait_for()
        progress.get_by_role("heading", name="Warm homes for every household").wait_for()
        texts = [
            p["text"]
            for p in api.get("/api/v1/priorities", params={"strategy_id": strategy["id"]}).json()[
                "items"
            ]
        ]
        assert texts[-1] == "Warm homes for every household"
        spa.check_accessibility()

    def test_admin_starts_a_strategy_from_the_reports_and_lands_on_its_progress(
        self, spa: Spa, api: httpx.Client
    ) -> None:
        spa.login("admin")
        spa.goto("/reports")
        spa.settle()
        page = spa.page
        page.get_by_role("button", name="Start a strategy").click()
        form = page.get_by_role("form", name="Start a strategy")
        form.get_by_label("Title").fill("Green borough strategy")
        form.get_by_label("Period (e.g. 2026-2030) (optional)").fill("2027-2031")
        spa.check_accessibility()
        form.get_by_role("button", name="Start the strategy").click()
        page.get_by_role("heading", name="Green borough strategy: progress").wait_for()
        made = api.get("/api/v1/strategies", params={"q": "Green borough"}).json()["items"]
        assert [(s["title"], s["period"], s["partnership_id"]) for s in made] == [
            ("Green borough strategy", "2027-2031", None)
        ]
        # The new strategy's principles start from the progress page.
        page.get_by_role("button", name="Edit the strategy").click()
        page.get_by_text("No principles yet.").wait_for()
        spa.check_accessibility()

        # An empty strategy may go again, after confirming; the reports no longer list it.
        page.get_by_role("button", name="Delete strategy Green borough strategy").click()
        page.get_by_role("group", name="Delete strategy Green borough strategy?").get_by_role(
            "button", name="Yes, delete this strategy"
        ).click()
        page.get_by_role("heading", name="Reports", exact=True).wait_for()
        page.get_by_role("link", name="Green borough strategy").wait_for(state="detached")
        assert api.get("/api/v1/strategies", params={"q": "Green borough"}).json()["total"] == 0

    def test_a_member_sees_the_progress_but_no_strategy_editor(
        self, spa: Spa, api: httpx.Client
    ) -> None:
        strategy = api.get("/api/v1/strategies").json()["items"][0]
        spa.login("member")
        spa.goto(f"/strategies/{strategy['id']}/progress")
        spa.settle()
        spa.page.locator("article.strategy-progress").wait_for()
        assert spa.page.get_by_role("button", name="Edit the strategy").count() == 0


class TestIndicatorLinks:
    def test_admin_links_an_indicator_to_a_task_and_sees_the_link(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        spa.login("admin")
        spa.goto("/laa")
        spa.settle()
        page = spa.page
        card = page.locator(".laa-indicator").first
        code = card.get_attribute("data-code")
        indicators = api.get("/api/v1/indicators", params={"limit": 500}).json()["items"]
        indicator = next(i for i in indicators if i["code"] == code)
        linked = set(api.get(f"/api/v1/indicators/{indicator['id']}/links").json()["task_ids"])
        pid = officers_partnership(server)
        tasks = api.get("/api/v1/tasks", params={"partnership_id": pid, "limit": 100}).json()
        task = next(t for t in tasks["items"] if t["id"] not in linked)

        card.get_by_role("button", name=f"Linked outcomes and tasks of {code}").click()
        card.get_by_role("button", name=f"Change the links of {code}").click()
        form = card.get_by_role("form", name=f"Change the links of indicator {code}")
        form.get_by_label("Show only those matching").fill(task["title"])
        # Titles repeat across partnerships: the box is this task's, by its id.
        form.locator(f"#indicator-{indicator['id']}-links-task-{task['id']}").check()
        spa.check_accessibility()
        form.evaluate("form => form.scrollIntoView({block: 'start'})")
        spa.screenshot("indicator-links", full_page=False)
        form.get_by_role("button", name="Save the links").click()
        form.wait_for(state="detached")
        card.locator(f'a[href="/tasks/{task["id"]}"]').wait_for()
        spa.check_accessibility()
        links = api.get(f"/api/v1/indicators/{indicator['id']}/links").json()
        assert task["id"] in links["task_ids"]
        assert linked <= set(links["task_ids"])

    def test_an_officer_reads_the_links_but_may_not_change_them(self, spa: Spa) -> None:
        spa.login("officer")
        spa.goto("/laa")
        spa.settle()
        card = spa.page.locator(".laa-indicator").first
        code = card.get_attribute("data-code")
        card.get_by_role("button", name=f"Linked outcomes and tasks of {code}").click()
        card.get_by_role("list", name=f"Linked to {code}").or_(
            card.get_by_text("Not linked to any outcome or task.")
        ).first.wait_for()
        assert card.get_by_role("button", name=f"Change the links of {code}").count() == 0

    def test_the_county_sees_the_outcome_codes_but_no_links_panel(self, spa: Spa) -> None:
        spa.login("county")
        spa.settle()
        spa.page.locator(".laa-indicator").first.wait_for()
        assert spa.page.get_by_role("button", name="Linked outcomes and tasks").count() == 0


def no_sideways_scroll(phone: Spa, what: str) -> None:
    width = phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{what} scrolls sideways at 375px ({width}px)"


class TestPhone:
    def test_the_new_forms_fit_375px(
        self, phone: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        phone.login("admin")
        page = phone.page

        pid = officers_partnership(server)
        plan = api.get("/api/v1/action-plans", params={"partnership_id": pid}).json()["items"][0]
        phone.goto(f"/partnerships/{pid}")
        phone.settle()
        page.get_by_role(
            "button", name=f"Rename or change period of action plan {plan['title']}"
        ).click()
        page.get_by_role("form", name=f"Change action plan {plan['title']}").wait_for()
        no_sideways_scroll(phone, "the action plan form")
        phone.check_accessibility()

        strategy = api.get("/api/v1/strategies").json()["items"][0]
        phone.goto(f"/strategies/{strategy['id']}/progress")
        phone.settle()
        page.get_by_role("button", name="Edit the strategy").click()
        page.get_by_role("button", name="Change title, period or vision").click()
        page.get_by_role("button", name="Add a principle").click()
        page.get_by_role("form", name="Add a principle").wait_for()
        no_sideways_scroll(phone, "the strategy editor")
        phone.check_accessibility()

        phone.goto("/laa")
        phone.settle()
        card = page.locator(".laa-indicator").first
        code = card.get_attribute("data-code")
        card.get_by_role("button", name=f"Linked outcomes and tasks of {code}").click()
        card.get_by_role("button", name=f"Change the links of {code}").click()
        card.get_by_label("Show only those matching").wait_for()
        no_sideways_scroll(phone, "the indicator links editor")
        phone.check_accessibility()
