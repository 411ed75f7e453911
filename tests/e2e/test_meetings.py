"""A member sends apologies for the next meeting; the quorum indicator follows."""

from datetime import UTC, datetime

import httpx
import pytest

from tests.e2e.conftest import Spa, login_token
from tests.live import LiveServer

pytestmark = pytest.mark.e2e


class TestApologies:
    def test_a_member_records_apologies_for_the_next_meeting(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        headers = {"Authorization": f"Bearer {login_token(server, 'member')}"}
        me = httpx.get(f"{server.url}/api/v1/me", headers=headers).json()
        membership = me["memberships"][0]
        meeting = api.get(
            "/api/v1/meetings",
            params={
                "partnership_id": membership["partnership_id"],
                "starts_at_after": datetime.now(UTC).isoformat(),
                "sort": "starts_at",
                "limit": 1,
            },
        ).json()["items"][0]

        spa.login("member")
        spa.goto(f"/meetings/{meeting['id']}")
        spa.page.get_by_role("heading", name="Attendance and apologies").wait_for()
        spa.page.locator(".quorum").wait_for()
        spa.page.get_by_role("button", name="Send my apologies").click()
        spa.page.get_by_role("button", name="Send my apologies").wait_for(state="detached")

        attendance = api.get(f"/api/v1/meetings/{meeting['id']}/attendance").json()["items"]
        mine = [a for a in attendance if a["membership_id"] == membership["id"]]
        assert [a["status"] for a in mine] == ["apologies"]
        row = spa.page.get_by_role("row").filter(has_text="Apologies")
        assert row.count() >= 1
