"""The performance report prints like the paper form."""

from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Spa

pytestmark = pytest.mark.e2e


def thematic_partnership(api: httpx.Client) -> int:
    plans = api.get("/api/v1/action-plans", params={"limit": 1}).json()["items"]
    return int(plans[0]["partnership_id"])


class TestPrintView:
    def test_the_report_prints_without_screen_furniture(
        self, spa: Spa, api: httpx.Client, tmp_path: Path
    ) -> None:
        partnership_id = thematic_partnership(api)
        spa.login("officer")
        spa.goto(f"/partnerships/{partnership_id}/report")
        sheet = spa.page.locator(".report-sheet").first
        sheet.wait_for()
        for heading in ("Outcome", "Date", "Sub-group", "Contact"):
            assert sheet.get_by_role("rowheader", name=heading).count() == 1
        summary = sheet.locator(".summary-box")
        for column in ("Green", "Amber", "Red", "Total"):
            assert summary.get_by_role("columnheader", name=column).count() == 1

        spa.page.emulate_media(media="print")
        assert not spa.page.locator(".site-header").is_visible()
        assert not spa.page.get_by_role("button", name="Print report").is_visible()
        assert sheet.is_visible()
        spa.screenshot("report-print")
        pdf = spa.page.pdf(path=str(tmp_path / "report.pdf"), format="A4", landscape=True)
        assert pdf.startswith(b"%PDF")
