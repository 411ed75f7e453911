"""Membership rules and terms of reference (DESIGN §3): notice, change of employer, chair
terms, one open membership per partnership; ToR editing and its audit history."""

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.core import clock
from api.core.calendar import add_months
from tests.api.governance_fixtures import API, Group, make_group, make_person, ok

HANDBOOK = {
    "quorum": 5,
    "max_months_between_meetings": 4,
    "min_meetings_per_year": None,
    "attendance_threshold": 0.5,
    "max_substitutions_per_year": 3,
    "chair_term_months": 24,
    "reporting_cycle_months": 2,
    "resignation_notice_months": 1,
    "voluntary_rep_required": True,
}


@pytest.fixture
def group(client: TestClient) -> Group:
    return make_group(client, voting=3, non_voting=0)


def partnership_id(client: TestClient, slug: str) -> int:
    found = ok(client.get(f"{API}/partnerships", params={"slug": slug}))["items"]
    return int(found[0]["id"])


def join(client: TestClient, person_id: int, partnership: int) -> dict[str, Any]:
    body = {"person_id": person_id, "partnership_id": partnership, "started_on": "2025-01-01"}
    return ok(client.post(f"{API}/memberships", json=body), 201)


class TestTermsOfReference:
    def test_defaults_are_the_handbooks(self, client: TestClient) -> None:
        fresh = ok(
            client.post(f"{API}/partnerships", json={"name": "Fresh", "kind": "delivery"}), 201
        )
        terms = ok(client.get(f"{API}/partnerships/{fresh['id']}/terms-of-reference"))
        assert {k: terms[k] for k in HANDBOOK} == HANDBOOK

    def test_put_replaces_and_the_audit_log_keeps_versions(
        self, client: TestClient, group: Group
    ) -> None:
        url = f"{API}/partnerships/{group.id}/terms-of-reference"
        etag = client.get(url).headers["etag"]
        changed = {**HANDBOOK, "quorum": 7, "min_meetings_per_year": 2}
        r = client.put(url, json=changed, headers={"If-Match": etag})
        assert ok(r)["quorum"] == 7
        assert r.headers["etag"] != etag
        assert client.put(url, json=changed, headers={"If-Match": etag}).status_code == 412
        # Absent fields take the handbook default again.
        assert ok(client.put(url, json={"quorum": 6}))["min_meetings_per_year"] is None
        versions = ok(client.get(f"{url}/versions"))
        assert versions[0]["changes"] == {"quorum": [7, 6], "min_meetings_per_year": [2, None]}
        assert versions[1]["changes"] == {"quorum": [5, 7], "min_meetings_per_year": [None, 2]}
        assert versions[1]["action"] == "terms_of_reference"

    def test_values_are_validated(self, client: TestClient, group: Group) -> None:
        url = f"{API}/partnerships/{group.id}/terms-of-reference"
        r = client.put(url, json={"attendance_threshold": 1.5})
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "attendance_threshold"]
        assert client.put(url, json={"quorum": 0}).status_code == 422

    def test_officer_edits_own_partnership_only(self, client: TestClient, as_role: Any) -> None:
        officer = as_role("officer")
        own = ok(client.get(f"{API}/partnerships", params={"slug": "safer-communities"}))["items"][
            0
        ]
        other = ok(client.get(f"{API}/partnerships", params={"slug": "executive"}))["items"][0]
        r = officer.put(f"{API}/partnerships/{own['id']}/terms-of-reference", json={"quorum": 4})
        assert ok(r)["quorum"] == 4
        r = officer.put(f"{API}/partnerships/{other['id']}/terms-of-reference", json={"quorum": 4})
        assert r.status_code in (403, 404)
        assert (
            as_role("member")
            .put(f"{API}/partnerships/{own['id']}/terms-of-reference", json={"quorum": 4})
            .status_code
            == 403
        )


