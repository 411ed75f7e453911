"""The append-only audit log: every write leaves an event in its own transaction."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, literal, select

from api.core.audit import request_id_var
from api.core.audit_guard import WRITES, UnauditedWrite, install_audit_guard
from api.core.db import SessionLocal
from api.organisations.models import Organisation, Sector

EVENTS = "/api/v1/audit-events"


def events(client: TestClient, **params: object) -> list[dict]:
    r = client.get(EVENTS, params={"limit": 500, **params})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def first_id(client: TestClient, path: str) -> int:
    return client.get(f"/api/v1/{path}", params={"limit": 1}).json()["items"][0]["id"]


class TestEveryWriteIsRecorded:
    def test_create_update_delete(self, client: TestClient) -> None:
        me = client.get("/api/v1/me").json()
        created = client.post(
            "/api/v1/organisations",
            json={"name": "Audit Trust", "sector": "faith"},
            headers={"X-Request-ID": "req-create"},
        ).json()
        client.patch(
            f"/api/v1/organisations/{created['id']}",
            json={"website": "https://audit.example.org"},
            headers={"X-Request-ID": "req-update"},
        )
        client.delete(
            f"/api/v1/organisations/{created['id']}", headers={"X-Request-ID": "req-delete"}
        )
        history = events(client, resource="organisation", resource_id=str(created["id"]))
        assert [(e["action"], e["request_id"]) for e in history] == [
            ("delete", "req-delete"),
            ("update", "req-update"),
            ("create", "req-create"),
        ]
        delete, update, create = history
        assert {e["principal"] for e in history} == {f"user:{me['id']}"}
        assert create["before"] is None and create["after"]["name"] == "Audit Trust"
        assert update["before"]["website"] is None
        assert update["after"]["website"] == "https://audit.example.org"
        assert delete["before"]["website"] == "https://audit.example.org"
        assert delete["after"] is None

    def test_status_update_by_a_partner_key(self, as_role, client: TestClient) -> None:  # type: ignore[no-untyped-def]
        partner = as_role("partner")
        task = partner.get("/api/v1/tasks", params={"limit": 1}).json()["items"][0]
        r = partner.post(
            f"/api/v1/tasks/{task['id']}/status-updates",
            json={"position": "Venue booked"},
            headers={"X-Request-ID": "req-partner"},
        )
        assert r.status_code == 201, r.text
        recorded = events(client, request_id="req-partner")
        assert {e["resource"] for e in recorded} >= {"status_update"}
        assert all(e["principal"].startswith("api_key:") for e in recorded)

    def test_logins_are_recorded(self, anon: TestClient, client: TestClient) -> None:
        anon.post(
            "/api/v1/auth/token",
            json={"email": "member@example.org", "password": "wrong-password"},
            headers={"X-Request-ID": "req-bad-login"},
        )
        anon.post(
            "/api/v1/auth/token",
            json={"email": "member@example.org", "password": "demo-member-pass"},
            headers={"X-Request-ID": "req-login"},
        )
        (failed,) = events(client, request_id="req-bad-login")
        assert (failed["action"], failed["principal"]) == ("login_failed", "anonymous")
        assert failed["after"]["email"] == "member@example.org"
        (ok,) = events(client, request_id="req-login")
        assert (ok["action"], ok["resource"]) == ("login", "auth_token")

    def test_no_secret_reaches_the_log(self, client: TestClient, org_id: int) -> None:
        client.post(
            "/api/v1/users",
            json={"email": "sam@example.org", "name": "Sam", "password": "sams-long-password"},
        )
        key = client.post(
            "/api/v1/api-keys", json={"name": "K", "role": "partner", "organisation_id": org_id}
        ).json()["key"]
        recorded = events(client, resource="user") + events(client, resource="api_key")
        dump = repr(recorded)
        for secret in ("sams-long-password", key, "password_hash", "key_hash"):
            assert secret not in dump


class TestSameTransaction:
    @pytest.mark.parametrize(
        "role, body, status",
        [
            ("member", {"name": "Refused", "sector": "other"}, 403),
            ("admin", {"name": "Bad", "sector": "pirates"}, 422),
        ],
    )
    def test_refused_writes_leave_no_event(  # type: ignore[no-untyped-def]
        self, as_role, client: TestClient, role: str, body: dict, status: int
    ) -> None:
        r = as_role(role).post(
            "/api/v1/organisations", json=body, headers={"X-Request-ID": "req-refused"}
        )
        assert r.status_code == status
        assert events(client, request_id="req-refused") == []

    def test_a_write_that_fails_late_leaves_no_event(self, client: TestClient) -> None:
        person = client.get("/api/v1/people", params={"limit": 1}).json()["items"][0]
        r = client.post(
            "/api/v1/people",
            json={"name": "Clone", "email": person["email"]},
            headers={"X-Request-ID": "req-duplicate"},
        )
        assert r.status_code == 409
        assert events(client, request_id="req-duplicate") == []

    def test_an_unaudited_request_write_cannot_commit(self, db: Connection) -> None:
        install_audit_guard()
        token = request_id_var.set("req-unaudited")
        try:
            with (
                pytest.raises(UnauditedWrite, match="organisation"),
                SessionLocal() as session,
                session.begin(),
            ):
                session.add(Organisation(name="Sneaky", slug="sneaky", sector=Sector.other))
        finally:
            request_id_var.reset(token)

    def test_a_statement_naming_the_tables_it_writes_counts_as_a_write(
        self, db: Connection
    ) -> None:
        """As the status update's one statement on PostgreSQL does: a SELECT whose CTEs write."""
        install_audit_guard()
        token = request_id_var.set("req-unaudited-cte")
        writes = select(literal(1)).execution_options(**{WRITES: ("organisation",)})
        try:
            with (
                pytest.raises(UnauditedWrite, match="organisation"),
                SessionLocal() as session,
                session.begin(),
            ):
                session.execute(writes)
        finally:
            request_id_var.reset(token)


