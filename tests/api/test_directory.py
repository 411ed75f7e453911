"""The directory (issue 14, item 2; DESIGN §5): contact details only for those who share a
partnership today, and officers change only the people and organisations of the partnerships
they manage, through PATCH and imports alike."""

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.core import clock
from tests.api.governance_fixtures import API, ok

PHONE = "01632 960001"


def person(client: TestClient, name: str, email: str, **extra: Any) -> dict[str, Any]:
    body = {"name": name, "email": email, "phone": PHONE, **extra}
    return ok(client.post(f"{API}/people", json=body), 201)


def organisation(client: TestClient, name: str) -> dict[str, Any]:
    return ok(client.post(f"{API}/organisations", json={"name": name, "sector": "private"}), 201)


def partnership(client: TestClient, slug: str) -> int:
    return int(ok(client.get(f"{API}/partnerships", params={"slug": slug}))["items"][0]["id"])


def join(client: TestClient, person_id: int, partnership_id: int, **extra: Any) -> dict[str, Any]:
    body = {
        "person_id": person_id,
        "partnership_id": partnership_id,
        "started_on": "2025-01-01",
        **extra,
    }
    return ok(client.post(f"{API}/memberships", json=body), 201)


def person_id_of(client: TestClient) -> int:
    return int(ok(client.get(f"{API}/me"))["person_id"])


@pytest.fixture
def outsider(client: TestClient) -> dict[str, Any]:
    """A person of an organisation on no partnership (the issue's probe: ``q=private``)."""
    org = organisation(client, "Private Holdings Ltd")
    return person(client, "Pat Private", "pat.private@example.org", organisation_id=org["id"])


@pytest.fixture
def safer(client: TestClient) -> int:
    """The partnership the demo officer manages and the demo member belongs to."""
    return partnership(client, "safer-communities")


class TestContactDetails:
    @pytest.mark.parametrize("role", ["partner", "member", "officer"])
    def test_not_shown_to_those_who_share_no_partnership(
        self, as_role: Any, outsider: dict[str, Any], role: str
    ) -> None:
        caller = as_role(role)
        found = ok(caller.get(f"{API}/people", params={"q": "private"}))["items"]
        assert [p["id"] for p in found] == [outsider["id"]]
        one = ok(caller.get(f"{API}/people/{outsider['id']}"))
        for shown in (found[0], one):
            assert "email" not in shown and "phone" not in shown
            assert shown["name"] == "Pat Private"
            assert shown["organisation_id"] == outsider["organisation_id"]

    def test_admins_see_them(self, client: TestClient, outsider: dict[str, Any]) -> None:
        shown = ok(client.get(f"{API}/people/{outsider['id']}"))
        assert (shown["email"], shown["phone"]) == ("pat.private@example.org", PHONE)

    def test_a_hidden_email_matches_no_search_filter_or_sort(
        self, as_role: Any, client: TestClient, outsider: dict[str, Any]
    ) -> None:
        member = as_role("member")
        for params in ({"q": "pat.private@"}, {"email": "pat.private@example.org"}):
            assert ok(member.get(f"{API}/people", params=params))["items"] == []
            assert len(ok(client.get(f"{API}/people", params=params))["items"]) == 1
        by_email = ok(member.get(f"{API}/people", params={"sort": "-email", "limit": 500}))
        hidden = [p["id"] for p in by_email["items"] if "email" not in p]
        assert outsider["id"] in hidden
        # hidden e-mails sort as if blank: together, in id order, not by their value
        assert hidden == sorted(hidden)

    def test_shown_to_the_person_and_to_people_sharing_a_partnership_today(
        self, as_role: Any, client: TestClient, safer: int
    ) -> None:
        member, officer = as_role("member"), as_role("officer")
        colleague = person(client, "Cal Colleague", "cal.colleague@example.org")
        join(client, colleague["id"], safer)
        for caller, person_id in (
            (member, person_id_of(member)),
            (member, person_id_of(officer)),
            (member, colleague["id"]),
            (officer, person_id_of(member)),
        ):
            shown = ok(caller.get(f"{API}/people/{person_id}"))
            assert "email" in shown and "phone" in shown

    def test_not_to_former_colleagues(self, as_role: Any, client: TestClient, safer: int) -> None:
        former = person(client, "Fay Former", "fay.former@example.org")
        yesterday = clock.today() - timedelta(days=1)
        join(client, former["id"], safer, ended_on=yesterday.isoformat(), end_reason="other")
        shown = ok(as_role("member").get(f"{API}/people/{former['id']}"))
        assert "email" not in shown and "phone" not in shown

    def test_openapi_says_when_they_are_omitted(self, client: TestClient) -> None:
        schema = ok(client.get(f"{API}/openapi.json"))["components"]["schemas"]["PersonRead"]
        assert "email" not in schema.get("required", [])
        assert "omitted" in schema["properties"]["email"]["description"]

    def test_the_performance_report_names_its_contact_without_them_for_the_county(
        self, as_role: Any, safer: int
    ) -> None:
        url = f"{API}/partnerships/{safer}/performance-report"
        contacts = [o["contact"] for o in ok(as_role("member").get(url))["outcomes"]]
        assert contacts and all(c["email"] for c in contacts)
        county = [o["contact"] for o in ok(as_role("county").get(url))["outcomes"]]
        assert county and all(c["name"] and c["email"] is None for c in county)

    def test_an_officers_people_export_leaves_out_those_they_may_not_see(
        self, as_role: Any, client: TestClient, safer: int
    ) -> None:
        former = person(client, "Fay Former", "fay.former@example.org")
        yesterday = clock.today() - timedelta(days=1)
        join(client, former["id"], safer, ended_on=yesterday.isoformat(), end_reason="other")
        everyone = ok(client.get(f"{API}/exports/people", params={"format": "json"}))
        assert "fay.former@example.org" in {r["email"] for r in everyone}
        rows = ok(as_role("officer").get(f"{API}/exports/people", params={"format": "json"}))
        emails = {r["email"] for r in rows}
        assert rows and "fay.former@example.org" not in emails
        assert ok(as_role("officer").get(f"{API}/me"))["email"]


