"""Issue 17: search from the header finds a decision by a word of its text; the governance
page filters its findings (the filter in the address); strategy progress prints on A4."""

import re

import httpx
import pytest

from tests.e2e.conftest import Spa
from tests.e2e.test_accessibility import fits_a_phone

pytestmark = pytest.mark.e2e


def a_decision_word(api: httpx.Client) -> tuple[dict, str]:  # type: ignore[type-arg]
    meetings = api.get("/api/v1/meetings", params={"limit": 500, "sort": "-starts_at"}).json()
    for meeting in meetings["items"]:
        if not meeting["public"]:
            continue
        decisions = api.get(f"/api/v1/meetings/{meeting['id']}/decisions").json()["items"]
        for decision in decisions:
            words = sorted(re.findall(r"[A-Za-z]{7,}", decision["text"]), key=len, reverse=True)
            if words:
                return decision, words[0]
    raise AssertionError("the demo data has no decision to search for")


class TestSearch:
    def test_a_member_finds_a_decision_by_a_word_of_its_text(
        self, spa: Spa, api: httpx.Client
    ) -> None:
        decision, word = a_decision_word(api)
        page = spa.page
        spa.login("member")
        box = page.get_by_role("searchbox", name="Search")
        box.fill(word)
        box.press("Enter")
        page.wait_for_url(f"**/search?q={word}")
        page.get_by_role("heading", name=re.compile(f"results for “{word}”")).wait_for()
        spa.settle()
        result = page.locator(".search-result").filter(
            has=page.get_by_role("link", name=decision["text"][:40])
        )
        result.first.wait_for()
        assert word.lower() in [m.lower() for m in result.first.locator("mark").all_inner_texts()]
        spa.check_accessibility()
        page.evaluate("document.activeElement?.blur()")  # no focus ring in the picture
        spa.screenshot("search", full_page=False)
        href = result.first.get_by_role("link").first.get_attribute("href")
        assert href is not None and re.fullmatch(r"/meetings/\d+", href)
        same_text = {
            d["meeting_id"]
            for d in api.get(f"/api/v1/meetings/{int(href.rsplit('/', 1)[1])}/decisions").json()[
                "items"
            ]
            if d["text"] == decision["text"]
        }
        assert same_text, "the result opens the meeting that took the decision"
        result.first.get_by_role("link").first.click()
        page.get_by_role("heading", name="Decisions").wait_for()
        assert page.url.endswith(href)

    def test_nothing_found_and_bad_input_say_so(self, spa: Spa) -> None:
        spa.login("member")
        spa.goto("/search?q=zeppelinarium")
        spa.page.get_by_role("heading", name="Nothing found for “zeppelinarium”").wait_for()
        spa.expect_http_error(422)
        spa.goto("/search?q=%21%21%21")
        spa.page.get_by_role("alert").filter(has_text="give at least one word").wait_for()

    def test_search_fits_a_phone(self, phone: Spa) -> None:
        phone.login("member")
        fits_a_phone(phone, "/search?q=plan")


class TestGovernance:
    def test_officer_filters_findings_by_rule(self, spa: Spa, api: httpx.Client) -> None:
        report = api.get("/api/v1/governance").json()
        rule = next(r for r, n in report["counts"].items() if 0 < n < len(report["findings"]))
        page = spa.page
        spa.login("officer")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Governance").click()
        page.get_by_role("heading", name="Governance: every partnership", level=1).wait_for()
        spa.settle()
        spa.screenshot("governance", full_page=False)
        total = page.locator(".finding").count()
        page.get_by_label("Rule").select_option(rule)
        page.wait_for_url(f"**/governance?rule={rule}")
        shown = page.locator(".finding")
        assert 0 < shown.count() < total
        labels = set(page.locator(".finding .finding-rule").all_inner_texts())
        assert len(labels) == 1
        assert page.locator(".finding").first.get_by_text("Rule:").count() == 1
        spa.check_accessibility()
        # the address carries the filter: opening it again shows the same findings
        count = shown.count()
        spa.goto(f"/governance?rule={rule}")
        spa.settle()
        assert page.locator(".finding").count() == count

    def test_governance_fits_a_phone(self, phone: Spa) -> None:
        phone.login("officer")
        fits_a_phone(phone, "/governance")


class TestStrategyProgress:
    def test_prints_in_the_seed_form_on_a4(self, spa: Spa, api: httpx.Client) -> None:
        strategy = api.get("/api/v1/strategies", params={"limit": 1}).json()["items"][0]
        page = spa.page
        spa.login("member")
        spa.goto(f"/strategies/{strategy['id']}/progress?as_of=2026-06-30")
        page.locator("table.progress-table").first.wait_for()
        spa.settle()
        headers = (
            page.locator("table.progress-table").first.locator("th[scope=col]").all_inner_texts()
        )
        assert headers[:4] == ["Outcome", "What we said we'd achieve", "How", "Who"]
        assert headers[4].startswith("Progress to")
        spa.check_accessibility()
        page.emulate_media(media="print")
        assert page.locator(".site-header").is_hidden()
        assert page.get_by_role("button", name="Print").is_hidden()
        pdf = page.pdf(format="A4", landscape=True)
        assert pdf.startswith(b"%PDF")

    def test_strategy_progress_fits_a_phone(self, phone: Spa, api: httpx.Client) -> None:
        strategy = api.get("/api/v1/strategies", params={"limit": 1}).json()["items"][0]
        phone.login("member")
        fits_a_phone(phone, f"/strategies/{strategy['id']}/progress")
