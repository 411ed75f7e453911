"""Meetings under the terms of reference: quorum, status, agenda, attendance, minutes and
decisions (DESIGN §3), through HTTP on fresh partnerships and the demo data."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, select, text

from api.auth.models import User
from api.core import clock
from api.core.db import SessionLocal
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


def motion(**extra: Any) -> dict[str, Any]:
    return {"text": "To adopt the revised action plan.", "method": "simple_majority", **extra}


@pytest.fixture
def group(client: TestClient) -> Group:
    """Six voting members and one non-voting officer; quorum 5."""
    return make_group(client)


def quorum(client: TestClient, meeting_id: int) -> dict[str, Any]:
    return ok(client.get(f"{API}/meetings/{meeting_id}"))["quorum"]


class TestQuorum:
    def test_four_present_is_inquorate_five_is_quorate(
        self, client: TestClient, group: Group
    ) -> None:
        meeting = make_meeting(client, group)
        seat(client, meeting["id"], group.voting()[:4])
        assert quorum(client, meeting["id"]) == {
            "required": 5,
            "present_voting": 4,
            "quorate": False,
        }
        seat(client, meeting["id"], group.voting()[4:5])
        assert quorum(client, meeting["id"]) == {
            "required": 5,
            "present_voting": 5,
            "quorate": True,
        }

    def test_non_voting_members_do_not_count(self, client: TestClient, group: Group) -> None:
        meeting = make_meeting(client, group)
        seat(client, meeting["id"], group.voting()[:4] + group.non_voting())
        assert quorum(client, meeting["id"])["present_voting"] == 4

    def test_a_voting_substitute_counts_apologies_do_not(
        self, client: TestClient, group: Group
    ) -> None:
        meeting = make_meeting(client, group)
        seat(client, meeting["id"], group.voting()[:4])
        ok(attend(client, meeting["id"], group.voting()[5]["id"], "apologies"), 201)
        assert quorum(client, meeting["id"])["present_voting"] == 4
        sub = attend(
            client, meeting["id"], group.voting()[4]["id"], "substitute", group.outsider_id
        )
        ok(sub, 201)
        assert quorum(client, meeting["id"]) == {
            "required": 5,
            "present_voting": 5,
            "quorate": True,
        }

    def test_quorum_follows_the_terms_of_reference(self, client: TestClient) -> None:
        small = make_group(client, voting=3, quorum=3)
        meeting = make_meeting(client, small)
        seat(client, meeting["id"], small.voting())
        assert quorum(client, meeting["id"]) == {
            "required": 3,
            "present_voting": 3,
            "quorate": True,
        }

    def test_list_computes_quorum_in_one_query_per_page(
        self, client: TestClient, query_counter: list[str]
    ) -> None:
        ok(client.get(f"{API}/meetings", params={"limit": 5}))
        few = len(query_counter)
        query_counter.clear()
        page = ok(client.get(f"{API}/meetings", params={"limit": 200}))
        assert len(page["items"]) > 20
        assert len(query_counter) == few
        assert all(
            set(m["quorum"]) == {"required", "present_voting", "quorate"} for m in page["items"]
        )


class TestStatus:
    def test_scheduled_to_held(self, client: TestClient, group: Group) -> None:
        meeting = make_meeting(client, group)
        r = client.patch(f"{API}/meetings/{meeting['id']}", json={"status": "held"})
        assert ok(r)["status"] == "held"

    def test_held_meetings_do_not_change_status(self, client: TestClient, group: Group) -> None:
        meeting = held_meeting(client, group, 5)
        r = client.patch(f"{API}/meetings/{meeting['id']}", json={"status": "cancelled"})
        assert r.status_code == 409
        assert r.json()["type"] == "/problems/invalid-transition"

    def test_a_future_meeting_cannot_be_held(self, client: TestClient, group: Group) -> None:
        meeting = make_meeting(client, group, days_ago=-7)
        r = client.patch(f"{API}/meetings/{meeting['id']}", json={"status": "held"})
        assert r.status_code == 409
        assert r.json()["type"] == "/problems/meeting-in-future"

    def test_adjourned_names_a_later_meeting_of_the_partnership(
        self, client: TestClient, group: Group
    ) -> None:
        meeting = make_meeting(client, group, days_ago=3)
        later = make_meeting(client, group, days_ago=-11)
        url = f"{API}/meetings/{meeting['id']}"
        r = client.patch(url, json={"status": "adjourned"})
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "adjourned_to_id"]
        other = make_meeting(client, make_group(client, voting=1, non_voting=0), days_ago=-11)
        r = client.patch(url, json={"status": "adjourned", "adjourned_to_id": other["id"]})
        assert r.status_code == 422
        r = client.patch(url, json={"status": "adjourned", "adjourned_to_id": later["id"]})
        assert ok(r)["adjourned_to_id"] == later["id"]

    def test_cancelled_can_be_reinstated(self, client: TestClient, group: Group) -> None:
        meeting = make_meeting(client, group, days_ago=-5)
        url = f"{API}/meetings/{meeting['id']}"
        cancel = {"status": "cancelled", "cancellation_reason": "The venue is closed"}
        assert ok(client.patch(url, json=cancel))["status"] == "cancelled"
        assert ok(client.patch(url, json={"status": "scheduled"}))["status"] == "scheduled"

    def test_no_attendance_at_a_cancelled_meeting(self, client: TestClient, group: Group) -> None:
        meeting = make_meeting(client, group, status="cancelled", days_ago=-5)
        r = attend(client, meeting["id"], group.voting()[0]["id"])
        assert r.status_code == 409
        assert r.json()["type"] == "/problems/meeting-cancelled"


class TestMinutes:
    def test_approved_at_a_later_quorate_meeting_then_frozen(
        self, client: TestClient, group: Group
    ) -> None:
        first = held_meeting(client, group, 5, days_ago=60)
        ok(client.patch(f"{API}/meetings/{first['id']}", json={"minutes": "# Minutes\nAgreed."}))
        inquorate = held_meeting(client, group, 4, days_ago=30)
        url = f"{API}/meetings/{first['id']}/minutes-approval"
        r = client.post(url, json={"approved_by_meeting_id": inquorate["id"]})
        assert r.status_code == 409 and r.json()["type"] == "/problems/inquorate"
        later = held_meeting(client, group, 5, days_ago=20)
        approved = ok(client.post(url, json={"approved_by_meeting_id": later["id"]}))
        assert approved["minutes_approved_by_meeting_id"] == later["id"]
        assert approved["minutes_approved_at"] is not None
        r = client.patch(f"{API}/meetings/{first['id']}", json={"minutes": "Rewritten"})
        assert r.status_code == 409 and r.json()["type"] == "/problems/minutes-approved"

    def test_an_earlier_meeting_cannot_approve(self, client: TestClient, group: Group) -> None:
        earlier = held_meeting(client, group, 5, days_ago=60)
        meeting = held_meeting(client, group, 5, days_ago=30)
        ok(client.patch(f"{API}/meetings/{meeting['id']}", json={"minutes": "Agreed."}))
        r = client.post(
            f"{API}/meetings/{meeting['id']}/minutes-approval",
            json={"approved_by_meeting_id": earlier["id"]},
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "approved_by_meeting_id"]

    def test_minutes_approval_is_not_a_plain_field(self, client: TestClient, group: Group) -> None:
        meeting = make_meeting(client, group)
        r = client.patch(
            f"{API}/meetings/{meeting['id']}", json={"minutes_approved_at": "2026-01-01T00:00:00Z"}
        )
        assert r.status_code == 422


class TestAgenda:
    def _items(self, client: TestClient, meeting_id: int) -> list[dict[str, Any]]:
        return ok(client.get(f"{API}/meetings/{meeting_id}/agenda-items"))["items"]

    def test_items_append_and_reorder(self, client: TestClient, group: Group) -> None:
        meeting = make_meeting(client, group)
        ids = []
        for title in ("Apologies", "Minutes", "Performance report"):
            item = ok(
                client.post(
                    f"{API}/agenda-items", json={"meeting_id": meeting["id"], "title": title}
                ),
                201,
            )
            ids.append(item["id"])
        assert [i["position"] for i in self._items(client, meeting["id"])] == [1, 2, 3]
        new_order = [ids[2], ids[0], ids[1]]
        r = client.post(
            f"{API}/meetings/{meeting['id']}/agenda-items/reorder", json={"item_ids": new_order}
        )
        assert [i["id"] for i in ok(r)] == new_order
        listed = self._items(client, meeting["id"])
        assert [i["id"] for i in listed] == new_order
        assert [i["position"] for i in listed] == [1, 2, 3]

    def test_reorder_must_list_every_item_once(self, client: TestClient, group: Group) -> None:
        meeting = make_meeting(client, group)
        ids = [
            ok(
                client.post(f"{API}/agenda-items", json={"meeting_id": meeting["id"], "title": t}),
                201,
            )["id"]
            for t in ("A", "B")
        ]
        url = f"{API}/meetings/{meeting['id']}/agenda-items/reorder"
        for bad in ([ids[0]], [ids[0], ids[0]], [*ids, 999_999]):
            r = client.post(url, json={"item_ids": bad})
            assert r.status_code == 422
            assert r.json()["errors"][0]["loc"] == ["body", "item_ids"]


class TestAttendance:
    def test_register_lists_role_and_vote(self, client: TestClient, group: Group) -> None:
        meeting = make_meeting(client, group)
        seat(client, meeting["id"], group.voting()[:2] + group.non_voting())
        items = ok(client.get(f"{API}/meetings/{meeting['id']}/attendance"))["items"]
        assert [(i["membership_id"], i["voting"]) for i in items] == [
            (m["id"], m["voting"]) for m in group.voting()[:2] + group.non_voting()
        ]

    def test_put_replaces_and_keeps_one_row(self, client: TestClient, group: Group) -> None:
        meeting = make_meeting(client, group)
        member = group.voting()[0]["id"]
        ok(attend(client, meeting["id"], member, "present"), 201)
        r = ok(attend(client, meeting["id"], member, "apologies"), 200)
        assert r["status"] == "apologies" and r["version"] == 2
        assert ok(client.get(f"{API}/meetings/{meeting['id']}/attendance"))["total"] == 1

    def test_substitute_rules(self, client: TestClient, group: Group) -> None:
        meeting = make_meeting(client, group)
        member = group.voting()[0]
        r = attend(client, meeting["id"], member["id"], "substitute")
        assert r.json()["errors"][0]["loc"] == ["body", "substitute_person_id"]
        r = attend(client, meeting["id"], member["id"], "substitute", member["person_id"])
        assert r.status_code == 422
        fellow = group.voting()[1]["person_id"]
        r = attend(client, meeting["id"], member["id"], "substitute", fellow)
        assert r.status_code == 422
        r = attend(client, meeting["id"], member["id"], "present", group.outsider_id)
        assert r.status_code == 422

    def test_a_substitute_works_for_the_organisation_the_member_represents(
        self, client: TestClient, group: Group
    ) -> None:
        meeting = make_meeting(client, group)
        member = group.voting()[0]
        elsewhere = make_person(client)["id"]  # employed by no organisation
        other = make_group(client, voting=1, non_voting=0).outsider_id  # another organisation
        for stand_in in (elsewhere, other):
            r = attend(client, meeting["id"], member["id"], "substitute", stand_in)
            assert r.status_code == 422, r.text
            assert r.json()["errors"][0]["loc"] == ["body", "substitute_person_id"]
        ok(attend(client, meeting["id"], member["id"], "substitute", group.outsider_id), 201)

    def test_without_on_behalf_of_the_members_employer_counts(
        self, client: TestClient, group: Group
    ) -> None:
        employer = ok(
            client.post(f"{API}/organisations", json={"name": "Own", "sector": "other"}), 201
        )
        member = make_person(client, employer["id"])
        membership = ok(
            client.post(
                f"{API}/memberships",
                json={
                    "person_id": member["id"],
                    "partnership_id": group.id,
                    "started_on": "2025-01-01",
                },
            ),
            201,
        )
        meeting = make_meeting(client, group)
        wrong = attend(client, meeting["id"], membership["id"], "substitute", group.outsider_id)
        assert wrong.status_code == 422
        colleague = make_person(client, employer["id"])["id"]
        ok(attend(client, meeting["id"], membership["id"], "substitute", colleague), 201)

    def test_the_demos_substitutes_work_for_the_organisation_represented(
        self, db: Connection
    ) -> None:
        rows = db.execute(
            text(
                "SELECT m.on_behalf_of_id, p.organisation_id FROM attendance a "
                "JOIN membership m ON m.id = a.membership_id "
                "JOIN person p ON p.id = a.substitute_person_id WHERE a.status = 'substitute'"
            )
        ).all()
        assert len(rows) >= 10
        assert all(represented == employer for represented, employer in rows), rows

    def test_membership_of_another_partnership_is_404(
        self, client: TestClient, group: Group
    ) -> None:
        meeting = make_meeting(client, group)
        other = make_group(client, voting=1, non_voting=0)
        assert attend(client, meeting["id"], other.members[0]["id"]).status_code == 404

    def test_member_must_have_been_a_member_that_day(self, client: TestClient) -> None:
        late = make_group(client, voting=1, non_voting=0, started_on=clock.today())
        meeting = make_meeting(client, late, days_ago=10)
        r = attend(client, meeting["id"], late.members[0]["id"])
        assert r.status_code == 409 and r.json()["type"] == "/problems/membership-not-open"


def _member_context(client: TestClient) -> tuple[int, dict[str, Any]]:
    """The demo member's membership and an upcoming meeting of that partnership."""
    with SessionLocal() as session:
        person_id = session.scalars(
            select(User.person_id).where(User.email == "member@example.org")
        ).one()
    membership = ok(
        client.get(f"{API}/memberships", params={"person_id": person_id, "current": True})
    )["items"][0]
    upcoming = ok(
        client.get(
            f"{API}/meetings",
            params={
                "partnership_id": membership["partnership_id"],
                "status": "scheduled",
                "starts_at_after": f"{clock.today().isoformat()}T23:59:59Z",
            },
        )
    )["items"][0]
    return membership["id"], upcoming


