"""iCalendar feeds and the Popolo export (DESIGN §6)."""

import hashlib
import hmac
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from jsonschema import Draft3Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT3
from sqlalchemy import Connection, text

from api.core import clock
from api.core.settings import get_settings
from tests.api.governance_fixtures import API, Group, make_group, make_meeting, ok

POPOLO = Path(__file__).resolve().parents[1] / "fixtures" / "popolo"


def events(body: bytes) -> dict[str, Any]:
    """VEVENTs of a feed by UID; the feed must parse with the icalendar library."""
    calendar = Calendar.from_ical(body)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def uid(meeting: dict[str, Any]) -> str:
    return f"meeting-{meeting['id']}@127.0.0.1"


@pytest.fixture
def group(client: TestClient) -> Group:
    return make_group(client, voting=1, non_voting=0)


class TestPartnershipFeed:
    def test_lists_the_partnerships_public_meetings_only(
        self, client: TestClient, anon: TestClient, group: Group
    ) -> None:
        public = make_meeting(client, group, days_ago=-10)
        private = make_meeting(client, group, days_ago=-20, public=False)
        cancelled = make_meeting(client, group, days_ago=-30, status="cancelled")
        too_old = make_meeting(client, group, days_ago=400)
        other = make_meeting(client, make_group(client, voting=1, non_voting=0), days_ago=-10)
        r = anon.get(f"{API}/partnerships/{group.id}/meetings.ics")
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/calendar; charset=utf-8"
        found = events(r.content)
        assert set(found) == {uid(public), uid(cancelled)}
        assert uid(private) not in found and uid(too_old) not in found and uid(other) not in found
        assert str(found[uid(cancelled)]["STATUS"]) == "CANCELLED"
        assert str(found[uid(public)]["STATUS"]) == "CONFIRMED"
        assert str(found[uid(public)]["SUMMARY"]) == public["title"]

    def test_times_are_europe_london(
        self, client: TestClient, anon: TestClient, group: Group
    ) -> None:
        summer = date(clock.today().year + 1, 7, 1)
        days_ahead = (summer - clock.today()).days
        meeting = make_meeting(client, group, days_ago=-days_ahead)
        body = anon.get(f"{API}/partnerships/{group.id}/meetings.ics").content
        start = events(body)[uid(meeting)]["DTSTART"]
        assert start.params["TZID"] == "Europe/London"
        assert (start.dt.hour, start.dt.minute) == (14, 0)  # 13:00 UTC in British Summer Time
        assert start.dt.utcoffset() == timedelta(hours=1)
        assert b"BEGIN:VTIMEZONE" in body and b"TZID:Europe/London" in body

    def test_uid_is_stable_and_sequence_follows_changes(
        self, client: TestClient, anon: TestClient, group: Group
    ) -> None:
        meeting = make_meeting(client, group, days_ago=-10)
        url = f"{API}/partnerships/{group.id}/meetings.ics"
        first = events(anon.get(url).content)[uid(meeting)]
        ok(
            client.patch(
                f"{API}/meetings/{meeting['id']}",
                json={"status": "cancelled", "cancellation_reason": "No venue"},
            )
        )
        second = events(anon.get(url).content)[uid(meeting)]
        assert int(second["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
        assert str(second["STATUS"]) == "CANCELLED"

    def test_agenda_is_in_the_description(
        self, client: TestClient, anon: TestClient, group: Group
    ) -> None:
        meeting = make_meeting(client, group, days_ago=-10)
        for title in ("Welcome", "Budget"):
            ok(
                client.post(
                    f"{API}/agenda-items", json={"meeting_id": meeting["id"], "title": title}
                ),
                201,
            )
        body = anon.get(f"{API}/partnerships/{group.id}/meetings.ics").content
        description = str(events(body)[uid(meeting)]["DESCRIPTION"])
        assert "1. Welcome\n2. Budget" in description

    def test_unknown_partnership_is_404(self, anon: TestClient) -> None:
        r = anon.get(f"{API}/partnerships/999999/meetings.ics")
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/problem+json"


class TestPublicFeed:
    def test_every_public_meeting_across_partnerships(
        self, client: TestClient, anon: TestClient
    ) -> None:
        found = events(anon.get(f"{API}/meetings.ics").content)
        since = clock.today() - timedelta(days=360)
        listed = ok(
            client.get(
                f"{API}/meetings",
                params={"public": True, "starts_at_after": f"{since}T00:00:00Z", "limit": 500},
            )
        )["items"]
        assert {uid(m) for m in listed} <= set(found)
        assert len({m["partnership_id"] for m in listed}) >= 5
        cancelled = [m for m in listed if m["status"] == "cancelled"]
        assert cancelled, "the demo has cancelled meetings"
        assert all(str(found[uid(m)]["STATUS"]) == "CANCELLED" for m in cancelled)


FEED = f"{API}/me/calendar-feed"


def private_meeting(client: TestClient, member: TestClient) -> dict[str, Any]:
    """A non-public meeting of one of the member's partnerships, in nine days."""
    me = ok(member.get(f"{API}/me"))
    mine = ok(
        client.get(f"{API}/memberships", params={"person_id": me["person_id"], "current": True})
    )["items"][0]
    return ok(
        client.post(
            f"{API}/meetings",
            json={
                "partnership_id": mine["partnership_id"],
                "title": "Closed session",
                "starts_at": f"{clock.today() + timedelta(days=9)}T10:00:00Z",
                "public": False,
            },
        ),
        201,
    )


class TestPrivateFeed:
    def test_member_feed_includes_private_meetings_of_their_partnerships(
        self, client: TestClient, anon: TestClient, as_role: Any
    ) -> None:
        member = as_role("member")
        assert ok(member.get(FEED)) == {"active": False, "created_at": None}
        issued = member.post(FEED)
        assert issued.status_code == 201 and issued.headers["cache-control"] == "no-store"
        feed = issued.json()
        assert feed["url"].endswith(f"/api/v1/calendars/{feed['token']}.ics")
        assert ok(member.get(FEED)) == {"active": True, "created_at": feed["created_at"]}
        private = private_meeting(client, member)
        r = anon.get(f"{API}/calendars/{feed['token']}.ics")
        assert r.status_code == 200
        found = events(r.content)
        assert uid(private) in found
        assert str(found[uid(private)]["CLASS"]) == "PRIVATE"
        assert uid(private) not in events(anon.get(f"{API}/meetings.ics").content)

    def test_an_address_derived_from_the_secret_key_is_404(
        self, client: TestClient, anon: TestClient, as_role: Any
    ) -> None:
        """Addresses were ``<person id>-<HMAC of the id under the secret key>``: anyone holding
        the key (a published dev default) could read any person's private meetings."""
        member = as_role("member")
        private_meeting(client, member)
        person_id = ok(member.get(f"{API}/me"))["person_id"]
        key = get_settings().secret_key
        assert key is not None
        mac = hmac.new(
            key.get_secret_value().encode(),
            b"lsphub-calendar-feed:v1:" + str(person_id).encode(),
            hashlib.sha256,
        )
        derived = f"{person_id}-{mac.hexdigest()[:40]}"
        member.post(FEED)  # even once the person has a feed
        assert anon.get(f"{API}/calendars/{derived}.ics").status_code == 404
        assert anon.get(f"{API}/calendars/nonsense.ics").status_code == 404

    def test_the_secret_is_stored_hashed(self, as_role: Any, db: Connection) -> None:
        token = ok(as_role("member").post(FEED), 201)["token"]
        stored = db.execute(text("SELECT token_hash FROM calendar_token")).scalars().all()
        assert hashlib.sha256(token.encode()).hexdigest() in stored
        assert token not in " ".join(stored)

    def test_each_person_gets_their_own_random_address(self, as_role: Any) -> None:
        first = ok(as_role("member").post(FEED), 201)["token"]
        other = ok(as_role("officer").post(FEED), 201)["token"]
        assert first != other and len(first) >= 43

    def test_issuing_again_rotates_the_address(self, as_role: Any, anon: TestClient) -> None:
        member = as_role("member")
        old = ok(member.post(FEED), 201)["token"]
        new = ok(member.post(FEED), 201)["token"]
        assert old != new
        assert anon.get(f"{API}/calendars/{old}.ics").status_code == 404
        assert anon.get(f"{API}/calendars/{new}.ics").status_code == 200

    def test_revoking_ends_the_address(self, as_role: Any, anon: TestClient) -> None:
        member = as_role("member")
        token = ok(member.post(FEED), 201)["token"]
        assert member.delete(FEED).status_code == 204
        assert anon.get(f"{API}/calendars/{token}.ics").status_code == 404
        assert ok(member.get(FEED)) == {"active": False, "created_at": None}
        again = member.delete(FEED)
        assert again.status_code == 404 and again.json()["type"] == "/problems/not-found"

    def test_rotation_and_revocation_are_audited(self, client: TestClient, as_role: Any) -> None:
        member = as_role("member")
        member.post(FEED)
        member.post(FEED)
        member.delete(FEED)
        events_ = ok(
            client.get(f"{API}/audit-events", params={"resource": "calendar_token", "limit": 10})
        )["items"]
        assert [e["action"] for e in events_][:3] == ["revoke", "rotate", "create"]
        assert all("token_hash" not in json.dumps(e) for e in events_)

    def test_api_keys_have_no_personal_feed(self, as_role: Any) -> None:
        partner = as_role("partner")
        for method in ("GET", "POST", "DELETE"):
            r = partner.request(method, FEED)
            assert r.status_code == 422 and r.json()["type"] == "/problems/no-person"


def _validator(name: str) -> Draft3Validator:
    resources = []
    for path in POPOLO.glob("*.json"):
        contents = json.loads(path.read_text())
        resources.append((contents["id"], Resource.from_contents(contents, DRAFT3)))
    registry: Registry = Registry().with_resources(resources)
    schema = json.loads((POPOLO / f"{name}.json").read_text())
    return Draft3Validator(schema, registry=registry, format_checker=FormatChecker())


class TestPopolo:
    @pytest.fixture
    def export(self, client: TestClient) -> dict[str, Any]:
        return ok(client.get(f"{API}/popolo"))

    @pytest.mark.parametrize(
        ("collection", "schema"),
        [
            ("persons", "person"),
            ("organizations", "organization"),
            ("memberships", "membership"),
            ("events", "event"),
        ],
    )
    def test_validates_against_the_popolo_schemas(
        self, export: dict[str, Any], collection: str, schema: str
    ) -> None:
        validator = _validator(schema)
        assert export[collection]
        for item in export[collection]:
            errors = [e.message for e in validator.iter_errors(item)]
            assert errors == [], (item, errors)

    def test_schema_check_is_not_vacuous(self) -> None:
        validator = _validator("membership")
        assert not validator.is_valid({"start_date": "23 November 2026"})
        assert not _validator("person").is_valid({"identifiers": [{"scheme": "x"}]})

    def test_memberships_name_role_on_behalf_of_and_dates(
        self, client: TestClient, export: dict[str, Any]
    ) -> None:
        ids = {o["id"] for o in export["organizations"]} | {p["id"] for p in export["persons"]}
        source = ok(client.get(f"{API}/memberships", params={"limit": 1, "sort": "id"}))["items"][0]
        exported = next(m for m in export["memberships"] if m["id"] == f"membership/{source['id']}")
        assert exported["role"] == source["role"]
        assert exported["person_id"] == f"person/{source['person_id']}"
        assert exported["organization_id"] == f"partnership/{source['partnership_id']}"
        assert exported["on_behalf_of_id"] == f"organisation/{source['on_behalf_of_id']}"
        assert exported["start_date"] == source["started_on"]
        assert exported["end_date"] == source["ended_on"]
        for m in export["memberships"]:
            assert {m["person_id"], m["organization_id"]} <= ids
        ended = [m for m in export["memberships"] if m["end_date"]]
        assert ended, "the demo has ended memberships"

    def test_meetings_are_events_of_their_partnership(self, export: dict[str, Any]) -> None:
        cancelled = [e for e in export["events"] if e["status"] == "cancelled"]
        assert cancelled
        assert all(e["organization_id"].startswith("partnership/") for e in export["events"])

    @pytest.mark.parametrize("role", ["member", "officer"])
    def test_contact_details_only_of_people_sharing_a_partnership_today(
        self, as_role: Any, db: Connection, role: str
    ) -> None:
        """DESIGN §5: e-mail and phone only of the people who share a partnership with the
        caller today (before issue 14 members saw none and officers everyone's)."""
        me = db.execute(
            text('SELECT person_id FROM "user" WHERE email = :e'), {"e": f"{role}@example.org"}
        ).scalar_one()
        colleagues = set(
            db.execute(
                text(
                    "SELECT o.person_id FROM membership o JOIN membership m "
                    "ON m.partnership_id = o.partnership_id WHERE m.person_id = :me "
                    "AND m.started_on <= :d AND (m.ended_on IS NULL OR m.ended_on >= :d) "
                    "AND o.started_on <= :d AND (o.ended_on IS NULL OR o.ended_on >= :d)"
                ),
                {"me": me, "d": clock.today()},
            ).scalars()
        )
        persons = ok(as_role(role).get(f"{API}/popolo"))["persons"]
        listed = {int(p["id"].removeprefix("person/")) for p in persons}
        shown = {int(p["id"].removeprefix("person/")) for p in persons if "email" in p}
        assert shown == colleagues & listed and shown
        assert all("contact_details" not in p for p in persons if "email" not in p)
        if role == "officer":
            assert listed - colleagues, "former members are listed, without contact details"