class TestResignation:
    def resign(
        self, client: TestClient, membership_id: int, notice: date, ended: date | None
    ) -> Any:
        body: dict[str, Any] = {"end_reason": "resigned", "notice_given_on": notice.isoformat()}
        if ended is not None:
            body["ended_on"] = ended.isoformat()
        return client.patch(f"{API}/memberships/{membership_id}", json=body)

    def test_takes_effect_a_month_after_notice_at_the_earliest(
        self, client: TestClient, group: Group
    ) -> None:
        member = group.members[0]["id"]
        notice = date(2026, 1, 31)
        r = self.resign(client, member, notice, date(2026, 2, 27))
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "ended_on"]
        assert "2026-02-28" in r.json()["detail"]
        ended = ok(self.resign(client, member, notice, date(2026, 2, 28)))
        assert ended["ended_on"] == "2026-02-28" and ended["end_reason"] == "resigned"

    def test_the_api_states_the_rule_the_refusal_applies(
        self, client: TestClient, group: Group
    ) -> None:
        """The rule shown before saving is the rule that refuses the day before it."""
        member = group.members[0]["id"]
        url = f"{API}/memberships/{member}/resignation"
        terms = ok(client.get(url, params={"notice_given_on": "2026-01-31"}))
        assert terms["notice_months"] == 1
        assert terms["earliest_ended_on"] == "2026-02-28"
        assert terms["rule"] == (
            "A resignation takes effect at least 1 month after notice is given: "
            "on or after 2026-02-28"
        )
        refused = self.resign(client, member, date(2026, 1, 31), date(2026, 2, 27)).json()
        assert refused["errors"][0]["msg"].lower() == terms["rule"].lower()
        today = ok(client.get(url))
        assert today["notice_given_on"] == clock.today().isoformat()
        assert today["earliest_ended_on"] == add_months(clock.today(), 1).isoformat()

    def test_the_rule_follows_the_terms_of_reference(self, client: TestClient) -> None:
        group = make_group(client, voting=1, non_voting=0, resignation_notice_months=3)
        url = f"{API}/memberships/{group.members[0]['id']}/resignation"
        terms = ok(client.get(url, params={"notice_given_on": "2026-01-10"}))
        assert (terms["notice_months"], terms["earliest_ended_on"]) == (3, "2026-04-10")
        assert "3 months" in terms["rule"]

    def test_the_rule_of_a_membership_one_cannot_see_is_404(
        self, client: TestClient, group: Group, as_role: Any
    ) -> None:
        url = f"{API}/memberships/{group.members[0]['id']}/resignation"
        assert as_role("member").get(url).status_code == 404
        r = client.get(url, params={"notice_given_on": "31/01/2026"})
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["query", "notice_given_on"]

    def test_needs_notice_and_an_end_date(self, client: TestClient, group: Group) -> None:
        member = group.members[0]["id"]
        r = client.patch(
            f"{API}/memberships/{member}", json={"end_reason": "resigned", "ended_on": "2026-03-01"}
        )
        assert r.json()["errors"][0]["loc"] == ["body", "notice_given_on"]
        r = self.resign(client, member, date(2026, 1, 1), None)
        assert r.json()["errors"][0]["loc"] == ["body", "ended_on"]

    def test_notice_follows_the_terms_of_reference(self, client: TestClient) -> None:
        group = make_group(client, voting=1, non_voting=0, resignation_notice_months=3)
        member = group.members[0]["id"]
        assert self.resign(client, member, date(2026, 1, 10), date(2026, 4, 9)).status_code == 422
        assert ok(self.resign(client, member, date(2026, 1, 10), date(2026, 4, 10)))

    def test_a_member_may_resign_their_own_membership(
        self, client: TestClient, as_role: Any
    ) -> None:
        me = ok(as_role("member").get(f"{API}/me"))
        mine = ok(
            client.get(f"{API}/memberships", params={"person_id": me["person_id"], "current": True})
        )["items"][0]
        notice = clock.today()
        r = self.resign(as_role("member"), mine["id"], notice, add_months(notice, 1))
        assert ok(r)["end_reason"] == "resigned"
        r = as_role("member").patch(f"{API}/memberships/{mine['id']}", json={"role": "chair"})
        assert r.status_code == 403


class TestChairTerm:
    def test_term_end_defaults_to_the_term_and_cannot_exceed_it(
        self, client: TestClient, group: Group
    ) -> None:
        person = make_person(client)
        body = {
            "person_id": person["id"],
            "partnership_id": group.id,
            "role": "chair",
            "started_on": "2026-03-31",
        }
        too_long = {**body, "term_ends_on": "2028-04-01"}
        r = client.post(f"{API}/memberships", json=too_long)
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "term_ends_on"]
        chair = ok(client.post(f"{API}/memberships", json=body), 201)
        assert chair["term_ends_on"] == "2028-03-31"


class TestOneOpenMembership:
    def test_second_open_membership_is_409(self, client: TestClient, group: Group) -> None:
        member = group.members[0]
        clone = {
            "person_id": member["person_id"],
            "partnership_id": group.id,
            "started_on": clock.today().isoformat(),
        }
        r = client.post(f"{API}/memberships", json=clone)
        assert r.status_code == 409
        assert r.json()["type"] == "/problems/duplicate-membership"
        assert r.json()["membership_id"] == member["id"]
        # Once it has ended, a new membership may start.
        ok(
            client.patch(
                f"{API}/memberships/{member['id']}",
                json={"ended_on": clock.today().isoformat(), "end_reason": "other"},
            )
        )
        assert client.post(f"{API}/memberships", json=clone).status_code == 201

    def test_an_end_date_needs_a_reason(self, client: TestClient, group: Group) -> None:
        r = client.patch(
            f"{API}/memberships/{group.members[0]['id']}", json={"ended_on": "2026-01-01"}
        )
        assert r.json()["errors"][0]["loc"] == ["body", "end_reason"]