class TestMembersOwnApologies:
    def test_member_sends_apologies_and_nominates_a_substitute(
        self, client: TestClient, as_role: Any
    ) -> None:
        membership_id, meeting = _member_context(client)
        member = as_role("member")
        url = f"{API}/meetings/{meeting['id']}/attendance/{membership_id}"
        assert ok(member.put(url, json={"status": "apologies"}), 201)["status"] == "apologies"
        represented = ok(client.get(f"{API}/memberships/{membership_id}"))["on_behalf_of_id"]
        stand_in = make_person(client, represented)["id"]
        r = member.put(url, json={"status": "substitute", "substitute_person_id": stand_in})
        assert ok(r)["substitute_person_id"] == stand_in

    def test_member_may_not_name_someone_of_another_organisation(
        self, client: TestClient, as_role: Any
    ) -> None:
        """Issue 14: a member named a person of another organisation as their substitute."""
        membership_id, meeting = _member_context(client)
        other = ok(
            client.post(f"{API}/organisations", json={"name": "Other", "sector": "other"}), 201
        )
        stand_in = make_person(client, other["id"])["id"]
        url = f"{API}/meetings/{meeting['id']}/attendance/{membership_id}"
        r = as_role("member").put(
            url, json={"status": "substitute", "substitute_person_id": stand_in}
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "substitute_person_id"]
        listed = ok(client.get(f"{API}/meetings/{meeting['id']}/attendance", params={"limit": 500}))
        assert membership_id not in [a["membership_id"] for a in listed["items"]]

    def test_member_cannot_mark_themselves_present(self, client: TestClient, as_role: Any) -> None:
        membership_id, meeting = _member_context(client)
        url = f"{API}/meetings/{meeting['id']}/attendance/{membership_id}"
        assert as_role("member").put(url, json={"status": "present"}).status_code == 403

    def test_member_cannot_record_for_someone_else(self, client: TestClient, as_role: Any) -> None:
        membership_id, meeting = _member_context(client)
        others = ok(
            client.get(
                f"{API}/memberships",
                params={"partnership_id": meeting["partnership_id"], "current": True},
            )
        )["items"]
        other = next(m for m in others if m["id"] != membership_id)
        url = f"{API}/meetings/{meeting['id']}/attendance/{other['id']}"
        assert as_role("member").put(url, json={"status": "apologies"}).status_code == 403

    def test_officer_of_the_partnership_records_attendance(
        self, client: TestClient, as_role: Any
    ) -> None:
        membership_id, meeting = _member_context(client)
        url = f"{API}/meetings/{meeting['id']}/attendance/{membership_id}"
        assert as_role("officer").put(url, json={"status": "absent"}).status_code == 201


