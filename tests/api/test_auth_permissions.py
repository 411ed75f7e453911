"""Object-level rules of DESIGN §5 on the demo data: what each role sees and may change."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text

from api.core import clock


@dataclass
class World:
    org: int  # the demo member's organisation = the partner key's organisation
    own: int  # partnership the officer manages, the member belongs to, the org sits on
    member_only: int | None  # a partnership the officer belongs to without managing it
    foreign: int  # a partnership none of them belongs to
    led_task: int  # in `own`, led by `org`
    other_task: int  # in `own`, led by another organisation
    foreign_task: int  # in `foreign`, led by another organisation
    other_org: int


def scalar(db: Connection, sql: str, **params: object) -> int:
    value = db.execute(text(sql), params).scalar()
    assert value is not None, sql
    return int(value)


def first_task(db: Connection, partnership: int, skip: int = 0) -> int:
    return scalar(
        db,
        "SELECT t.id FROM task t JOIN action a ON a.id = t.action_id "
        "JOIN action_plan p ON p.id = a.action_plan_id WHERE p.partnership_id = :p "
        "ORDER BY t.id LIMIT 1 OFFSET :skip",
        p=partnership,
        skip=skip,
    )


@pytest.fixture
def world(db: Connection) -> World:
    member = db.execute(
        text("SELECT person_id, organisation_id FROM \"user\" WHERE email = 'member@example.org'")
    ).one()
    officer = scalar(db, "SELECT person_id FROM \"user\" WHERE email = 'officer@example.org'")
    own = scalar(
        db,
        "SELECT o.partnership_id FROM membership o JOIN membership m "
        "ON m.partnership_id = o.partnership_id WHERE o.person_id = :officer "
        "AND o.role IN ('officer', 'chair', 'vice_chair') AND m.person_id = :member "
        "AND o.ended_on IS NULL AND m.ended_on IS NULL ORDER BY 1 LIMIT 1",
        officer=officer,
        member=member.person_id,
    )
    member_only = db.execute(
        text(
            "SELECT min(partnership_id) FROM membership WHERE person_id = :officer "
            "AND role NOT IN ('officer', 'chair', 'vice_chair') AND ended_on IS NULL"
        ),
        {"officer": officer},
    ).scalar()
    foreign = scalar(
        db,
        "SELECT min(p.id) FROM partnership p JOIN action_plan ap ON ap.partnership_id = p.id "
        "WHERE p.id NOT IN (SELECT partnership_id FROM membership WHERE person_id IN "
        "(:officer, :member) OR on_behalf_of_id = :org)",
        officer=officer,
        member=member.person_id,
        org=member.organisation_id,
    )
    other_org = scalar(
        db, "SELECT min(id) FROM organisation WHERE id != :org", org=member.organisation_id
    )
    led, other, foreign_task = first_task(db, own), first_task(db, own, 1), first_task(db, foreign)
    for task, org in ((led, member.organisation_id), (other, other_org), (foreign_task, other_org)):
        db.execute(
            text("UPDATE task SET lead_organisation_id = :o WHERE id = :t"), {"o": org, "t": task}
        )
    return World(
        member.organisation_id, own, member_only, foreign, led, other, foreign_task, other_org
    )


def ids(client: TestClient, path: str, **params: object) -> set[int]:
    r = client.get(f"/api/v1/{path}", params={"limit": 500, **params})
    assert r.status_code == 200, r.text
    return {item["id"] for item in r.json()["items"]}


class TestPartnerKey:
    def test_sees_only_tasks_its_organisation_leads(self, as_role, client, world: World) -> None:  # type: ignore[no-untyped-def]
        partner = as_role("partner")
        seen = ids(partner, "tasks")
        assert world.led_task in seen
        assert seen == ids(client, "tasks", lead_organisation_id=world.org)

    def test_other_tasks_are_404_not_403(self, as_role, world: World) -> None:  # type: ignore[no-untyped-def]
        partner = as_role("partner")
        for task in (world.other_task, world.foreign_task):
            assert partner.get(f"/api/v1/tasks/{task}").status_code == 404
            r = partner.post(f"/api/v1/tasks/{task}/status-updates", json={"rag": "green"})
            assert r.status_code == 404 and r.json()["type"] == "/problems/not-found"
            assert partner.patch(f"/api/v1/tasks/{task}", json={"rag": "red"}).status_code == 404
            assert partner.get(f"/api/v1/tasks/{task}/status-updates").status_code == 404

    def test_updates_status_of_its_own_task(self, as_role, world: World) -> None:  # type: ignore[no-untyped-def]
        partner = as_role("partner")
        r = partner.post(
            f"/api/v1/tasks/{world.led_task}/status-updates",
            json={"rag": "amber", "position": "Waiting for the venue"},
        )
        assert r.status_code == 201, r.text
        assert r.json()["on_behalf_of_id"] == world.org
        assert r.json()["author"].startswith("api_key:")

    def test_cannot_change_anything_but_status(self, as_role, world: World) -> None:  # type: ignore[no-untyped-def]
        partner = as_role("partner")
        r = partner.patch(f"/api/v1/tasks/{world.led_task}", json={"title": "Renamed"})
        assert r.status_code == 403
        r = partner.patch(f"/api/v1/tasks/{world.led_task}", json={"lead_organisation_id": 1})
        assert r.status_code == 403

    def test_cannot_report_on_behalf_of_another_organisation(self, as_role, world: World) -> None:  # type: ignore[no-untyped-def]
        r = as_role("partner").post(
            f"/api/v1/tasks/{world.led_task}/status-updates",
            json={"rag": "green", "on_behalf_of_id": world.other_org},
        )
        assert r.status_code == 403
        assert r.json()["errors"][0]["loc"] == ["body", "on_behalf_of_id"]

    def test_reads_the_partnerships_its_organisation_sits_on(self, as_role, world: World) -> None:  # type: ignore[no-untyped-def]
        partner = as_role("partner")
        seen = ids(partner, "partnerships")
        assert world.own in seen and world.foreign not in seen
        assert partner.get(f"/api/v1/partnerships/{world.foreign}").status_code == 404

    def test_a_key_without_write_status_cannot_update(self, client, anon, world: World) -> None:  # type: ignore[no-untyped-def]
        key = client.post(
            "/api/v1/api-keys",
            json={
                "name": "Read only",
                "role": "partner",
                "organisation_id": world.org,
                "scopes": ["read"],
            },
        ).json()["key"]
        r = anon.post(
            f"/api/v1/tasks/{world.led_task}/status-updates",
            json={"rag": "green"},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert r.status_code == 403


class TestMember:
    def test_reads_only_their_partnerships(self, as_role, world: World) -> None:  # type: ignore[no-untyped-def]
        member = as_role("member")
        mine = {m["partnership_id"] for m in member.get("/api/v1/me").json()["memberships"]}
        assert ids(member, "partnerships") == mine
        assert member.get(f"/api/v1/partnerships/{world.foreign}").status_code == 404
        assert member.get(f"/api/v1/tasks/{world.foreign_task}").status_code == 404
        meetings = ids(member, "meetings", partnership_id=world.foreign)
        public = ids(as_role("admin"), "meetings", partnership_id=world.foreign, public=True)
        assert meetings <= public

    def test_updates_status_of_tasks_their_organisation_leads(self, as_role, world: World) -> None:  # type: ignore[no-untyped-def]
        member = as_role("member")
        r = member.patch(f"/api/v1/tasks/{world.led_task}", json={"position": "On track"})
        assert r.status_code == 200, r.text
        r = member.post(f"/api/v1/tasks/{world.led_task}/status-updates", json={"rag": "green"})
        assert r.status_code == 201, r.text

    def test_cannot_update_tasks_led_by_others(self, as_role, world: World) -> None:  # type: ignore[no-untyped-def]
        member = as_role("member")
        r = member.post(f"/api/v1/tasks/{world.other_task}/status-updates", json={"rag": "red"})
        assert r.status_code == 403 and r.json()["type"] == "/problems/forbidden"
        r = member.patch(f"/api/v1/tasks/{world.led_task}", json={"title": "Renamed"})
        assert r.status_code == 403

    def test_an_ended_membership_ends_access(self, as_role, db: Connection, world: World) -> None:  # type: ignore[no-untyped-def]
        member = as_role("member")
        assert member.get(f"/api/v1/partnerships/{world.own}").status_code == 200
        db.execute(
            text(
                "UPDATE membership SET ended_on = :d WHERE partnership_id = :p AND person_id = "
                "(SELECT person_id FROM \"user\" WHERE email = 'member@example.org')"
            ),
            {"d": clock.today() - timedelta(days=1), "p": world.own},
        )
        assert member.get(f"/api/v1/partnerships/{world.own}").status_code == 404


class TestOfficer:
    def meeting(self, partnership: int) -> dict:
        return {
            "partnership_id": partnership,
            "title": "Extra meeting",
            "starts_at": "2026-06-01T10:00:00+01:00",
        }

    def test_manages_the_partnerships_they_support(self, as_role, world: World) -> None:  # type: ignore[no-untyped-def]
        officer = as_role("officer")
        assert officer.post("/api/v1/meetings", json=self.meeting(world.own)).status_code == 201
        r = officer.patch(f"/api/v1/tasks/{world.other_task}", json={"title": "Clearer title"})
        assert r.status_code == 200

    def test_does_not_manage_other_partnerships(self, as_role, world: World) -> None:  # type: ignore[no-untyped-def]
        officer = as_role("officer")
        r = officer.post("/api/v1/meetings", json=self.meeting(world.foreign))
        assert r.status_code == 403
        assert (
            officer.patch(f"/api/v1/tasks/{world.foreign_task}", json={"title": "X"}).status_code
            == 404
        )
        if world.member_only is not None:  # a plain member there: reads, does not manage
            assert officer.get(f"/api/v1/partnerships/{world.member_only}").status_code == 200
            r = officer.post("/api/v1/meetings", json=self.meeting(world.member_only))
            assert r.status_code == 403

    def test_cannot_move_a_record_into_an_unmanaged_partnership(
        self, as_role, client, world: World
    ) -> None:  # type: ignore[no-untyped-def]
        foreign_action = client.get(f"/api/v1/tasks/{world.foreign_task}").json()["action_id"]
        r = as_role("officer").patch(
            f"/api/v1/tasks/{world.other_task}", json={"action_id": foreign_action}
        )
        assert r.status_code == 403

    def test_reports_for_the_lead_organisation_but_no_other(self, as_role, world: World) -> None:  # type: ignore[no-untyped-def]
        officer = as_role("officer")
        url = f"/api/v1/tasks/{world.other_task}/status-updates"
        lead = officer.post(url, json={"rag": "green", "on_behalf_of_id": world.other_org})
        assert lead.status_code == 201, lead.text
        third = officer.post(url, json={"rag": "amber", "on_behalf_of_id": world.org})
        assert third.status_code == 403


class TestCounty:
    @pytest.mark.parametrize(
        "path", ["tasks", "partnerships", "meetings", "organisations", "people", "users"]
    )
    def test_no_partnership_or_directory_data(self, as_role, path: str) -> None:  # type: ignore[no-untyped-def]
        assert as_role("county").get(f"/api/v1/{path}").status_code == 403

    def test_reads_indicators_and_writes_nothing(self, as_role) -> None:  # type: ignore[no-untyped-def]
        county = as_role("county")
        assert county.get("/api/v1/indicators").status_code == 200
        r = county.post("/api/v1/organisations", json={"name": "X", "sector": "other"})
        assert r.status_code == 403


class TestCountyUser:
    """A county login has exactly the county key's rights (the ``laa:read`` scope only)."""

    ALLOWED = [
        "indicators",
        "laa-targets",
        "measurements",
        "reports",
        "laa/export",
        "exports/measurements",
    ]
    DENIED = [
        "tasks",
        "partnerships",
        "meetings",
        "organisations",
        "people",
        "users",
        "api-keys",
        "audit-events",
        "imports",
        "governance",
        "exports/tasks",
    ]

    @pytest.fixture
    def county_user(self, anon: TestClient) -> TestClient:
        r = anon.post(
            "/api/v1/auth/token",
            json={"email": "county@example.org", "password": "demo-county-pass"},
        )
        assert r.status_code == 200, r.text
        anon.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        return anon

    def test_is_a_county_principal(self, county_user: TestClient) -> None:
        me = county_user.get("/api/v1/me").json()
        assert me["role"] == "county"

    def test_reads_the_laa_data_and_reports(  # type: ignore[no-untyped-def]
        self, county_user: TestClient, as_role, world: World
    ) -> None:
        key = as_role("county")
        for path in self.ALLOWED:
            r = county_user.get(f"/api/v1/{path}")
            assert r.status_code == 200, f"{path}: {r.status_code} {r.text[:200]}"
            assert key.get(f"/api/v1/{path}").status_code == 200, path
        # every partnership's performance report, like the county key
        r = county_user.get(f"/api/v1/partnerships/{world.foreign}/performance-report")
        assert r.status_code == 200, r.text

    def test_reads_nothing_else(self, county_user: TestClient, as_role) -> None:  # type: ignore[no-untyped-def]
        key = as_role("county")
        for path in self.DENIED:
            r = county_user.get(f"/api/v1/{path}")
            assert r.status_code == 403, f"{path}: {r.status_code} {r.text[:200]}"
            assert r.json()["type"] == "/problems/forbidden"
            assert key.get(f"/api/v1/{path}").status_code == 403, path

    def test_writes_nothing(self, county_user: TestClient) -> None:
        indicator = county_user.get("/api/v1/indicators").json()["items"][0]["id"]
        body = {
            "indicator_id": indicator,
            "area": "E07000078",
            "period": "2040-41",
            "baseline": 10,
            "target": 20,
        }
        assert county_user.post("/api/v1/laa-targets", json=body).status_code == 403
        r = county_user.post("/api/v1/organisations", json={"name": "X", "sector": "other"})
        assert r.status_code == 403


class TestPropertyRules:
    @pytest.mark.parametrize(
        "field, value",
        [
            ("version", 9),
            ("id", 99999),
            ("created_at", "2020-01-01T00:00:00Z"),
            ("updated_at", "2020-01-01T00:00:00Z"),
            ("last_reported_on", "2020-01-01"),
        ],
    )
    def test_system_fields_cannot_be_set(
        self, client: TestClient, world: World, field: str, value: object
    ) -> None:
        r = client.patch(f"/api/v1/tasks/{world.led_task}", json={field: value})
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", field]


class TestBoundedQueries:
    def test_member_task_list_costs_the_same_for_any_page(  # type: ignore[no-untyped-def]
        self, as_role, query_counter: list[str]
    ) -> None:
        """Credential, the member's partnerships, the page with its total: three queries,
        whatever the size."""
        member = as_role("member")

        def queries() -> int:
            return sum(
                not q.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))
                for q in query_counter
            )

        member.get("/api/v1/tasks", params={"limit": 2})
        small = queries()
        query_counter.clear()
        member.get("/api/v1/tasks", params={"limit": 200})
        assert queries() == small == 3