class TestEmployerChange:
    def test_ends_strategic_and_executive_memberships_that_day(self, client: TestClient) -> None:
        executive = make_group(client, voting=1, non_voting=0, kind="executive")
        person_id = executive.members[0]["person_id"]
        thematic = make_group(client, voting=0, non_voting=0)
        kept = ok(
            client.post(
                f"{API}/memberships",
                json={
                    "person_id": person_id,
                    "partnership_id": thematic.id,
                    "started_on": "2025-01-01",
                },
            ),
            201,
        )
        new_org = ok(
            client.post(f"{API}/organisations", json={"name": "New Employer", "sector": "private"}),
            201,
        )
        changed_on = clock.today() - timedelta(days=2)
        result = ok(
            client.post(
                f"{API}/people/{person_id}/employer-change",
                json={"organisation_id": new_org["id"], "changed_on": changed_on.isoformat()},
            )
        )
        assert result["previous_organisation_id"] == executive.organisation_id
        assert [m["id"] for m in result["ended_memberships"]] == [executive.members[0]["id"]]
        ended = ok(client.get(f"{API}/memberships/{executive.members[0]['id']}"))
        assert ended["ended_on"] == changed_on.isoformat()
        assert ended["end_reason"] == "employer_changed"
        assert ok(client.get(f"{API}/memberships/{kept['id']}"))["ended_on"] is None
        assert ok(client.get(f"{API}/people/{person_id}"))["organisation_id"] == new_org["id"]

    def test_same_employer_is_refused(self, client: TestClient) -> None:
        group = make_group(client, voting=1, non_voting=0, kind="strategic")
        person_id = group.members[0]["person_id"]
        r = client.post(
            f"{API}/people/{person_id}/employer-change",
            json={"organisation_id": group.organisation_id, "changed_on": "2026-01-01"},
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "organisation_id"]

    def test_officers_record_it_for_members_of_their_partnerships(
        self, as_role: Any, client: TestClient, org_id: int
    ) -> None:
        person = make_person(client, organisation_id=org_id)
        join(client, person["id"], partnership_id(client, "safer-communities"))
        r = as_role("officer").post(
            f"{API}/people/{person['id']}/employer-change",
            json={"organisation_id": None, "changed_on": clock.today().isoformat()},
        )
        assert r.status_code == 200, r.text

    def test_not_for_people_of_partnerships_they_do_not_manage(
        self, as_role: Any, client: TestClient
    ) -> None:
        """Issue 14: an officer of one partnership ended another partnership's chair's
        membership and changed their employer."""
        other = make_group(client, voting=1, non_voting=0, kind="strategic")
        chair = ok(
            client.patch(f"{API}/memberships/{other.members[0]['id']}", json={"role": "chair"})
        )
        new_org = ok(
            client.post(f"{API}/organisations", json={"name": "Elsewhere", "sector": "other"}),
            201,
        )
        r = as_role("officer").post(
            f"{API}/people/{chair['person_id']}/employer-change",
            json={"organisation_id": new_org["id"], "changed_on": clock.today().isoformat()},
        )
        assert r.status_code == 403
        assert r.json()["type"] == "/problems/forbidden"
        assert ok(client.get(f"{API}/memberships/{chair['id']}"))["ended_on"] is None
        person = ok(client.get(f"{API}/people/{chair['person_id']}"))
        assert person["organisation_id"] == other.organisation_id

    def test_not_when_it_ends_a_membership_of_a_partnership_they_do_not_manage(
        self, as_role: Any, client: TestClient
    ) -> None:
        executive = make_group(client, voting=1, non_voting=0, kind="executive")
        person_id = executive.members[0]["person_id"]
        join(client, person_id, partnership_id(client, "safer-communities"))
        r = as_role("officer").post(
            f"{API}/people/{person_id}/employer-change",
            json={"organisation_id": None, "changed_on": clock.today().isoformat()},
        )
        assert r.status_code == 403
        assert ok(client.get(f"{API}/memberships/{executive.members[0]['id']}"))["ended_on"] is None
        assert ok(client.get(f"{API}/people/{person_id}"))["organisation_id"] is not None

    def test_members_cannot_record_it(self, as_role: Any, client: TestClient) -> None:
        group = make_group(client, voting=1, non_voting=0, kind="strategic")
        r = as_role("member").post(
            f"{API}/people/{group.members[0]['person_id']}/employer-change",
            json={"organisation_id": None, "changed_on": "2026-01-01"},
        )
        assert r.status_code == 403


class TestChairAppointedLater:
    def test_a_member_made_chair_serves_from_today(self, client: TestClient, group: Group) -> None:
        member = group.members[0]  # a member since 500 days ago
        chair = ok(client.patch(f"{API}/memberships/{member['id']}", json={"role": "chair"}))
        assert chair["term_ends_on"] == add_months(clock.today(), 24).isoformat()