class TestDecisionResult:
    @pytest.fixture
    def quorate(self, client: TestClient, group: Group) -> dict[str, Any]:
        return held_meeting(client, group, 6)

    def decide(self, client: TestClient, meeting: dict[str, Any], **body: Any) -> Any:
        return client.post(f"{API}/meetings/{meeting['id']}/decisions", json=motion(**body))

    def test_not_before_the_meeting_starts(self, client: TestClient, group: Group) -> None:
        """Issue 14: a decision was recorded on a meeting still scheduled weeks ahead."""
        ahead = make_meeting(client, group, days_ago=-21)
        seat(client, ahead["id"], group.voting())
        r = self.decide(client, ahead, votes_for=6)
        assert r.status_code == 409
        problem = r.json()
        assert problem["type"] == "/problems/meeting-not-started"
        assert datetime.fromisoformat(problem["starts_at"]) == datetime.fromisoformat(
            ahead["starts_at"]
        )
        assert ok(client.get(f"{API}/meetings/{ahead['id']}/decisions"))["total"] == 0

    def test_nothing_carries_at_an_inquorate_meeting(
        self, client: TestClient, group: Group
    ) -> None:
        inquorate = held_meeting(client, group, 4)
        r = self.decide(client, inquorate, votes_for=4)
        assert r.status_code == 409
        problem = r.json()
        assert problem["type"] == "/problems/inquorate"
        assert problem["quorum"] == {"required": 5, "present_voting": 4, "quorate": False}
        assert "quorum of 5" in problem["detail"]

    def test_simple_majority(self, client: TestClient, quorate: dict[str, Any]) -> None:
        assert (
            ok(self.decide(client, quorate, votes_for=3, votes_against=2), 201)["result"]
            == "carried"
        )
        assert (
            ok(self.decide(client, quorate, votes_for=2, votes_against=3), 201)["result"] == "lost"
        )

    def test_abstentions_do_not_count(self, client: TestClient, quorate: dict[str, Any]) -> None:
        r = self.decide(client, quorate, votes_for=2, votes_against=1, votes_abstain=3)
        assert ok(r, 201)["result"] == "carried"

    def test_tie_without_casting_vote_falls(
        self, client: TestClient, quorate: dict[str, Any]
    ) -> None:
        assert (
            ok(self.decide(client, quorate, votes_for=3, votes_against=3), 201)["result"] == "lost"
        )

    @pytest.mark.parametrize(("casting", "result"), [("for", "carried"), ("against", "lost")])
    def test_tie_with_casting_vote(
        self, client: TestClient, quorate: dict[str, Any], casting: str, result: str
    ) -> None:
        r = self.decide(client, quorate, votes_for=3, votes_against=3, chair_casting_vote=casting)
        assert ok(r, 201)["result"] == result

    def test_casting_vote_only_on_a_tie(self, client: TestClient, quorate: dict[str, Any]) -> None:
        r = self.decide(client, quorate, votes_for=4, votes_against=2, chair_casting_vote="for")
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "chair_casting_vote"]

    def test_consensus_carries_without_dissent(
        self, client: TestClient, quorate: dict[str, Any]
    ) -> None:
        assert ok(self.decide(client, quorate, method="consensus"), 201)["result"] == "carried"
        r = self.decide(client, quorate, method="consensus", votes_against=1)
        assert r.status_code == 422

    @pytest.mark.parametrize(
        ("votes_for", "votes_against", "result"),
        [(4, 2, "carried"), (3, 2, "lost"), (2, 1, "carried"), (0, 0, "lost")],
    )
    def test_two_thirds_exactly_carries(
        self,
        client: TestClient,
        quorate: dict[str, Any],
        votes_for: int,
        votes_against: int,
        result: str,
    ) -> None:
        r = self.decide(
            client, quorate, method="two_thirds", votes_for=votes_for, votes_against=votes_against
        )
        assert ok(r, 201)["result"] == result

    def test_more_votes_than_voters_is_refused(
        self, client: TestClient, quorate: dict[str, Any]
    ) -> None:
        r = self.decide(client, quorate, votes_for=5, votes_against=2)
        assert r.status_code == 422

    def test_result_cannot_be_sent(self, client: TestClient, quorate: dict[str, Any]) -> None:
        r = self.decide(client, quorate, votes_for=1, votes_against=5, result="carried")
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "result"]

    def test_cancelled_meeting_takes_no_decisions(self, client: TestClient, group: Group) -> None:
        meeting = make_meeting(client, group, status="cancelled")
        r = self.decide(client, meeting, method="consensus")
        assert r.status_code == 409 and r.json()["type"] == "/problems/meeting-not-in-session"


