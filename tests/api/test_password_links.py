"""One-time links to set a password: a new user's first, and an administrator's reset."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Connection, text

from api.auth.housekeeping import sweep_spent_password_links
from api.auth.security import sha256_hex
from api.core import clock
from api.core.db import SessionLocal

USERS = "/api/v1/users"
SET_PASSWORD = "/api/v1/auth/set-password"
TOKEN = "/api/v1/auth/token"


def invite(client: TestClient, **extra: object) -> dict:
    body = {"email": "robin.new@example.org", "name": "Robin New", "role": "member", **extra}
    r = client.post(USERS, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def token_of(link: dict) -> str:
    path = link["path"]
    assert path.startswith("/set-password#token=")
    return str(path.split("#token=", 1)[1])


def sign_in(anon: TestClient, email: str, password: str) -> int:
    return anon.post(TOKEN, json={"email": email, "password": password}).status_code


class TestCreateWithoutPassword:
    def test_the_response_carries_a_link_once(self, client: TestClient, db: Connection) -> None:
        user = invite(client)
        link = user["password_link"]
        assert link["user_id"] == user["id"]
        assert link["url"].endswith(link["path"])
        token = token_of(link)
        assert len(token) >= 40
        stored = db.execute(
            text("SELECT token_hash FROM password_link WHERE user_id = :u"), {"u": user["id"]}
        ).scalar_one()
        assert stored == sha256_hex(token)
        assert "password_link" not in client.get(f"{USERS}/{user['id']}").json()
        listed = client.get(USERS, params={"q": "robin"}).json()["items"][0]
        assert "password_link" not in listed

    def test_no_password_works_before_the_link_is_used(self, client: TestClient, anon) -> None:  # type: ignore[no-untyped-def]
        invite(client)
        for guess in ("", "password", "robin.new@example.org"):
            assert sign_in(anon, "robin.new@example.org", guess or "x" * 12) == 401

    def test_with_a_password_there_is_no_link(self, client: TestClient, db: Connection) -> None:
        user = invite(client, password="a-long-enough-password")
        assert user["password_link"] is None
        count = db.execute(
            text("SELECT count(*) FROM password_link WHERE user_id = :u"), {"u": user["id"]}
        ).scalar_one()
        assert count == 0


class TestSetPassword:
    def test_the_link_sets_the_password_once(self, client: TestClient, anon: TestClient) -> None:
        user = invite(client)
        token = token_of(user["password_link"])
        r = anon.post(SET_PASSWORD, json={"token": token, "password": "my-own-long-secret"})
        assert r.status_code == 200, r.text
        assert r.json() == {"email": "robin.new@example.org"}
        assert sign_in(anon, "robin.new@example.org", "my-own-long-secret") == 200

        again = anon.post(SET_PASSWORD, json={"token": token, "password": "another-long-one"})
        assert again.status_code == 422
        problem = again.json()
        assert again.headers["content-type"] == "application/problem+json"
        assert problem["errors"][0]["loc"] == ["body", "token"]
        assert sign_in(anon, "robin.new@example.org", "my-own-long-secret") == 200

    def test_it_is_audited_as_the_user(self, client: TestClient, anon, db: Connection) -> None:  # type: ignore[no-untyped-def]
        user = invite(client)
        r = anon.post(
            SET_PASSWORD,
            json={"token": token_of(user["password_link"]), "password": "my-own-long-secret"},
        )
        assert r.status_code == 200
        event = db.execute(
            text(
                "SELECT principal, after FROM audit_event WHERE action = 'set_password' "
                "AND resource_id = :u"
            ),
            {"u": str(user["id"])},
        ).one()
        assert event.principal == f"user:{user['id']}"
        assert "my-own-long-secret" not in str(event.after)

    def test_an_expired_link_is_refused(self, client: TestClient, anon, db: Connection) -> None:  # type: ignore[no-untyped-def]
        user = invite(client)
        db.execute(
            text("UPDATE password_link SET expires_at = :t WHERE user_id = :u"),
            {"t": clock.now() - timedelta(minutes=1), "u": user["id"]},
        )
        r = anon.post(
            SET_PASSWORD,
            json={"token": token_of(user["password_link"]), "password": "my-own-long-secret"},
        )
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "token"]

    def test_an_unknown_token_and_a_short_password_are_422(self, anon: TestClient) -> None:
        r = anon.post(SET_PASSWORD, json={"token": "made-up", "password": "my-own-long-secret"})
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "token"]
        r = anon.post(SET_PASSWORD, json={"token": "made-up", "password": "short"})
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "password"]

    def test_a_deactivated_users_link_no_longer_works(
        self, client: TestClient, anon: TestClient
    ) -> None:
        user = invite(client)
        assert client.delete(f"{USERS}/{user['id']}").status_code == 204
        r = anon.post(
            SET_PASSWORD,
            json={"token": token_of(user["password_link"]), "password": "my-own-long-secret"},
        )
        assert r.status_code == 422


class TestResetPassword:
    def reset(self, client: TestClient, user_id: int) -> dict:
        r = client.post(f"{USERS}/{user_id}/password-reset")
        assert r.status_code == 201, r.text
        assert r.headers["cache-control"] == "no-store"
        return r.json()

    def test_reset_ends_sessions_and_the_old_password(
        self, client: TestClient, anon: TestClient
    ) -> None:
        user = invite(client, password="the-old-long-password")
        session = anon.post(
            TOKEN, json={"email": user["email"], "password": "the-old-long-password"}
        ).json()["access_token"]
        link = self.reset(client, user["id"])
        assert (
            anon.get("/api/v1/me", headers={"Authorization": f"Bearer {session}"}).status_code
            == 401
        )
        assert sign_in(anon, user["email"], "the-old-long-password") == 401
        r = anon.post(SET_PASSWORD, json={"token": token_of(link), "password": "the-new-long-one"})
        assert r.status_code == 200
        assert sign_in(anon, user["email"], "the-new-long-one") == 200

    def test_a_new_link_voids_the_earlier_one(self, client: TestClient, anon: TestClient) -> None:
        user = invite(client)
        first = token_of(user["password_link"])
        second = token_of(self.reset(client, user["id"]))
        body = {"password": "my-own-long-secret"}
        assert anon.post(SET_PASSWORD, json={"token": first, **body}).status_code == 422
        assert anon.post(SET_PASSWORD, json={"token": second, **body}).status_code == 200

    def test_refused_for_a_deactivated_user_and_changes_nothing(
        self, client: TestClient, anon: TestClient
    ) -> None:
        user = invite(client, password="the-old-long-password")
        client.delete(f"{USERS}/{user['id']}")
        r = client.post(f"{USERS}/{user['id']}/password-reset")
        assert r.status_code == 409 and r.json()["type"] == "/problems/inactive-user"
        client.patch(f"{USERS}/{user['id']}", json={"active": True})
        assert sign_in(anon, user["email"], "the-old-long-password") == 200

    def test_not_for_yourself_nor_for_other_roles(self, client: TestClient, as_role) -> None:  # type: ignore[no-untyped-def]
        me = client.get("/api/v1/me").json()
        r = client.post(f"{USERS}/{me['id']}/password-reset")
        assert r.status_code == 409 and r.json()["type"] == "/problems/self-lockout"
        user = invite(client)
        for role in ("officer", "member", "partner", "county"):
            assert as_role(role).post(f"{USERS}/{user['id']}/password-reset").status_code == 403

    def test_unknown_user_is_404(self, client: TestClient) -> None:
        assert client.post(f"{USERS}/999999/password-reset").status_code == 404


class TestSweep:
    def test_spent_links_go_a_month_later(self, client: TestClient, db: Connection) -> None:
        user = invite(client)
        with SessionLocal() as session, session.begin():
            assert sweep_spent_password_links(session, clock.now()) == 0
            later = clock.now() + timedelta(days=40)
            assert sweep_spent_password_links(session, later) == 1
        count = db.execute(
            text("SELECT count(*) FROM password_link WHERE user_id = :u"), {"u": user["id"]}
        ).scalar_one()
        assert count == 0


class TestAdministrators:
    def test_anyone_signed_in_sees_the_active_administrators_by_name(
        self, client: TestClient, as_role, anon: TestClient
    ) -> None:  # type: ignore[no-untyped-def]
        invite(client, role="admin", name="Alex Admin", email="alex.admin@example.org")
        retired = invite(client, role="admin", name="Ola Gone", email="ola.gone@example.org")
        client.delete(f"{USERS}/{retired['id']}")
        for role in ("admin", "officer", "member", "partner", "county"):
            r = as_role(role).get("/api/v1/administrators")
            assert r.status_code == 200, r.text
            items = r.json()["items"]
            assert {"name": "Alex Admin"} in items and {"name": "Ola Gone"} not in items
            assert all(set(item) == {"name"} for item in items), "names only, no contact details"
        assert anon.get("/api/v1/administrators").status_code == 401
