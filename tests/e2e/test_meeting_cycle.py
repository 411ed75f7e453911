"""The meeting cycle in the browser, each step as the role that does it: the officer schedules
a meeting, a member sends apologies naming a colleague as substitute, the officer records
attendance (and sees the substitution limit before saving), adjourns an inquorate meeting,
records a carried decision whose action appears in the plan, and has the minutes approved at
the next meeting, after which they are read-only. axe-clean, 375 px, names in histories."""

import re
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.conftest import Spa, login_token
from tests.live import LiveServer

pytestmark = pytest.mark.e2e

LONDON = ZoneInfo("Europe/London")
_serial = count(1)


def me(server: LiveServer, role: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {login_token(server, role)}"}
    return dict(httpx.get(f"{server.url}/api/v1/me", headers=headers).json())


def officer_partnership(server: LiveServer) -> int:
    """The partnership the demo officer manages and the demo member belongs to."""
    managed = {
        m["partnership_id"]
        for m in me(server, "officer")["memberships"]
        if m["role"] in ("officer", "chair", "vice_chair")
    }
    member = {m["partnership_id"] for m in me(server, "member")["memberships"]}
    return min(managed & member)


def at(day: date, hour: int) -> str:
    return datetime.combine(day, time(hour), tzinfo=LONDON).astimezone(UTC).isoformat()


def make_meeting(
    api: httpx.Client, partnership: int, days_from_now: int, *, items: tuple[str, ...] = ()
) -> dict[str, Any]:
    day = date.today() + timedelta(days=days_from_now)
    r = api.post(
        "/api/v1/meetings",
        json={
            "partnership_id": partnership,
            "title": f"Cycle meeting {next(_serial)}",
            "starts_at": at(day, 10),
            "ends_at": at(day, 12),
            "location": "Committee Room 1",
        },
    )
    assert r.status_code == 201, r.text
    meeting = dict(r.json())
    for title in items:
        item = api.post("/api/v1/agenda-items", json={"meeting_id": meeting["id"], "title": title})
        assert item.status_code == 201, item.text
    return meeting


def voting_members(api: httpx.Client, partnership: int, exclude: set[int]) -> list[dict[str, Any]]:
    page = api.get(
        "/api/v1/memberships",
        params={"partnership_id": partnership, "current": True, "limit": 500},
    ).json()["items"]
    return [m for m in page if m["voting"] and m["person_id"] not in exclude]


def seat(api: httpx.Client, meeting_id: int, memberships: list[dict[str, Any]]) -> None:
    for m in memberships:
        r = api.put(
            f"/api/v1/meetings/{meeting_id}/attendance/{m['id']}", json={"status": "present"}
        )
        assert r.is_success, r.text


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the screen scrolls sideways ({width}px)"


class TestScheduling:
    def test_officer_schedules_a_meeting_in_london_time(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        partnership = officer_partnership(server)
        spa.login("officer")
        spa.goto(f"/partnerships/{partnership}")
        spa.page.get_by_role("link", name="Schedule a meeting").click()
        spa.page.get_by_role("heading", name="Schedule a meeting", level=1).wait_for()
        spa.settle()
        spa.check_accessibility()
        title = f"Summer review {next(_serial)}"
        spa.page.get_by_label("Title").fill(title)
        spa.page.get_by_label("Kind of meeting").select_option("extraordinary")
        spa.page.get_by_label("Starts (London time)").fill("2031-07-03T14:30")
        spa.page.get_by_label("Duration (minutes)").fill("90")
        spa.page.get_by_label("Place").fill("Guildhall, Room 2")
        spa.page.get_by_label("Online link (https://…)").fill("https://meet.example.org/summer")
        spa.screenshot("meeting-schedule")
        spa.page.get_by_role("button", name="Schedule meeting").click()
        spa.page.get_by_role("heading", name=title, level=1, exact=True).wait_for()
        spa.settle()
        spa.check_accessibility()
        found = api.get("/api/v1/meetings", params={"q": title}).json()["items"]
        assert len(found) == 1
        meeting = found[0]
        # 14:30 in London in July is 13:30 UTC; 90 minutes long
        assert meeting["starts_at"].startswith("2031-07-03T13:30:00")
        assert meeting["ends_at"].startswith("2031-07-03T15:00:00")
        assert meeting["kind"] == "extraordinary"
        assert meeting["online_url"] == "https://meet.example.org/summer"

        # reschedule: the same calendar entry moves
        spa.page.get_by_role("link", name="Edit or reschedule").click()
        spa.page.get_by_label("Starts (London time)").fill("2031-07-10T09:00")
        spa.page.get_by_role("button", name="Save changes").click()
        spa.page.get_by_role("heading", name=title, level=1, exact=True).wait_for()
        moved = api.get(f"/api/v1/meetings/{meeting['id']}").json()
        assert moved["starts_at"].startswith("2031-07-10T08:00:00")
        assert moved["version"] == meeting["version"] + 1

    def test_members_are_not_offered_scheduling(self, spa: Spa, server: LiveServer) -> None:
        partnership = officer_partnership(server)
        spa.login("member")
        spa.goto(f"/partnerships/{partnership}")
        spa.page.get_by_role("heading", name="Upcoming").wait_for()
        spa.settle()
        assert spa.page.get_by_role("link", name="Schedule a meeting").count() == 0


class TestAttendance:
    def test_member_sends_apologies_naming_a_colleague(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        partnership = officer_partnership(server)
        member = me(server, "member")
        mine = next(m for m in member["memberships"] if m["partnership_id"] == partnership)
        membership = api.get(f"/api/v1/memberships/{mine['id']}").json()
        organisation = membership["on_behalf_of_id"] or member["organisation_id"]
        colleague = api.post(
            "/api/v1/people",
            json={
                "name": f"Priya Colleague {next(_serial)}",
                "email": f"priya.colleague.{next(_serial)}@example.org",
                "organisation_id": organisation,
            },
        ).json()
        meeting = make_meeting(api, partnership, 9)

        spa.login("member")
        spa.goto(f"/meetings/{meeting['id']}")
        spa.page.get_by_role("heading", name="Attendance and apologies").wait_for()
        spa.settle()
        assert spa.page.get_by_role("link", name="Edit or reschedule").count() == 0
        assert spa.page.get_by_role("heading", name="Record a decision").count() == 0
        spa.page.get_by_role("button", name="Send a substitute").click()
        picker = spa.page.get_by_label("Substitute from", exact=False)
        picker.select_option(label=colleague["name"])
        spa.check_accessibility()
        spa.page.get_by_role("button", name="Send apologies and this substitute").click()
        spa.page.get_by_role("button", name="Send apologies and this substitute").wait_for(
            state="detached"
        )
        row = spa.page.get_by_role("row").filter(
            has_text=f"Substitute attended — {colleague['name']}"
        )
        row.wait_for()

        attendance = api.get(f"/api/v1/meetings/{meeting['id']}/attendance").json()["items"]
        [record] = [a for a in attendance if a["membership_id"] == mine["id"]]
        assert record["status"] == "substitute"
        assert record["substitute_person_id"] == colleague["id"]

    def test_officer_records_attendance_and_sees_the_substitution_limit(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        partnership = officer_partnership(server)
        skip = {me(server, r)["person_id"] for r in ("officer", "member")}
        members = voting_members(api, partnership, skip)
        subject = members[-1]
        person = api.get(f"/api/v1/people/{subject['person_id']}").json()
        organisation = subject["on_behalf_of_id"] or person["organisation_id"]
        stand_in = api.post(
            "/api/v1/people",
            json={
                "name": f"Sam Standin {next(_serial)}",
                "email": f"sam.standin.{next(_serial)}@example.org",
                "organisation_id": organisation,
            },
        ).json()
        # three substitutes already this year
        for days in (-200, -150, -100):
            earlier = make_meeting(api, partnership, days)
            r = api.put(
                f"/api/v1/meetings/{earlier['id']}/attendance/{subject['id']}",
                json={"status": "substitute", "substitute_person_id": stand_in["id"]},
            )
            assert r.is_success, r.text
        meeting = make_meeting(api, partnership, -1)

        spa.login("officer")
        spa.goto(f"/meetings/{meeting['id']}")
        spa.page.get_by_role("heading", name="Attendance and apologies").wait_for()
        spa.settle()
        quorum = spa.page.locator(".quorum")
        assert "0 present — not quorate" in quorum.inner_text()
        for m in members[:2]:
            name = api.get(f"/api/v1/people/{m['person_id']}").json()["name"]
            spa.page.get_by_label(f"Attendance of {name}").select_option("present")
            spa.page.get_by_label(f"Attendance of {name}").wait_for()
        spa.page.locator(".quorum", has_text="2 present — not quorate").wait_for()

        spa.page.get_by_label(f"Attendance of {person['name']}").select_option("substitute")
        spa.page.get_by_label("Substitute from", exact=False).select_option(label=stand_in["name"])
        warning = spa.page.get_by_role("alert").filter(has_text="ends their membership")
        warning.wait_for()
        spa.check_accessibility()
        spa.screenshot("meeting-attendance", full_page=False)
        spa.page.get_by_role("button", name="Save substitute").click()
        spa.page.get_by_role("alert").filter(has_text="their membership has ended").wait_for()
        ended = api.get(f"/api/v1/memberships/{subject['id']}").json()
        assert ended["end_reason"] == "substitution_limit"

        spa.page.get_by_label(f"Reason for reinstating {person['name']}").fill(
            "Long illness, agreed by the chair"
        )
        spa.page.get_by_role("button", name="Reinstate membership").click()
        spa.page.get_by_role("alert").filter(has_text="their membership has ended").wait_for(
            state="detached"
        )
        reinstated = api.get(f"/api/v1/memberships/{subject['id']}").json()
        assert reinstated["ended_on"] is None


class TestAdjournment:
    def test_an_inquorate_meeting_is_adjourned_and_the_resumed_meeting_appears(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        partnership = officer_partnership(server)
        meeting = make_meeting(api, partnership, -1)
        spa.login("officer")
        spa.goto(f"/meetings/{meeting['id']}")
        spa.page.get_by_role("button", name="Adjourn (not quorate)").click()
        resumed_on = date.today() + timedelta(days=21)
        spa.page.get_by_label("Resumed meeting starts (London time)").fill(
            f"{resumed_on.isoformat()}T18:00"
        )
        spa.check_accessibility()
        spa.page.get_by_role("button", name="Adjourn and schedule the resumed meeting").click()
        spa.page.get_by_text("Resumes an").wait_for()
        spa.page.get_by_role("heading", name=f"{meeting['title']} (resumed)", level=1).wait_for()
        spa.settle()
        spa.check_accessibility()

        adjourned = api.get(f"/api/v1/meetings/{meeting['id']}").json()
        assert adjourned["status"] == "adjourned"
        resumed = api.get(f"/api/v1/meetings/{adjourned['adjourned_to_id']}").json()
        assert resumed["adjourned_from_id"] == meeting["id"]
        assert resumed["starts_at"].startswith(resumed_on.isoformat())

        spa.page.get_by_role("link", name="adjourned meeting").click()
        spa.page.get_by_role("link", name="Go to the resumed meeting").wait_for()
        spa.goto(f"/partnerships/{partnership}")
        spa.page.get_by_role("link", name=resumed["title"]).wait_for()

    def test_the_history_names_the_officer(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        partnership = officer_partnership(server)
        meeting = make_meeting(api, partnership, -1)
        officer = httpx.Client(
            base_url=server.url,
            headers={"Authorization": f"Bearer {login_token(server, 'officer')}"},
        )
        body = {"starts_at": at(date.today() + timedelta(days=14), 10), "reason": "No quorum"}
        r = officer.post(f"/api/v1/meetings/{meeting['id']}/adjournment", json=body)
        assert r.status_code == 201, r.text
        spa.login("admin")
        spa.goto(f"/meetings/{meeting['id']}")
        spa.page.get_by_role("link", name="History of this meeting").click()
        spa.page.get_by_role("heading", name="Audit trail", level=1).wait_for()
        spa.settle()
        events = spa.page.locator("article.audit-event")
        events.first.wait_for()
        text = events.first.inner_text()
        # the officer by name (their account label only beside it)
        name = me(server, "officer")["name"]
        assert re.search(rf"{re.escape(name)} \(user:\d+\)", text), text[:200]


class TestDecisionsAndMinutes:
    def test_a_carried_decision_adds_an_action_to_the_plan(
        self, spa: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        partnership = officer_partnership(server)
        skip = {me(server, r)["person_id"] for r in ("officer", "member")}
        meeting = make_meeting(api, partnership, -1, items=("Volunteering",))
        seat(api, meeting["id"], voting_members(api, partnership, skip)[:6])
        title = f"Run a volunteering fair {next(_serial)}"
        deadline = (date.today() + timedelta(days=90)).isoformat()

        spa.login("officer")
        spa.goto(f"/meetings/{meeting['id']}")
        spa.page.get_by_role("heading", name="Record a decision").wait_for()
        spa.settle()
        # The agenda builder shares the page: work inside the decisions section.
        decisions = spa.page.locator("section[aria-labelledby=decisions-title]")
        decisions.get_by_label("Agenda item", exact=True).select_option(label="1. Volunteering")
        decisions.get_by_label("Decision", exact=True).fill("To hold a volunteering fair.")
        decisions.get_by_label("Method").select_option("consensus")
        decisions.get_by_role("button", name="Add a follow-up action to the plan").click()
        decisions.get_by_label("Title", exact=True).fill(title)
        outcome = decisions.get_by_label("Outcome it serves")
        outcome.select_option(index=1)
        decisions.get_by_label("Lead organisation").select_option(index=1)
        decisions.get_by_label("Deadline").fill(deadline)
        spa.check_accessibility()
        spa.page.get_by_role("heading", name="Record a decision").scroll_into_view_if_needed()
        spa.screenshot("meeting-decision", full_page=False)
        spa.page.get_by_role("button", name="Record decision").click()
        spa.page.get_by_text("Added an action and 1 task").wait_for()
        assert "Item 1: Volunteering" in spa.page.locator("ol.decisions").inner_text()

        spa.page.get_by_role("link", name="action plan").first.click()
        spa.page.get_by_text(title).first.wait_for()
        tasks = api.get("/api/v1/tasks", params={"partnership_id": partnership, "q": title}).json()[
            "items"
        ]
        assert [t["deadline"] for t in tasks] == [deadline]

    def test_minutes_written_approved_at_the_next_meeting_then_read_only(
        self, spa: Spa, phone: Spa, server: LiveServer, api: httpx.Client
    ) -> None:
        partnership = officer_partnership(server)
        skip = {me(server, r)["person_id"] for r in ("officer", "member")}
        voting = voting_members(api, partnership, skip)[:6]
        first = make_meeting(api, partnership, -9, items=("Apologies", "Performance report"))
        seat(api, first["id"], voting)
        later = make_meeting(api, partnership, -1, items=("Minutes of the last meeting",))
        seat(api, later["id"], voting)

        spa.login("officer")
        spa.goto(f"/meetings/{first['id']}")
        spa.page.get_by_role("heading", name="Minutes", exact=True).wait_for()
        spa.settle()
        spa.page.get_by_label("Minute of item 2").fill("The report was noted; two tasks are red.")
        spa.page.get_by_role("button", name="Save draft of item 2").click()
        spa.page.get_by_text("Draft saved.").wait_for()
        spa.page.get_by_label("Approved at").select_option(value=str(later["id"]))
        spa.page.get_by_label("Under agenda item").wait_for()
        spa.check_accessibility()
        spa.page.get_by_role("button", name="Minutes agreed as a true record").click()
        spa.page.get_by_text("Approved as a true record").wait_for()
        spa.settle()
        assert spa.page.get_by_label("Minute of item 2").count() == 0
        assert spa.page.get_by_text("The report was noted; two tasks are red.").count() == 1

        decisions = api.get(f"/api/v1/meetings/{later['id']}/decisions").json()["items"]
        assert [d["approves_minutes_of_id"] for d in decisions] == [first["id"]]
        item = api.get(f"/api/v1/meetings/{first['id']}/minutes").json()["items"][1]
        r = api.put(
            f"/api/v1/meetings/{first['id']}/minutes/{item['agenda_item_id']}",
            json={"text": "Changed"},
        )
        assert r.status_code == 409

        spa.page.get_by_role("link", name="Printable minutes").click()
        spa.page.get_by_role("heading", name=f"Minutes: {first['title']}", level=1).wait_for()
        spa.settle()
        spa.check_accessibility()
        spa.screenshot("meeting-minutes")
        assert spa.page.get_by_role("textbox").count() == 0

        phone.login("officer")
        phone.goto(f"/meetings/{first['id']}")
        phone.page.get_by_role("heading", name="Minutes", exact=True).wait_for()
        phone.settle()
        no_sideways_scroll(phone.page)
        phone.check_accessibility()
