"""Every screen: no serious or critical axe-core violations, keyboard use, 375 px phones.

With LSPHUB_SCREENSHOTS=1 the screenshots land in docs/screenshots for the README.
"""

from datetime import UTC, datetime

import httpx
import pytest

from tests.e2e.conftest import Spa

pytestmark = pytest.mark.e2e


def demo_ids(api: httpx.Client) -> dict[str, int]:
    plan = api.get("/api/v1/action-plans", params={"limit": 1}).json()["items"][0]
    partnership = plan["partnership_id"]
    task = api.get("/api/v1/tasks", params={"partnership_id": partnership, "limit": 1}).json()
    meeting = api.get(
        "/api/v1/meetings",
        params={
            "partnership_id": partnership,
            "starts_at_before": datetime.now(UTC).isoformat(),
            "sort": "-starts_at",
            "limit": 1,
        },
    ).json()
    indicator = api.get("/api/v1/laa-targets", params={"limit": 1}).json()["items"][0]
    return {
        "partnership": partnership,
        "task": task["items"][0]["id"],
        "meeting": meeting["items"][0]["id"],
        "indicator": indicator["indicator_id"],
    }


class TestEveryScreen:
    def test_screens_pass_axe(self, spa: Spa, api: httpx.Client) -> None:
        ids = demo_ids(api)
        spa.goto("/")
        spa.page.get_by_label("Email address").wait_for()
        spa.check_accessibility()
        spa.screenshot("login")

        spa.login("admin")
        screens = {
            "dashboard": "/",
            "worklist": "/my-tasks",
            "partnership": f"/partnerships/{ids['partnership']}",
            "task": f"/tasks/{ids['task']}",
            "meeting": f"/meetings/{ids['meeting']}",
            "report": f"/partnerships/{ids['partnership']}/report",
            "import": "/import",
            "keys": "/keys",
            "webhooks": "/webhooks",
        }
        for name, path in screens.items():
            spa.goto(path)
            spa.page.locator("h1").first.wait_for()
            spa.settle()
            assert spa.page.get_by_role("alert").count() == 0, f"{name}: an error is shown"
            spa.check_accessibility()
            spa.screenshot(name)

        spa.goto(f"/partnerships/{ids['partnership']}")
        spa.page.locator(f'button[aria-controls="task-panel-{ids["task"]}"]').click()
        spa.settle()
        spa.check_accessibility()
        spa.screenshot("task-panel")

    def test_the_county_sees_only_its_screens(self, spa: Spa, api: httpx.Client) -> None:
        ids = demo_ids(api)
        spa.login("county")
        page = spa.page
        assert page.url.endswith("/laa")
        nav = page.get_by_role("navigation", name="Main")
        assert nav.get_by_role("link").all_inner_texts() == ["LAA dashboard", "Reports"]

        # the county reads every performance report, and goes back to the list of reports
        spa.goto(f"/partnerships/{ids['partnership']}/report")
        page.locator("article.report h1").wait_for()
        spa.settle()
        assert page.get_by_role("alert").count() == 0, "report: an error is shown"
        spa.check_accessibility()
        assert page.get_by_role("link", name="Back to the reports").count() == 1

        # home is the LAA dashboard; other screens' addresses say it has no access to them
        spa.goto("/")
        page.wait_for_url("**/laa")
        page.get_by_role("heading", name="LAA dashboard", level=1).wait_for()
        for path in (f"/partnerships/{ids['partnership']}", f"/tasks/{ids['task']}", "/import"):
            spa.goto(path)
            page.get_by_role("heading", name="You don't have access to this").wait_for()
        page.get_by_role("link", name="Go to your home page").click()
        page.wait_for_url("**/laa")

    def test_a_member_typing_the_users_page_gets_the_access_page(self, spa: Spa) -> None:
        spa.login("member")
        nav = spa.page.get_by_role("navigation", name="Main")
        assert nav.get_by_role("link").all_inner_texts() == [
            "Dashboard",
            "My worklist",
            "Reports",
            "My calendar",
        ]
        spa.goto("/users")
        page = spa.page
        page.get_by_role("heading", name="You don't have access to this", level=1).wait_for()
        spa.settle()
        assert "user administration" in page.locator("main").inner_text()
        page.get_by_role("listitem").filter(has_text="Demo Administrator").wait_for()
        assert spa.failed_requests == [], "the refusal loads no data it may not read"
        spa.check_accessibility()
        spa.screenshot("no-access")

    def test_a_missing_page_says_so(self, spa: Spa) -> None:
        spa.login("member")
        spa.goto("/no/such/page")
        spa.page.get_by_role("heading", name="Page not found").wait_for()
        assert "/no/such/page" in spa.page.locator("main").inner_text()
        spa.check_accessibility()
        spa.page.get_by_role("link", name="Go to your home page").click()
        spa.page.get_by_role("heading", name="Dashboard", level=1).wait_for()


class TestKeyboard:
    def test_sign_in_and_skip_to_content_with_the_keyboard(self, spa: Spa) -> None:
        spa.goto("/")
        page = spa.page
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to content"
        page.get_by_label("Email address").focus()
        page.keyboard.type("member@example.org")
        page.keyboard.press("Tab")
        page.keyboard.type("demo-member-pass")
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="Dashboard", level=1).wait_for()

        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"

    def test_focus_is_visible(self, spa: Spa) -> None:
        spa.goto("/")
        spa.page.get_by_label("Email address").focus()
        outline = spa.page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"


def fits_a_phone(phone: Spa, path: str) -> None:
    """The screen at ``path`` needs no sideways scrolling at 375 px and passes axe."""
    phone.goto(path)
    phone.page.locator("h1").first.wait_for()
    phone.settle()
    width = phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{path} scrolls sideways ({width}px)"
    phone.check_accessibility()


class TestPhone:
    def test_screens_fit_375px(self, phone: Spa, api: httpx.Client) -> None:
        ids = demo_ids(api)
        phone.login("member")
        for name, path in {
            "dashboard": "/",
            "worklist": "/my-tasks",
            "partnership": f"/partnerships/{ids['partnership']}",
            "meeting": f"/meetings/{ids['meeting']}",
            "report": f"/partnerships/{ids['partnership']}/report",
        }.items():
            fits_a_phone(phone, path)
            if name == "dashboard":
                phone.screenshot("dashboard-phone")

    def test_administration_and_county_screens_fit_375px(self, phone: Spa) -> None:
        phone.login("admin")
        for path in ("/users", "/webhooks", "/webhooks/1", "/laa", "/reports"):
            fits_a_phone(phone, path)
            if path == "/laa":
                phone.screenshot("laa-phone")

    def test_signing_out_returns_to_the_login(self, phone: Spa) -> None:
        phone.login("member")
        phone.page.get_by_role("button", name="Sign out").click()
        phone.page.get_by_label("Email address").wait_for()
        assert phone.page.evaluate("sessionStorage.getItem('lsphub.session')") is None
