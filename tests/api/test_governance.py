"""Governance checks (DESIGN §3) at their boundaries, on fresh partnerships, and on the demo."""

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.core import clock
from tests.api.governance_fixtures import (
    API,
    Group,
    attend,
    held_meeting,
    make_group,
    make_meeting,
    make_person,
    ok,
    seat,
)

ALL_RULES = {
    "attendance_below_threshold",
    "substitutions_over_limit",
    "meeting_overdue",
    "too_few_meetings",
    "chair_past_term",
    "no_voluntary_member",
    "inquorate_meeting",
}


def findings(client: TestClient, group: Group, rule: str) -> list[dict[str, Any]]:
    report = ok(client.get(f"{API}/partnerships/{group.id}/governance"))
    assert report["partnership_ids"] == [group.id]
    return [f for f in report["findings"] if f["rule"] == rule]


def held_with(
    client: TestClient, group: Group, days_ago: int, statuses: dict[int, str]
) -> dict[str, Any]:
    """A held meeting: the officer and the first five voting members present, plus
    ``statuses`` by voting member's index."""
    meeting = make_meeting(client, group, days_ago=days_ago)
    seat(client, meeting["id"], group.non_voting())
    for index, member in enumerate(group.voting()):
        status = statuses.get(index, "present" if index < 5 else None)
        if status is not None:
            substitute = group.outsider_id if status == "substitute" else None
            ok(attend(client, meeting["id"], member["id"], status, substitute), 201)
    return ok(client.patch(f"{API}/meetings/{meeting['id']}", json={"status": "held"}))


class TestAttendance:
    def test_exactly_half_passes_below_half_is_a_finding(self, client: TestClient) -> None:
        group = make_group(client, voting=7)
        half, quarter = 5, 6
        for n, days_ago in enumerate((200, 150, 100, 50)):
            held_with(
                client,
                group,
                days_ago,
                {
                    half: "present" if n < 2 else "apologies",
                    quarter: "present" if n == 0 else "absent",
                },
            )
        found = findings(client, group, "attendance_below_threshold")
        assert [f["membership_id"] for f in found] == [group.voting()[quarter]["id"]]
        assert found[0]["evidence"] | {"meeting_ids": None} == {
            "meetings_held": 4,
            "attended": 1,
            "rate": 0.25,
            "threshold": 0.5,
            "present": 1,
            "substitute": 0,
            "apologies": 0,
            "absent": 3,
            "meeting_ids": None,
        }
        assert found[0]["person_id"] == group.voting()[quarter]["person_id"]
        assert "1 of 4" in found[0]["message"]

    def test_meetings_older_than_twelve_months_do_not_count(self, client: TestClient) -> None:
        group = make_group(client, voting=6)
        held_with(client, group, 400, {5: "absent"})
        held_with(client, group, 30, {5: "present"})
        assert findings(client, group, "attendance_below_threshold") == []

    def test_meetings_before_joining_do_not_count(self, client: TestClient) -> None:
        group = make_group(client, voting=5)
        held_with(client, group, 100, {})
        newcomer = ok(
            client.post(
                f"{API}/memberships",
                json={
                    "person_id": make_person(client)["id"],
                    "partnership_id": group.id,
                    "started_on": (clock.today() - timedelta(days=20)).isoformat(),
                },
            ),
            201,
        )
        meeting = make_meeting(client, group, days_ago=10)
        seat(client, meeting["id"], [*group.voting(), newcomer])
        ok(client.patch(f"{API}/meetings/{meeting['id']}", json={"status": "held"}))
        assert findings(client, group, "attendance_below_threshold") == []


class TestSubstitutions:
    def test_third_substitution_is_fine_fourth_ends_or_is_a_finding(
        self, client: TestClient
    ) -> None:
        group = make_group(client, voting=6)
        meetings = [held_with(client, group, d, {5: "substitute"}) for d in (200, 150, 100)]
        last = held_with(client, group, 50, {5: "present"})
        assert findings(client, group, "substitutions_over_limit") == []
        member = group.voting()[5]
        sub = attend(client, last["id"], member["id"], "substitute", group.outsider_id)
        assert ok(sub)["ended_membership"] is True
        # The fourth ends the membership on the day; nothing is left outstanding ...
        assert findings(client, group, "substitutions_over_limit") == []
        # ... until an officer reinstates the member: the finding then stands.
        reinstate = {"reason": "Agreed by the chair"}
        ok(client.post(f"{API}/memberships/{member['id']}/reinstatement", json=reinstate))
        found = findings(client, group, "substitutions_over_limit")
        assert len(found) == 1
        assert found[0]["evidence"]["substitutions"] == 4
        assert found[0]["evidence"]["limit"] == 3
        assert found[0]["evidence"]["meeting_ids"] == [m["id"] for m in [*meetings, last]]