class TestExpulsion:
    def expel(self, client: TestClient, meeting: dict[str, Any], **body: Any) -> Any:
        return client.post(
            f"{API}/meetings/{meeting['id']}/decisions",
            json={"text": "To expel the member.", "method": "two_thirds", **body},
        )

    def test_needs_two_thirds_and_the_member_heard(self, client: TestClient, group: Group) -> None:
        meeting = held_meeting(client, group, 6)
        subject = group.voting()[5]
        r = self.expel(
            client,
            meeting,
            subject_membership_id=subject["id"],
            votes_for=4,
            votes_against=2,
            method="simple_majority",
            member_heard=True,
        )
        assert r.json()["errors"][0]["loc"] == ["body", "method"]
        r = self.expel(
            client, meeting, subject_membership_id=subject["id"], votes_for=4, votes_against=2
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "member_heard"]
        decision = ok(
            self.expel(
                client,
                meeting,
                subject_membership_id=subject["id"],
                votes_for=4,
                votes_against=2,
                member_heard=True,
            ),
            201,
        )
        assert decision["result"] == "carried" and decision["member_heard"] is True
        ended = ok(client.get(f"{API}/memberships/{subject['id']}"))
        assert ended["end_reason"] == "expelled"
        assert ended["ended_on"] == (clock.today() - timedelta(days=10)).isoformat()

    def test_lost_expulsion_keeps_the_member(self, client: TestClient, group: Group) -> None:
        meeting = held_meeting(client, group, 6)
        subject = group.voting()[5]
        decision = ok(
            self.expel(
                client,
                meeting,
                subject_membership_id=subject["id"],
                votes_for=3,
                votes_against=2,
                member_heard=True,
            ),
            201,
        )
        assert decision["result"] == "lost"
        assert ok(client.get(f"{API}/memberships/{subject['id']}"))["ended_on"] is None


