"""The county's LAA dashboard: latest value and RAG per indicator, filters in the address,
downloads of the export, and the reports it may read."""

import csv
import io
import json
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from tests.e2e.conftest import Spa

pytestmark = pytest.mark.e2e

RAG_WORDS = {"green": "Green", "amber": "Amber", "red": "Red", "no_data": "No data"}


def export(api: httpx.Client, **params: object) -> list[dict]:
    r = api.get("/api/v1/laa/export", params={"format": "json", **params})
    r.raise_for_status()
    return [json.loads(line) for line in r.text.splitlines() if line]


def headline(rows: list[dict], code: str) -> dict:
    """The row the dashboard shows: the latest target period with a value."""
    mine = [r for r in rows if r["code"] == code and r["latest_value"] is not None]
    return max(mine, key=lambda r: r["period"])


def shown(value: float, unit: str = "%") -> str:
    return f"{float(f'{value:.6g}'):g}{unit}"


class TestCountyDashboard:
    def test_ni6_latest_value_rag_download_and_a_report(self, spa: Spa, api: httpx.Client) -> None:
        spa.login("county")
        page = spa.page
        assert page.url.endswith("/laa")
        nav = page.get_by_role("navigation", name="Main")
        assert nav.get_by_role("link").all_inner_texts() == ["LAA dashboard", "Reports"]
        spa.settle()

        ni6 = headline(export(api), "NI 6")
        card = page.locator('section[data-code="NI 6"]')
        figures = card.locator(".laa-figures").inner_text()
        assert shown(ni6["latest_value"]) in figures
        assert shown(ni6["target"]) in figures
        assert RAG_WORDS[ni6["rag"]] in card.locator(".rag").first.inner_text()
        chart = card.locator("svg[role=img]")
        labels = chart.text_content() or ""
        assert "Q1" in labels and ni6["period"] in labels, "quarters under their financial year"
        assert "target" in (chart.get_attribute("aria-label") or "")
        spa.check_accessibility()
        spa.screenshot("laa", full_page=False)

        # Filter by NI 6's lead partnership: the address keeps the filter.
        lead = ni6["lead_partnership"].split("; ")[0]
        page.get_by_label("Lead partnership").select_option(label=lead)
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**/laa?partnership_id=*")
        spa.settle()
        partnership_id = int(parse_qs(urlparse(page.url).query)["partnership_id"][0])
        expected = {r["code"] for r in export(api, partnership_id=partnership_id)}
        cards = page.locator("section.laa-indicator")
        assert {c.get_attribute("data-code") for c in cards.all()} == expected
        assert "NI 6" in expected

        with page.expect_download() as download:
            page.get_by_role("button", name="Download CSV").click()
        saved = download.value
        assert saved.suggested_filename == f"laa-export-partnership-{partnership_id}.csv"
        with open(saved.path(), encoding="utf-8") as handle:
            rows = list(csv.DictReader(io.StringIO(handle.read())))
        assert {r["code"] for r in rows} == expected
        assert len(rows) == len(export(api, partnership_id=partnership_id))

        # The reports it may read, from the navigation.
        nav.get_by_role("link", name="Reports").click()
        page.get_by_role("heading", name="Reports", level=1).wait_for()
        spa.settle()
        spa.check_accessibility()
        spa.screenshot("reports")
        page.get_by_role("region", name="Performance reports").get_by_role("link").first.click()
        page.locator("article.report h1").wait_for()
        spa.settle()
        assert page.get_by_role("alert").count() == 0
        page.get_by_role("link", name="Back to the reports").click()
        page.get_by_role("link", name="Riverside Sustainable Community Strategy").click()
        page.get_by_role(
            "heading", name="Riverside Sustainable Community Strategy 2008-2020: progress"
        ).wait_for()
        spa.settle()
        spa.check_accessibility()
        spa.screenshot("strategy-progress", full_page=False)

    def test_filters_from_the_address_and_the_keyboard(self, spa: Spa, api: httpx.Client) -> None:
        period = export(api)[0]["period"]
        spa.login("county")
        spa.goto(f"/laa?period={period}")
        spa.settle()
        page = spa.page
        cards = page.locator("section.laa-indicator")
        assert cards.count() == len(export(api, period=period))
        assert page.get_by_label("Target period").input_value() == period

        page.get_by_label("Target period").focus()
        page.keyboard.press("Home")  # "Latest with a value"
        page.keyboard.press("Tab")  # Lead partnership
        page.keyboard.press("Tab")  # Apply filters
        page.keyboard.press("Enter")
        page.wait_for_url("**/laa")
        page.get_by_role("button", name="Download CSV").focus()
        assert page.evaluate("document.activeElement.textContent") == "Download CSV"