class TestMeetingFrequency:
    def test_overdue_after_the_gap_allowed(self, client: TestClient) -> None:
        recent = make_group(client, voting=5)
        held_with(client, recent, 100, {})
        assert findings(client, recent, "meeting_overdue") == []
        stale = make_group(client, voting=5)
        held_with(client, stale, 130, {})
        make_meeting(client, stale, days_ago=20, status="cancelled")
        found = findings(client, stale, "meeting_overdue")
        assert len(found) == 1
        last = clock.today() - timedelta(days=130)
        assert found[0]["evidence"]["last_held_on"] == last.isoformat()
        assert found[0]["evidence"]["max_months_between_meetings"] == 4

    def test_strategic_group_meets_at_least_twice_a_year(self, client: TestClient) -> None:
        group = make_group(
            client,
            voting=5,
            kind="strategic",
            min_meetings_per_year=2,
            max_months_between_meetings=6,
        )
        held_with(client, group, 100, {})
        found = findings(client, group, "too_few_meetings")
        assert found[0]["evidence"] == {"meetings_held": 1, "min_meetings_per_year": 2}
        held_with(client, group, 20, {})
        assert findings(client, group, "too_few_meetings") == []


class TestChairs:
    @pytest.mark.parametrize(("days", "expected"), [(0, 0), (1, 1)])
    def test_chair_past_term(self, client: TestClient, days: int, expected: int) -> None:
        group = make_group(client, voting=5)
        chair = ok(
            client.post(
                f"{API}/memberships",
                json={
                    "person_id": make_person(client)["id"],
                    "partnership_id": group.id,
                    "role": "chair",
                    "started_on": (clock.today() - timedelta(days=700)).isoformat(),
                    "term_ends_on": (clock.today() - timedelta(days=days)).isoformat(),
                },
            ),
            201,
        )
        found = findings(client, group, "chair_past_term")
        assert [f["membership_id"] for f in found] == [chair["id"]] * expected


class TestVoluntarySector:
    def test_partnership_without_a_voluntary_member(self, client: TestClient) -> None:
        public_only = make_group(client, voting=5, sector="public")
        assert len(findings(client, public_only, "no_voluntary_member")) == 1
        mixed = make_group(client, voting=5, sector="voluntary_community")
        assert findings(client, mixed, "no_voluntary_member") == []

    def test_not_required_by_these_terms(self, client: TestClient) -> None:
        group = make_group(client, voting=5, sector="public", voluntary_rep_required=False)
        assert findings(client, group, "no_voluntary_member") == []


class TestInquorateMeetings:
    def test_held_with_four_is_a_finding_with_five_is_not(self, client: TestClient) -> None:
        group = make_group(client, voting=6)
        held_meeting(client, group, 5, days_ago=40)
        inquorate = held_meeting(client, group, 4, days_ago=20)
        found = findings(client, group, "inquorate_meeting")
        assert [f["meeting_id"] for f in found] == [inquorate["id"]]
        assert found[0]["evidence"]["present_voting"] == 4
        assert found[0]["evidence"]["required"] == 5


class TestReports:
    def test_demo_data_shows_every_finding(self, client: TestClient) -> None:
        report = ok(client.get(f"{API}/governance"))
        assert {f["rule"] for f in report["findings"]} == ALL_RULES
        assert all(report["counts"][rule] >= 1 for rule in ALL_RULES)
        for finding in report["findings"]:
            assert finding["rule"] in ALL_RULES
            assert finding["evidence"], finding
            assert finding["message"]

    def test_inactive_partnerships_are_not_checked(self, client: TestClient) -> None:
        inactive = ok(client.get(f"{API}/partnerships", params={"status": "inactive"}))["items"]
        report = ok(client.get(f"{API}/partnerships/{inactive[0]['id']}/governance"))
        assert report["findings"] == []

    def test_all_partnerships_in_a_fixed_number_of_queries(
        self, client: TestClient, query_counter: list[str]
    ) -> None:
        ok(client.get(f"{API}/governance"))
        before = len(query_counter)
        make_group(client, voting=3)
        query_counter.clear()
        ok(client.get(f"{API}/governance"))
        assert len(query_counter) == before <= 12

    def test_officers_read_members_do_not(self, as_role: Any) -> None:
        assert as_role("officer").get(f"{API}/governance").status_code == 200
        assert as_role("member").get(f"{API}/governance").status_code == 403
        assert as_role("county").get(f"{API}/governance").status_code == 403