class TestDecisionActions:
    def test_a_carried_decision_creates_actions_in_the_plan(self, client: TestClient) -> None:
        plan = ok(client.get(f"{API}/action-plans", params={"limit": 1}))["items"][0]
        outcome = ok(client.get(f"{API}/outcomes", params={"limit": 1}))["items"][0]
        meeting = ok(
            client.get(
                f"{API}/meetings",
                params={"partnership_id": plan["partnership_id"], "status": "held"},
            )
        )["items"]
        quorate = next(m for m in meeting if m["quorum"]["quorate"])
        body = motion(
            method="consensus",
            actions=[{"outcome_id": outcome["id"], "ref": "D1", "title": "Pilot a new hub"}],
        )
        decision = ok(client.post(f"{API}/meetings/{quorate['id']}/decisions", json=body), 201)
        assert len(decision["action_ids"]) == 1
        action = ok(client.get(f"{API}/actions/{decision['action_ids'][0]}"))
        assert action["action_plan_id"] == plan["id"]
        assert action["decision_id"] == decision["id"]
        listed = ok(client.get(f"{API}/meetings/{quorate['id']}/decisions"))["items"]
        assert decision["id"] in [d["id"] for d in listed]
        got = ok(client.get(f"{API}/meetings/{quorate['id']}/decisions/{decision['id']}"))
        assert got["action_ids"] == decision["action_ids"]

    def test_a_lost_decision_creates_none(self, client: TestClient, group: Group) -> None:
        meeting = held_meeting(client, group, 6)
        outcome = ok(client.get(f"{API}/outcomes", params={"limit": 1}))["items"][0]
        body = motion(
            votes_for=1,
            votes_against=4,
            actions=[{"outcome_id": outcome["id"], "ref": "D2", "title": "Never"}],
        )
        assert (
            ok(client.post(f"{API}/meetings/{meeting['id']}/decisions", json=body), 201)[
                "action_ids"
            ]
            == []
        )

    def test_a_plan_of_another_partnership_is_refused(
        self, client: TestClient, group: Group
    ) -> None:
        meeting = held_meeting(client, group, 6)
        plan = ok(client.get(f"{API}/action-plans", params={"limit": 1}))["items"][0]
        outcome = ok(client.get(f"{API}/outcomes", params={"limit": 1}))["items"][0]
        body = motion(
            method="consensus",
            actions=[
                {
                    "action_plan_id": plan["id"],
                    "outcome_id": outcome["id"],
                    "ref": "X",
                    "title": "Elsewhere",
                }
            ],
        )
        r = client.post(f"{API}/meetings/{meeting['id']}/decisions", json=body)
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "actions", 0, "action_plan_id"]