class TestDirectoryEdits:
    def test_officers_change_the_people_and_organisations_of_their_partnerships(
        self, as_role: Any, client: TestClient, safer: int
    ) -> None:
        officer = as_role("officer")
        employer = organisation(client, "Employer Ltd")
        represented = organisation(client, "Represented Trust")
        member = person(
            client, "Mo Member", "mo.member@example.org", organisation_id=employer["id"]
        )
        join(client, member["id"], safer, on_behalf_of_id=represented["id"])
        patched = ok(officer.patch(f"{API}/people/{member['id']}", json={"job_title": "Chair"}))
        assert patched["job_title"] == "Chair" and patched["email"] == "mo.member@example.org"
        for org in (employer, represented):
            url = f"{API}/organisations/{org['id']}"
            assert ok(officer.patch(url, json={"website": "https://x.example.org"}))["version"] == 2

    def test_not_those_of_other_partnerships(
        self, as_role: Any, client: TestClient, outsider: dict[str, Any]
    ) -> None:
        """Issue 14: an officer renamed another partnership's organisation and could PATCH
        anyone, while importing organisations was refused."""
        officer = as_role("officer")
        elsewhere = partnership(client, "healthier-communities")
        represented = organisation(client, "Elsewhere Trust")
        join(client, outsider["id"], elsewhere, on_behalf_of_id=represented["id"])
        for url, body in (
            (f"{API}/people/{outsider['id']}", {"name": "Renamed"}),
            (f"{API}/organisations/{represented['id']}", {"name": "Renamed"}),
            (f"{API}/organisations/{outsider['organisation_id']}", {"name": "Renamed"}),
        ):
            r = officer.patch(url, json=body)
            assert r.status_code == 403, f"{url}: {r.status_code}"
            assert r.json()["type"] == "/problems/forbidden"
            assert ok(client.get(url))["name"] != "Renamed"

    def test_not_former_members(self, as_role: Any, client: TestClient, safer: int) -> None:
        former = person(client, "Fay Former", "fay.former@example.org")
        yesterday = clock.today() - timedelta(days=1)
        join(client, former["id"], safer, ended_on=yesterday.isoformat(), end_reason="other")
        r = as_role("officer").patch(f"{API}/people/{former['id']}", json={"name": "Renamed"})
        assert r.status_code == 403


