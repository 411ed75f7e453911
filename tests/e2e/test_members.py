"""Issue 17: an officer adds a member (a new person, inline) and ends another's membership,
seeing the resignation notice rule before saving; terms of reference with their history."""

import re
from datetime import date, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Spa, login_token
from tests.e2e.test_accessibility import fits_a_phone
from tests.live import LiveServer

pytestmark = pytest.mark.e2e


def managed_partnership(server: LiveServer) -> int:
    headers = {"Authorization": f"Bearer {login_token(server, 'officer')}"}
    me = httpx.get(f"{server.url}/api/v1/me", headers=headers).json()
    managed = [m for m in me["memberships"] if m["role"] in ("chair", "vice_chair", "officer")]
    return int(managed[0]["partnership_id"])


def current_members(api: httpx.Client, partnership: int) -> list[dict]:  # type: ignore[type-arg]
    params = {"partnership_id": partnership, "current": True, "limit": 500}
    return list(api.get("/api/v1/memberships", params=params).json()["items"])


class TestMembership:
    def test_officer_adds_a_member_and_ends_anothers_membership(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        partnership = managed_partnership(server)
        page = spa.page
        spa.login("officer")
        spa.goto(f"/partnerships/{partnership}")
        spa.settle()

        # add a member: someone new, created inline
        page.get_by_role("button", name="Add a member").click()
        page.get_by_label("Person").select_option("new")
        page.get_by_label("Name").fill("Rowan Example")
        page.get_by_label("E-mail").fill("rowan.example@example.org")
        page.get_by_label("On behalf of (organisation represented)").select_option(index=1)
        page.get_by_label("Role").select_option("representative")
        spa.check_accessibility()
        page.get_by_role("button", name="Add member", exact=True).click()
        page.get_by_role("status").filter(has_text="Member added.").wait_for()
        row = page.get_by_role("row").filter(has_text="Rowan Example")
        row.wait_for()
        assert "Representative" in row.inner_text()
        page.get_by_role("heading", name="Members", exact=True).evaluate(
            "heading => heading.scrollIntoView({block: 'start'})"
        )
        spa.screenshot("members", full_page=False)
        added = [m for m in current_members(api, partnership) if m["role"] == "representative"]
        assert len(added) >= 1

        # end another member's membership: a resignation, with the notice rule shown first
        member_token = login_token(server, "member")
        demo_member = httpx.get(
            f"{server.url}/api/v1/me", headers={"Authorization": f"Bearer {member_token}"}
        ).json()["person_id"]
        leaving = next(
            m
            for m in current_members(api, partnership)
            if m["role"] == "member" and not m["ended_on"] and m["person_id"] != demo_member
        )
        page.locator(f"#membership-{leaving['id']}").get_by_role("button").click()
        notice = date.today()
        page.get_by_label("Notice given on").fill(notice.isoformat())
        rule = page.locator(".notice-rule")
        rule.filter(has_text="A resignation takes effect at least 1 month").wait_for()
        earliest = api.get(
            f"/api/v1/memberships/{leaving['id']}/resignation",
            params={"notice_given_on": notice.isoformat()},
        ).json()["earliest_ended_on"]
        assert f"on or after {earliest}" in rule.inner_text()
        too_early = (date.fromisoformat(earliest) - timedelta(days=1)).isoformat()
        page.get_by_label("Membership ends on").fill(too_early)
        rule.filter(has_text="The date chosen is too early.").wait_for()
        spa.check_accessibility()
        page.get_by_label("Membership ends on").fill(earliest)
        page.get_by_role("button", name="End membership", exact=True).click()
        page.get_by_role("status").filter(has_text="membership has been ended").wait_for()

        ended = api.get(f"/api/v1/memberships/{leaving['id']}").json()
        assert (ended["end_reason"], ended["ended_on"]) == ("resigned", earliest)
        # the table reloads after the message: wait for the row to say when the member leaves
        expect(page.locator(f"#membership-{leaving['id']}")).to_contain_text("leaves")

    def test_officer_changes_the_terms_of_reference_and_sees_the_history(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        partnership = managed_partnership(server)
        before = api.get(f"/api/v1/partnerships/{partnership}/terms-of-reference").json()
        page = spa.page
        spa.login("officer")
        spa.goto(f"/partnerships/{partnership}")
        spa.settle()
        page.get_by_role("button", name="Change the terms of reference").click()
        page.get_by_label("Quorum (voting members present)").fill(str(before["quorum"] + 1))
        page.get_by_role("button", name="Save terms of reference").click()
        page.get_by_role("button", name="Change the terms of reference").wait_for()
        page.get_by_text("Version history").click()
        change = f"Quorum (voting members present): {before['quorum']} → {before['quorum'] + 1}"
        page.get_by_text(change).wait_for()
        spa.check_accessibility()
        after = api.get(f"/api/v1/partnerships/{partnership}/terms-of-reference").json()
        assert after["quorum"] == before["quorum"] + 1

    def test_a_member_may_only_hand_in_their_own_resignation(
        self, spa: Spa, server: LiveServer
    ) -> None:
        partnership = managed_partnership(server)
        headers = {"Authorization": f"Bearer {login_token(server, 'member')}"}
        me = httpx.get(f"{server.url}/api/v1/me", headers=headers).json()
        own = [m["id"] for m in me["memberships"] if m["partnership_id"] == partnership]
        spa.login("member")
        spa.goto(f"/partnerships/{partnership}")
        spa.settle()
        page = spa.page
        page.get_by_role("heading", name="Terms of reference").wait_for()
        assert page.get_by_role("button", name="Add a member").count() == 0
        assert page.get_by_role("button", name="Change the terms of reference").count() == 0
        page.locator("table").first.wait_for()
        ends = page.get_by_role("button", name=re.compile("^End membership"))
        assert ends.count() == len(own)
        if own:
            page.locator(f"#membership-{own[0]}").get_by_role("button").click()
            reasons = page.get_by_label("Reason").locator("option").all_inner_texts()
            assert reasons == ["Resigned"]
            page.locator(".notice-rule").filter(has_text="A resignation takes effect").wait_for()

    def test_the_partnership_page_fits_a_phone(self, phone: Spa, server: LiveServer) -> None:
        phone.login("officer")
        fits_a_phone(phone, f"/partnerships/{managed_partnership(server)}")