class TestPermissions:
    def _partnership(self, client: TestClient, slug: str) -> int:
        return ok(client.get(f"{API}/partnerships", params={"slug": slug}))["items"][0]["id"]

    def test_officer_manages_only_their_partnerships_meetings(
        self, client: TestClient, as_role: Any
    ) -> None:
        body = {"title": "Extra", "starts_at": "2027-01-10T10:00:00Z"}
        officer = as_role("officer")
        own = self._partnership(client, "safer-communities")
        other = self._partnership(client, "executive")
        assert (
            officer.post(f"{API}/meetings", json={**body, "partnership_id": own}).status_code == 201
        )
        r = officer.post(f"{API}/meetings", json={**body, "partnership_id": other})
        assert r.status_code == 403

    def test_private_meetings_of_other_partnerships_are_not_found(
        self, client: TestClient, as_role: Any
    ) -> None:
        other = self._partnership(client, "executive")
        private = ok(
            client.post(
                f"{API}/meetings",
                json={
                    "partnership_id": other,
                    "title": "Closed",
                    "public": False,
                    "starts_at": "2027-01-10T10:00:00Z",
                },
            ),
            201,
        )
        public = make_meeting(client, Group(id=other, organisation_id=0), days_ago=-3)
        member = as_role("member")
        assert member.get(f"{API}/meetings/{private['id']}").status_code == 404
        assert member.get(f"{API}/meetings/{private['id']}/attendance").status_code == 404
        assert member.get(f"{API}/meetings/{public['id']}").status_code == 200
        listed = ok(member.get(f"{API}/meetings", params={"partnership_id": other, "limit": 500}))
        assert private["id"] not in [m["id"] for m in listed["items"]]

    def test_decisions_are_for_officers(self, client: TestClient, as_role: Any) -> None:
        _, meeting = _member_context(client)
        r = as_role("member").post(
            f"{API}/meetings/{meeting['id']}/decisions", json=motion(method="consensus")
        )
        assert r.status_code == 403