def people_file(*rows: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def import_people(caller: TestClient, data: bytes, **params: Any) -> Any:
    return caller.post(f"{API}/imports/people", files={"file": ("people.csv", data)}, params=params)


class TestImportsAgree:
    """An officer's people import changes exactly whom their PATCH may change."""

    def test_details_of_people_outside_their_partnerships_are_refused(
        self, as_role: Any, client: TestClient, outsider: dict[str, Any]
    ) -> None:
        row = {
            "email": outsider["email"],
            "name": "Renamed",
            "partnership": "safer-communities",
            "started_on": "2026-01-01",
        }
        r = import_people(as_role("officer"), people_file(row))
        assert r.status_code == 422, r.text
        assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [(2, "name")]
        assert ok(client.get(f"{API}/people/{outsider['id']}"))["name"] == "Pat Private"

    def test_adding_them_as_members_without_changing_them_is_allowed(
        self, as_role: Any, client: TestClient, outsider: dict[str, Any]
    ) -> None:
        row = {
            "email": outsider["email"],
            "name": "Pat Private",
            "partnership": "safer-communities",
            "started_on": "2026-01-01",
        }
        r = import_people(as_role("officer"), people_file(row))
        assert r.status_code == 200, r.text
        assert r.json()["created"] == 1

    def test_a_phone_number_they_may_not_see_is_neither_compared_nor_written(
        self, as_role: Any, client: TestClient, outsider: dict[str, Any]
    ) -> None:
        row = {
            "email": outsider["email"],
            "name": "Pat Private",
            "phone": "01632 960777",
            "partnership": "safer-communities",
            "started_on": "2026-01-01",
        }
        officer = as_role("officer")
        dry = import_people(officer, people_file(row), dry_run="true")
        assert dry.status_code == 200, dry.text
        assert PHONE not in dry.text
        assert [c["action"] for c in dry.json()["changes"]] == ["create"]
        ok(import_people(officer, people_file(row)))
        assert ok(client.get(f"{API}/people/{outsider['id']}"))["phone"] == PHONE

    def test_their_own_members_are_changed(
        self, as_role: Any, client: TestClient, safer: int
    ) -> None:
        member = person(client, "Mo Member", "mo.member@example.org")
        join(client, member["id"], safer)
        row = {
            "email": "mo.member@example.org",
            "name": "Mo Member",
            "job_title": "Treasurer",
            "partnership": "safer-communities",
            "started_on": "2025-01-01",
        }
        r = import_people(as_role("officer"), people_file(row))
        assert r.status_code == 200, r.text
        assert r.json()["updated"] == 1
        assert ok(client.get(f"{API}/people/{member['id']}"))["job_title"] == "Treasurer"


class TestMembershipColumnsImport:
    def test_represents_and_end_of_a_membership_are_written(
        self, client: TestClient, safer: int
    ) -> None:
        member = person(client, "Mo Member", "mo.member@example.org")
        membership = join(client, member["id"], safer)
        yesterday = (clock.today() - timedelta(days=1)).isoformat()
        row = {
            "email": "mo.member@example.org",
            "name": "Mo Member",
            "partnership": "safer-communities",
            "started_on": "2025-01-01",
            "represents": "Faith network",
            "ended_on": yesterday,
            "end_reason": "other",
        }
        r = import_people(client, people_file(row))
        assert r.status_code == 200, r.text
        assert r.json()["updated"] == 1
        stored = ok(client.get(f"{API}/memberships/{membership['id']}"))
        assert (stored["represents"], stored["ended_on"], stored["end_reason"]) == (
            "Faith network",
            yesterday,
            "other",
        )
