"""The residents' site, anonymously in Chromium: from the home page to a meeting, a public
paper's download, approved minutes and a decision; axe-core on every kind of page; 375 px
without sideways scrolling; usable from the keyboard; no script at all."""

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Spa

pytestmark = pytest.mark.e2e


def no_sideways_scroll(spa: Spa) -> None:
    width = spa.page.evaluate("document.documentElement.scrollWidth")
    viewport = spa.page.evaluate("document.documentElement.clientWidth")
    assert width <= viewport, f"{spa.page.url}: {width}px wide in a {viewport}px window"


def check(spa: Spa) -> None:
    """Every public page: axe clean, no script, one h1, fits the window."""
    spa.check_accessibility()
    assert spa.page.locator("script").count() == 0
    assert spa.page.locator("h1").count() == 1
    no_sideways_scroll(spa)


class TestResidentJourney:
    def test_home_meeting_paper_minutes_decision(self, spa: Spa, tmp_path: Path) -> None:
        page = spa.page
        spa.goto("/public/")
        page.get_by_role("heading", name="What the Riverside partnerships are doing").wait_for()
        check(spa)
        spa.screenshot("public-home", full_page=False)

        # A thematic partnership: its latest past meeting carries the public performance paper.
        page.get_by_role("link", name="Safer Communities Partnership", exact=True).click()
        page.get_by_role("heading", name="Safer Communities Partnership", level=1).wait_for()
        check(spa)
        past = page.locator("section[aria-labelledby=past] li a")
        assert past.count() >= 2
        # The latest past meeting with a public paper (other tests may add later meetings).
        hrefs = [past.nth(i).get_attribute("href") for i in range(past.count())]
        for href in hrefs:
            spa.goto(str(href))
            page.get_by_role("heading", name="Agenda").wait_for()
            if page.get_by_role("link", name="download", exact=True).count():
                break
        check(spa)
        spa.screenshot("public-meeting", full_page=False)

        # The demo's performance paper has a PDF file: the resident downloads the file.
        paper_link = page.get_by_role("link", name="download", exact=True)
        with page.expect_download() as info:
            paper_link.first.click()
        download: Any = info.value
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        assert saved.suffix == ".pdf" and saved.read_bytes().startswith(b"%PDF-")

        # The paper's own page.
        page.get_by_role("link", name="performance report").first.click()
        page.get_by_role("link", name="Download this paper").wait_for()
        check(spa)
        page.go_back()

        # An earlier meeting, whose minutes the next meeting approved.
        minutes = page.locator("section[aria-labelledby=minutes]")
        for href in hrefs:
            spa.goto(str(href))
            page.get_by_role("heading", name="Agenda").wait_for()
            if "Minutes agreed as a true record." in minutes.inner_text():
                break
        assert "Approved as a true record" in minutes.inner_text()
        assert "Minutes agreed as a true record." in minutes.inner_text()

        # Follow a decision.
        page.locator("section[aria-labelledby=decisions] li a").first.click()
        page.get_by_role("heading", name="Decision of Safer Communities Partnership").wait_for()
        assert page.locator(".tag").first.inner_text() in ("Carried", "Lost")
        check(spa)

    def test_every_other_page_is_accessible(self, spa: Spa) -> None:
        page = spa.page
        for path, heading in (
            ("/public/meetings", "Meetings"),
            ("/public/decisions", "Decisions"),
            ("/public/decisions?q=performance&result=carried", "Decisions"),
            ("/public/indicators", "Indicators and targets"),
            ("/public/partnerships/strategic", "Riverside Strategic Partnership"),
            ("/public/partnerships/strategic/progress", "Progress:"),
        ):
            spa.goto(path)
            page.get_by_role("heading", level=1).filter(has_text=heading).wait_for()
            check(spa)
        spa.screenshot("public-progress", full_page=False)
        spa.goto("/public/indicators")
        page.locator("main ul.items a").first.click()
        page.locator("svg[role=img]").first.wait_for()
        check(spa)
        spa.screenshot("public-indicator", full_page=False)
        spa.expect_http_error(404)
        spa.goto("/public/meetings/999999")
        page.get_by_role("heading", name="Page not found").wait_for()
        check(spa)

    def test_search_decisions_with_the_form(self, spa: Spa) -> None:
        page = spa.page
        spa.goto("/public/decisions")
        page.get_by_label("Words in the decision").fill("performance report")
        page.get_by_label("Partnership").select_option(label="Safer Communities Partnership")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**/public/decisions?**")
        assert "partnership=" in page.url
        rows = page.locator("main ul.items li")
        assert rows.count() >= 1
        for text in rows.all_inner_texts():
            assert "Safer Communities Partnership" in text
        check(spa)

    def test_subscribe_by_email(self, spa: Spa) -> None:
        page = spa.page
        spa.goto("/public/partnerships/safer-communities")
        page.get_by_label("Your e-mail address").fill("zq7.e2e.resident@example.org")
        page.get_by_role("button", name="Subscribe").click()
        page.get_by_role("heading", name="Check your e-mail", level=1).wait_for()
        assert "zq7.e2e.resident" not in page.content(), "the page does not echo the address"
        check(spa)

    def test_keyboard_skip_link_and_navigation(self, spa: Spa) -> None:
        page = spa.page
        spa.goto("/public/")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
        assert focused == "Skip to main content"
        page.keyboard.press("Enter")
        assert page.url.endswith("#main")
        assert page.evaluate("document.activeElement.id") == "main"
        page.keyboard.press("Tab")  # the first link in the main content: the next meeting
        assert "/public/meetings/" in page.evaluate("document.activeElement.href")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/public/meetings/" in page.url

    def test_sign_in_page_links_to_the_public_site(self, spa: Spa) -> None:
        page = spa.page
        spa.goto("/")
        page.get_by_role("link", name="See meetings, decisions and progress").click()
        page.get_by_role("heading", name="What the Riverside partnerships are doing").wait_for()


class TestSmallScreen:
    def test_pages_fit_375px(self, phone: Spa) -> None:
        page = phone.page
        for path in (
            "/public/",
            "/public/partnerships/safer-communities",
            "/public/meetings",
            "/public/decisions",
            "/public/partnerships/strategic/progress",
            "/public/indicators",
        ):
            phone.goto(path)
            page.locator("h1").wait_for()
            check(phone)
        phone.goto("/public/")
        page.locator("section[aria-labelledby=next] li a").first.click()
        page.get_by_role("heading", name="Agenda").wait_for()
        check(phone)
        phone.screenshot("public-phone", full_page=False)