class TestReading:
    @pytest.mark.parametrize("path", [EVENTS, f"{EVENTS}/facets"])
    def test_only_admins_read_the_log(self, as_role, anon: TestClient, path: str) -> None:  # type: ignore[no-untyped-def]
        assert anon.get(path).status_code == 401
        for role in ("officer", "member", "partner", "county"):
            r = as_role(role).get(path)
            assert r.status_code == 403 and r.json()["type"] == "/problems/forbidden"

    def test_filter_by_principal_and_page_newest_first(self, as_role, client: TestClient) -> None:  # type: ignore[no-untyped-def]
        officer = as_role("officer")
        me = officer.get("/api/v1/me").json()
        org = first_id(client, "organisations")
        for n in range(3):
            r = officer.patch(f"/api/v1/organisations/{org}", json={"short_name": f"S{n}"})
            assert r.status_code == 200
        page = client.get(EVENTS, params={"principal": f"user:{me['id']}", "limit": 2}).json()
        assert page["total"] == 3 and len(page["items"]) == 2
        assert [e["after"]["short_name"] for e in page["items"]] == ["S2", "S1"]
        rest = client.get(
            EVENTS, params={"principal": f"user:{me['id']}", "limit": 2, "offset": 2}
        ).json()
        assert [e["after"]["short_name"] for e in rest["items"]] == ["S0"]
        one = client.get(f"{EVENTS}/{rest['items'][0]['id']}")
        assert one.status_code == 200 and one.json() == rest["items"][0]

    def test_principals_are_shown_by_name(self, as_role, client: TestClient) -> None:  # type: ignore[no-untyped-def]
        me = client.get("/api/v1/me").json()
        org = first_id(client, "organisations")
        client.patch(f"/api/v1/organisations/{org}", json={"short_name": "Named"})
        key = client.post("/api/v1/api-keys", json={"name": "Named feed", "role": "admin"})
        keyed = TestClient(client.app, headers={"Authorization": f"Bearer {key.json()['key']}"})
        keyed.patch(f"/api/v1/organisations/{org}", json={"short_name": "Keyed"})
        newest = events(client, resource="organisation", resource_id=str(org))[:2]
        by_key, by_user = newest
        assert (by_user["principal"], by_user["principal_name"]) == (f"user:{me['id']}", me["name"])
        assert by_key["principal"] == f"api_key:{key.json()['prefix']}"
        assert by_key["principal_name"] == "Named feed (API key)"
        seed = events(client, action="seed")[0]
        assert (seed["principal"], seed["principal_name"]) == ("cli", "Command line")
        assert client.get(f"{EVENTS}/{by_user['id']}").json()["principal_name"] == me["name"]

    def test_facets_list_what_the_trail_holds(self, client: TestClient) -> None:
        me = client.get("/api/v1/me").json()
        client.post("/api/v1/organisations", json={"name": "Facet Trust", "sector": "faith"})
        r = client.get(f"{EVENTS}/facets")
        assert r.status_code == 200, r.text
        facets = r.json()
        assert {"organisation", "demo"} <= set(facets["resources"])
        assert facets["resources"] == sorted(facets["resources"])
        assert {"create", "seed"} <= set(facets["actions"])
        assert {"principal": f"user:{me['id']}", "name": me["name"]} in facets["principals"]
        names = [p["name"].casefold() for p in facets["principals"]]
        assert names == sorted(names)

    def test_naive_time_filter_is_422_not_500(self, client: TestClient) -> None:
        r = client.get(EVENTS, params={"at_after": "2026-01-01T00:00:00"})
        assert r.status_code == 422

    @pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "POST"])
    def test_no_api_changes_or_deletes_an_event(self, client: TestClient, method: str) -> None:
        event_id = events(client)[0]["id"]
        r = client.request(method, f"{EVENTS}/{event_id}", json={"action": "nothing"})
        assert r.status_code == 405
        assert client.get(f"{EVENTS}/{event_id}").status_code == 200
