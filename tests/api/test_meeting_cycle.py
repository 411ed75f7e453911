"""The meeting cycle from call to approved minutes (issue 16): schedule and reschedule,
cancel with a reason, adjourn an inquorate meeting, the substitution limit and reinstatement,
decisions that add actions and tasks to the plan, minutes per agenda item with If-Match and
their approval by a later meeting. Through HTTP, on SQLite and PostgreSQL."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from api.core import clock
from api.core.events import subscribe
from api.meetings import events as meeting_events
from tests.api.governance_fixtures import (
    API,
    Group,
    at,
    attend,
    make_group,
    make_meeting,
    make_person,
    ok,
    seat,
)

EMITTED: list[object] = []


def _record(session: object, event: object) -> None:
    EMITTED.append(event)


for _event_type in (
    meeting_events.MeetingScheduled,
    meeting_events.MeetingChanged,
    meeting_events.MeetingCancelled,
    meeting_events.MeetingAdjourned,
    meeting_events.MinutesApproved,
):
    subscribe(_event_type, _record)


@pytest.fixture
def emitted() -> Iterator[list[object]]:
    EMITTED.clear()
    yield EMITTED
    EMITTED.clear()


@pytest.fixture
def group(client: TestClient) -> Group:
    """Six voting members and one non-voting officer; quorum 5, three substitutes a year."""
    return make_group(client)


def problem_type(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return str(response.json()["type"])


def error_locs(response: Any) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    return [e["loc"] for e in response.json()["errors"]]


class TestScheduling:
    def test_create_announces_the_meeting(
        self, client: TestClient, group: Group, emitted: list[object]
    ) -> None:
        meeting = make_meeting(
            client, group, days_ago=-14, online_url="https://meet.example.org/lsp"
        )
        assert meeting["online_url"] == "https://meet.example.org/lsp"
        assert emitted == [meeting_events.MeetingScheduled(meeting_id=meeting["id"])]

    def test_an_online_link_is_http_or_https(self, client: TestClient, group: Group) -> None:
        body = {
            "partnership_id": group.id,
            "title": "Online",
            "starts_at": at(clock.today() + timedelta(days=7)),
            "online_url": "javascript:alert(1)",
        }
        assert error_locs(client.post(f"{API}/meetings", json=body)) == [["body", "online_url"]]

    def test_reschedule_keeps_the_uid_and_bumps_the_sequence(
        self, client: TestClient, anon: TestClient, group: Group, emitted: list[object]
    ) -> None:
        meeting = make_meeting(client, group, days_ago=-10)
        url = f"{API}/partnerships/{group.id}/meetings.ics"
        uid = f"meeting-{meeting['id']}@"

        def event() -> Any:
            cal = Calendar.from_ical(anon.get(url).content)
            return next(e for e in cal.walk("VEVENT") if str(e["UID"]).startswith(uid))

        first = event()
        day = clock.today() + timedelta(days=12)
        moved = ok(
            client.patch(
                f"{API}/meetings/{meeting['id']}",
                json={"starts_at": at(day, 10), "ends_at": at(day, 12)},
            )
        )
        assert moved["version"] == meeting["version"] + 1
        second = event()
        assert str(second["UID"]) == str(first["UID"])
        assert int(second["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
        assert second.decoded("DTSTART") != first.decoded("DTSTART")
        assert meeting_events.MeetingChanged(meeting_id=meeting["id"]) in emitted


class TestCancellation:
    def test_a_cancellation_needs_a_reason(self, client: TestClient, group: Group) -> None:
        meeting = make_meeting(client, group, days_ago=-5)
        url = f"{API}/meetings/{meeting['id']}"
        r = client.patch(url, json={"status": "cancelled"})
        assert error_locs(r) == [["body", "cancellation_reason"]]
        r = client.patch(url, json={"status": "cancelled", "cancellation_reason": "  "})
        assert error_locs(r) == [["body", "cancellation_reason"]]
        assert ok(client.get(url))["status"] == "scheduled"

    def test_cancel_records_the_reason_and_reinstating_clears_it(
        self, client: TestClient, group: Group, emitted: list[object]
    ) -> None:
        meeting = make_meeting(client, group, days_ago=-5)
        url = f"{API}/meetings/{meeting['id']}"
        body = {"status": "cancelled", "cancellation_reason": "The venue flooded"}
        cancelled = ok(client.patch(url, json=body))
        assert cancelled["cancellation_reason"] == "The venue flooded"
        assert emitted[-1] == meeting_events.MeetingCancelled(meeting_id=meeting["id"])
        reinstated = ok(client.patch(url, json={"status": "scheduled"}))
        assert reinstated["cancellation_reason"] is None
        # Reinstated: the meeting is called again (members get a new notice).
        assert emitted[-1] == meeting_events.MeetingScheduled(meeting_id=meeting["id"])

    def test_only_a_cancelled_meeting_has_a_reason(self, client: TestClient, group: Group) -> None:
        meeting = make_meeting(client, group, days_ago=-5)
        r = client.patch(f"{API}/meetings/{meeting['id']}", json={"cancellation_reason": "Why"})
        assert error_locs(r) == [["body", "cancellation_reason"]]


def adjourn(client: TestClient, meeting_id: int, days_ahead: int = 14, **extra: Any) -> Any:
    body = {
        "starts_at": at(clock.today() + timedelta(days=days_ahead)),
        "reason": "Four voting members present after thirty minutes",
        **extra,
    }
    return client.post(f"{API}/meetings/{meeting_id}/adjournment", json=body)


class TestAdjournment:
    def test_an_inquorate_meeting_is_adjourned_to_a_new_meeting(
        self, client: TestClient, group: Group, emitted: list[object]
    ) -> None:
        meeting = make_meeting(client, group, days_ago=1, location="Town Hall")
        seat(client, meeting["id"], group.voting()[:4])
        emitted.clear()
        r = adjourn(client, meeting["id"])
        body = ok(r, 201)
        adjourned, resumed = body["adjourned"], body["resumed"]
        assert r.headers["location"] == f"/api/v1/meetings/{resumed['id']}"
        assert adjourned["status"] == "adjourned"
        assert adjourned["adjourned_to_id"] == resumed["id"]
        assert resumed["adjourned_from_id"] == meeting["id"]
        assert resumed["status"] == "scheduled"
        assert resumed["title"] == f"{meeting['title']} (resumed)"
        assert resumed["location"] == "Town Hall"
        reason = "Four voting members present after thirty minutes"
        assert adjourned["adjournment_reason"] == resumed["adjournment_reason"] == reason
        listed = ok(client.get(f"{API}/meetings", params={"partnership_id": group.id}))
        assert resumed["id"] in {m["id"] for m in listed["items"]}
        assert emitted == [
            meeting_events.MeetingScheduled(meeting_id=resumed["id"]),
            meeting_events.MeetingAdjourned(
                meeting_id=meeting["id"], resumed_meeting_id=resumed["id"]
            ),
        ]

    def test_a_quorate_meeting_is_not_adjourned(self, client: TestClient, group: Group) -> None:
        meeting = make_meeting(client, group, days_ago=1)
        seat(client, meeting["id"], group.voting()[:5])
        assert problem_type(adjourn(client, meeting["id"]), 409) == "/problems/meeting-quorate"

    def test_not_before_the_meeting_starts(self, client: TestClient, group: Group) -> None:
        meeting = make_meeting(client, group, days_ago=-3)
        assert problem_type(adjourn(client, meeting["id"]), 409) == "/problems/meeting-not-started"

    def test_the_resumed_meeting_starts_later(self, client: TestClient, group: Group) -> None:
        meeting = make_meeting(client, group, days_ago=2)
        r = adjourn(client, meeting["id"], days_ahead=-5)
        assert error_locs(r) == [["body", "starts_at"]]
        assert ok(client.get(f"{API}/meetings/{meeting['id']}"))["status"] == "scheduled"

    def test_only_once(self, client: TestClient, group: Group) -> None:
        meeting = make_meeting(client, group, days_ago=1)
        ok(adjourn(client, meeting["id"]), 201)
        assert problem_type(adjourn(client, meeting["id"]), 409) == "/problems/invalid-transition"

    def test_members_do_not_adjourn(self, as_role: Any, client: TestClient) -> None:
        meeting = ok(client.get(f"{API}/meetings", params={"limit": 1, "status": "scheduled"}))
        member = as_role("member")
        for item in meeting["items"]:
            r = adjourn(member, item["id"])
            assert r.status_code in (403, 404)


class TestSubstitutionLimit:
    """More than three substitutes in twelve months ends the membership (handbook)."""

    def _meetings(self, client: TestClient, group: Group, *days_ago: int) -> list[dict[str, Any]]:
        return [make_meeting(client, group, days_ago=d) for d in days_ago]

    def _limits(self, client: TestClient, meeting_id: int) -> dict[int, dict[str, Any]]:
        rows = client.get(f"{API}/meetings/{meeting_id}/substitution-limits")
        assert rows.status_code == 200, rows.text
        return {r["membership_id"]: r for r in rows.json()}

    def test_the_fourth_ends_the_membership_the_third_does_not(
        self, client: TestClient, group: Group
    ) -> None:
        member = group.voting()[0]
        meetings = self._meetings(client, group, 300, 200, 100, 10)
        for n, meeting in enumerate(meetings[:3]):
            preview = self._limits(client, meeting["id"])[member["id"]]
            assert preview == {
                "membership_id": member["id"],
                "substitutions": n,
                "limit": 3,
                "ends_membership": False,
            }
            r = attend(client, meeting["id"], member["id"], "substitute", group.outsider_id)
            assert ok(r, 201)["ended_membership"] is False
        third = ok(client.get(f"{API}/memberships/{member['id']}"))
        assert third["ended_on"] is None and third["end_reason"] is None

        fourth = meetings[3]
        preview = self._limits(client, fourth["id"])[member["id"]]
        assert preview["substitutions"] == 3 and preview["ends_membership"] is True
        r = attend(client, fourth["id"], member["id"], "substitute", group.outsider_id)
        assert ok(r, 201)["ended_membership"] is True
        ended = ok(client.get(f"{API}/memberships/{member['id']}"))
        assert ended["end_reason"] == "substitution_limit"
        assert ended["ended_on"] == (clock.today() - timedelta(days=10)).isoformat()
        audit = ok(
            client.get(
                f"{API}/audit-events",
                params={"resource": "membership", "resource_id": str(member["id"])},
            )
        )
        assert "end_at_substitution_limit" in {e["action"] for e in audit["items"]}
        # the substitute still sat at the fourth meeting: it counts towards its quorum
        assert ok(client.get(f"{API}/meetings/{fourth['id']}"))["quorum"]["present_voting"] == 1

    def test_older_and_cancelled_meetings_do_not_count(
        self, client: TestClient, group: Group
    ) -> None:
        member = group.voting()[1]
        old, a, b, soon = self._meetings(client, group, 400, 150, 60, 5)
        for meeting in (old, a, b):
            ok(attend(client, meeting["id"], member["id"], "substitute", group.outsider_id), 201)
        cancelled = make_meeting(client, group, days_ago=30)
        ok(attend(client, cancelled["id"], member["id"], "substitute", group.outsider_id), 201)
        ok(
            client.patch(
                f"{API}/meetings/{cancelled['id']}",
                json={"status": "cancelled", "cancellation_reason": "No quorum expected"},
            )
        )
        # a, b and the cancelled meeting in the year to "soon": two count
        assert self._limits(client, soon["id"])[member["id"]]["substitutions"] == 2
        r = attend(client, soon["id"], member["id"], "substitute", group.outsider_id)
        assert ok(r, 201)["ended_membership"] is False

    def test_resaving_the_same_substitute_does_not_count_twice(
        self, client: TestClient, group: Group
    ) -> None:
        member = group.voting()[2]
        meetings = self._meetings(client, group, 90, 60, 30)
        for meeting in meetings:
            ok(attend(client, meeting["id"], member["id"], "substitute", group.outsider_id), 201)
        r = attend(client, meetings[-1]["id"], member["id"], "substitute", group.outsider_id)
        assert ok(r)["ended_membership"] is False
        assert self._limits(client, meetings[-1]["id"])[member["id"]]["ends_membership"] is False

    def test_an_officer_reinstates_with_a_reason(
        self, client: TestClient, group: Group, as_role: Any
    ) -> None:
        member = group.voting()[0]
        for meeting in self._meetings(client, group, 200, 150, 100, 50):
            ok(attend(client, meeting["id"], member["id"], "substitute", group.outsider_id), 201)
        url = f"{API}/memberships/{member['id']}/reinstatement"
        assert error_locs(client.post(url, json={"reason": ""})) == [["body", "reason"]]
        assert as_role("member").post(url, json={"reason": "Please"}).status_code in (403, 404)
        reinstated = ok(client.post(url, json={"reason": "Illness, agreed by the chair"}))
        assert reinstated["ended_on"] is None and reinstated["end_reason"] is None
        audit = ok(
            client.get(
                f"{API}/audit-events",
                params={"resource": "membership", "action": "reinstate"},
            )
        )
        event = next(e for e in audit["items"] if e["resource_id"] == str(member["id"]))
        assert event["after"]["reinstatement_reason"] == "Illness, agreed by the chair"
        again = client.post(url, json={"reason": "Again"})
        assert problem_type(again, 409) == "/problems/not-ended-by-substitution-limit"

    def test_a_substitute_from_another_organisation_is_refused(
        self, client: TestClient, group: Group
    ) -> None:
        meeting = make_meeting(client, group)
        other_org = ok(
            client.post(f"{API}/organisations", json={"name": "Elsewhere", "sector": "business"}),
            201,
        )
        stranger = make_person(client, other_org["id"])
        r = attend(client, meeting["id"], group.voting()[0]["id"], "substitute", stranger["id"])
        assert error_locs(r) == [["body", "substitute_person_id"]]
        assert ok(client.get(f"{API}/meetings/{meeting['id']}/attendance"))["total"] == 0


def plan_for(client: TestClient, group: Group) -> tuple[int, int]:
    """An action plan of the group and an outcome to hang actions on."""
    strategy = ok(client.post(f"{API}/strategies", json={"title": "Test strategy"}), 201)
    outcome = ok(
        client.post(
            f"{API}/outcomes",
            json={"strategy_id": strategy["id"], "code": "T.1", "title": "Test outcome"},
        ),
        201,
    )
    plan = ok(
        client.post(f"{API}/action-plans", json={"partnership_id": group.id, "title": "Plan"}),
        201,
    )
    return plan["id"], outcome["id"]


class TestDecisionFollowUps:
    def test_not_before_the_start(self, client: TestClient, group: Group) -> None:
        meeting = make_meeting(client, group, days_ago=-1)
        r = client.post(f"{API}/meetings/{meeting['id']}/decisions", json={"text": "Early"})
        assert problem_type(r, 409) == "/problems/meeting-not-started"

    def test_a_carried_decision_adds_an_action_and_tasks_to_the_plan(
        self, client: TestClient, group: Group
    ) -> None:
        plan_id, outcome_id = plan_for(client, group)
        meeting = make_meeting(client, group)
        seat(client, meeting["id"], group.voting()[:5])
        deadline = (clock.today() + timedelta(days=60)).isoformat()
        body = {
            "text": "To run a volunteering fair.",
            "method": "simple_majority",
            "votes_for": 4,
            "votes_against": 1,
            "actions": [
                {
                    "outcome_id": outcome_id,
                    "title": "Volunteering fair",
                    "tasks": [
                        {
                            "title": "Book the venue",
                            "lead_organisation_id": group.organisation_id,
                            "deadline": deadline,
                        },
                        {"title": "Invite partners"},
                    ],
                }
            ],
        }
        decision = ok(client.post(f"{API}/meetings/{meeting['id']}/decisions", json=body), 201)
        assert decision["result"] == "carried"
        [action_id] = decision["action_ids"]
        assert len(decision["task_ids"]) == 2
        action = ok(client.get(f"{API}/actions/{action_id}"))
        assert action["action_plan_id"] == plan_id and action["ref"] == "1"
        assert action["decision_id"] == decision["id"]
        tasks = ok(client.get(f"{API}/tasks", params={"partnership_id": group.id}))["items"]
        assert {(t["ref"], t["title"]) for t in tasks} == {
            ("a", "Book the venue"),
            ("b", "Invite partners"),
        }
        venue = next(t for t in tasks if t["ref"] == "a")
        assert venue["lead_organisation_id"] == group.organisation_id
        assert venue["deadline"] == deadline

    def test_a_lost_decision_adds_nothing(self, client: TestClient, group: Group) -> None:
        _, outcome_id = plan_for(client, group)
        meeting = make_meeting(client, group)
        seat(client, meeting["id"], group.voting()[:5])
        body = {
            "text": "To close the office.",
            "method": "simple_majority",
            "votes_for": 1,
            "votes_against": 4,
            "actions": [{"outcome_id": outcome_id, "title": "Close", "tasks": [{"title": "Pack"}]}],
        }
        decision = ok(client.post(f"{API}/meetings/{meeting['id']}/decisions", json=body), 201)
        assert decision["result"] == "lost"
        assert decision["action_ids"] == [] and decision["task_ids"] == []

    def test_an_unknown_lead_organisation_is_named(self, client: TestClient, group: Group) -> None:
        _, outcome_id = plan_for(client, group)
        meeting = make_meeting(client, group)
        seat(client, meeting["id"], group.voting()[:5])
        body = {
            "text": "To act.",
            "actions": [
                {
                    "outcome_id": outcome_id,
                    "title": "Act",
                    "tasks": [{"title": "Do", "lead_organisation_id": 999_999}],
                }
            ],
        }
        r = client.post(f"{API}/meetings/{meeting['id']}/decisions", json=body)
        assert error_locs(r) == [["body", "actions", 0, "tasks", 0, "lead_organisation_id"]]
        assert ok(client.get(f"{API}/meetings/{meeting['id']}/decisions"))["total"] == 0


class TestMinutes:
    @pytest.fixture
    def held(self, client: TestClient, group: Group) -> dict[str, Any]:
        meeting = make_meeting(client, group, days_ago=40)
        for title in ("Apologies", "Performance report"):
            item = {"meeting_id": meeting["id"], "title": title}
            ok(client.post(f"{API}/agenda-items", json=item), 201)
        seat(client, meeting["id"], group.voting()[:5])
        return meeting

    def _items(self, client: TestClient, meeting_id: int) -> list[dict[str, Any]]:
        return ok(client.get(f"{API}/meetings/{meeting_id}/minutes"))["items"]

    def _write(
        self, client: TestClient, meeting_id: int, item_id: int, text: str, version: int
    ) -> Any:
        return client.put(
            f"{API}/meetings/{meeting_id}/minutes/{item_id}",
            json={"text": text},
            headers={"If-Match": f'"{version}"'},
        )

    def test_minutes_per_item_with_decisions_inline(
        self, client: TestClient, held: dict[str, Any]
    ) -> None:
        first, second = self._items(client, held["id"])
        assert first["minute"] is None and first["title"] == "Apologies"
        decision = {"text": "To note the report.", "agenda_item_id": second["agenda_item_id"]}
        ok(client.post(f"{API}/meetings/{held['id']}/decisions", json=decision), 201)
        r = self._write(client, held["id"], second["agenda_item_id"], "The report was noted.", 0)
        written = ok(r, 201)
        assert r.headers["etag"] == f'"{written["version"]}"'
        first, second = self._items(client, held["id"])
        assert second["minute"]["text"] == "The report was noted."
        assert [d["text"] for d in second["decisions"]] == ["To note the report."]
        assert first["decisions"] == []

    def test_a_stale_draft_is_412_and_keeps_the_saved_text(
        self, client: TestClient, held: dict[str, Any]
    ) -> None:
        item_id = self._items(client, held["id"])[0]["agenda_item_id"]
        v1 = ok(self._write(client, held["id"], item_id, "Apologies from two.", 0), 201)
        v2 = ok(self._write(client, held["id"], item_id, "Apologies from three.", v1["version"]))
        assert v2["version"] == v1["version"] + 1
        stale = self._write(client, held["id"], item_id, "Apologies from one.", v1["version"])
        assert problem_type(stale, 412) == "/problems/precondition-failed"
        assert stale.json()["current_version"] == v2["version"]
        again = self._write(client, held["id"], item_id, "Someone else's first draft.", 0)
        assert problem_type(again, 412) == "/problems/precondition-failed"
        assert self._items(client, held["id"])[0]["minute"]["text"] == "Apologies from three."

    def test_approved_at_a_later_quorate_meeting_then_read_only(
        self, client: TestClient, group: Group, held: dict[str, Any], emitted: list[object]
    ) -> None:
        item_id = self._items(client, held["id"])[0]["agenda_item_id"]
        ok(self._write(client, held["id"], item_id, "Apologies from two.", 0), 201)
        later = make_meeting(client, group, days_ago=2)
        minutes_item = ok(
            client.post(
                f"{API}/agenda-items",
                json={"meeting_id": later["id"], "title": "Minutes of the last meeting"},
            ),
            201,
        )
        approve = {"approved_by_meeting_id": later["id"], "agenda_item_id": minutes_item["id"]}
        url = f"{API}/meetings/{held['id']}/minutes-approval"
        assert problem_type(client.post(url, json=approve), 409) == "/problems/inquorate"
        seat(client, later["id"], group.voting()[:5])
        emitted.clear()
        approved = ok(client.post(url, json=approve))
        assert approved["minutes_approved_by_meeting_id"] == later["id"]
        assert emitted == [meeting_events.MinutesApproved(meeting_id=held["id"])]
        [decision] = ok(client.get(f"{API}/meetings/{later['id']}/decisions"))["items"]
        assert decision["approves_minutes_of_id"] == held["id"]
        assert decision["agenda_item_id"] == minutes_item["id"]
        assert decision["result"] == "carried"
        assert "agreed as a true record" in decision["text"]
        minutes = ok(client.get(f"{API}/meetings/{held['id']}/minutes"))
        assert minutes["approved"] is True
        edit = self._write(client, held["id"], item_id, "Rewritten.", 1)
        assert problem_type(edit, 409) == "/problems/minutes-approved"
        patch = client.patch(f"{API}/meetings/{held['id']}", json={"minutes": "Rewritten."})
        assert problem_type(patch, 409) == "/problems/minutes-approved"
        assert self._items(client, held["id"])[0]["minute"]["text"] == "Apologies from two."

    def test_no_minutes_nothing_to_approve(
        self, client: TestClient, group: Group, held: dict[str, Any]
    ) -> None:
        later = make_meeting(client, group, days_ago=2)
        seat(client, later["id"], group.voting()[:5])
        r = client.post(
            f"{API}/meetings/{held['id']}/minutes-approval",
            json={"approved_by_meeting_id": later["id"]},
        )
        assert problem_type(r, 409) == "/problems/no-minutes"

    def test_members_read_but_do_not_write(self, as_role: Any, client: TestClient) -> None:
        member = as_role("member")
        meetings = ok(member.get(f"{API}/meetings", params={"limit": 1}))["items"]
        meeting_id = meetings[0]["id"]
        minutes = ok(member.get(f"{API}/meetings/{meeting_id}/minutes"))
        for item in minutes["items"]:
            r = member.put(
                f"{API}/meetings/{meeting_id}/minutes/{item['agenda_item_id']}",
                json={"text": "Mine"},
            )
            assert r.status_code == 403
