"""Logins, tokens, /me, users and API keys (DESIGN §5), through HTTP on the demo data."""

import asyncio
import logging
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import Connection, select, text
from sqlmodel import SQLModel

from api.auth import cache as principal_cache
from api.auth.models import AuthToken, LoginAttempt
from api.auth.security import new_token, sha256_hex
from api.core import clock
from api.core.db import SessionLocal
from api.core.settings import Settings, get_settings
from api.demo import DEMO_PASSWORDS
from api.main import create_app
from tests.live import ROOT

PROBLEM = "application/problem+json"
TOKEN = "/api/v1/auth/token"


def login(client: TestClient, email: str, password: str) -> dict:
    r = client.post(TOKEN, json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return r.json()


def bearer(client: TestClient, token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_user(client: TestClient, **extra: object) -> dict:
    body = {
        "email": "casey.new@example.org",
        "name": "Casey New",
        "password": "correct-horse-battery",
        "role": "member",
        **extra,
    }
    r = client.post("/api/v1/users", json=body)
    assert r.status_code == 201, r.text
    return r.json()


class TestLogin:
    def test_json_login_gives_a_token_that_works(self, anon: TestClient) -> None:
        body = login(anon, "officer@example.org", DEMO_PASSWORDS["officer@example.org"])
        assert set(body) == {"access_token", "token_type", "expires_at"}
        assert body["token_type"] == "bearer"
        me = anon.get("/api/v1/me", headers=bearer(anon, body["access_token"]))
        assert me.status_code == 200 and me.json()["email"] == "officer@example.org"

    def test_form_login_like_oauth2(self, anon: TestClient) -> None:
        r = anon.post(TOKEN, data={"username": "Admin@Example.org", "password": "demo-admin-pass"})
        assert r.status_code == 200, r.text
        assert r.json()["token_type"] == "bearer"

    def test_wrong_password_and_unknown_email_look_the_same(self, anon: TestClient) -> None:
        wrong = anon.post(TOKEN, json={"email": "admin@example.org", "password": "nope"})
        unknown = anon.post(TOKEN, json={"email": "nobody@example.org", "password": "nope"})
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.headers["content-type"] == unknown.headers["content-type"] == PROBLEM
        assert wrong.json() == unknown.json()
        assert wrong.json()["type"] == "/problems/unauthorized"
        assert wrong.headers["www-authenticate"] == "Bearer"

    def test_inactive_user_cannot_log_in(self, client: TestClient, anon: TestClient) -> None:
        user = new_user(client)
        assert client.delete(f"/api/v1/users/{user['id']}").status_code == 204
        r = anon.post(TOKEN, json={"email": user["email"], "password": "correct-horse-battery"})
        assert r.status_code == 401

    def test_missing_fields_are_422(self, anon: TestClient) -> None:
        r = anon.post(TOKEN, json={"email": "admin@example.org"})
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "password"]
        assert anon.post(TOKEN, content=b"not json").status_code == 422

    def test_token_is_stored_hashed_with_expiry(self, anon: TestClient, db: Connection) -> None:
        token = login(anon, "member@example.org", "demo-member-pass")["access_token"]
        row = db.execute(
            select(AuthToken.token_hash, AuthToken.expires_at).where(
                AuthToken.token_hash == sha256_hex(token)
            )
        ).one()
        assert row.token_hash != token


class TestTokens:
    def test_logout_revokes_the_token(self, anon: TestClient) -> None:
        token = login(anon, "member@example.org", "demo-member-pass")["access_token"]
        r = anon.post("/api/v1/auth/logout", headers=bearer(anon, token))
        assert r.status_code == 204
        r = anon.get("/api/v1/me", headers=bearer(anon, token))
        assert r.status_code == 401 and r.json()["type"] == "/problems/unauthorized"

    def test_expired_token_is_401(self, anon: TestClient, db: Connection) -> None:
        token = new_token()
        user_id = db.execute(text("SELECT id FROM \"user\" WHERE role = 'admin'")).scalar()
        db.execute(
            AuthToken.__table__.insert().values(  # type: ignore[attr-defined]
                token_hash=sha256_hex(token),
                user_id=user_id,
                created_at=clock.now() - timedelta(days=2),
                expires_at=clock.now() - timedelta(seconds=1),
            )
        )
        assert anon.get("/api/v1/me", headers=bearer(anon, token)).status_code == 401

    @pytest.mark.parametrize("secret", ["", "garbage", "lsp_deadbeef_nope", "lsp_"])
    def test_bad_credentials_are_401_problems(self, anon: TestClient, secret: str) -> None:
        r = anon.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
        assert r.status_code == 401
        assert r.headers["content-type"] == PROBLEM

    def test_anonymous_writes_are_401(self, anon: TestClient) -> None:
        r = anon.post("/api/v1/organisations", json={"name": "X", "sector": "other"})
        assert r.status_code == 401
        r = anon.patch("/api/v1/tasks/1", json={"rag": "green"})
        assert r.status_code == 401


class TestMe:
    def test_member_sees_their_memberships(self, as_role) -> None:  # type: ignore[no-untyped-def]
        me = as_role("member").get("/api/v1/me").json()
        assert set(me) == {
            "kind",
            "id",
            "name",
            "email",
            "role",
            "organisation_id",
            "person_id",
            "memberships",
        }
        assert (me["kind"], me["role"], me["email"]) == ("user", "member", "member@example.org")
        assert me["memberships"], "the demo member belongs to partnerships"
        for m in me["memberships"]:
            assert set(m) == {"id", "partnership_id", "partnership_name", "role"}

    def test_partner_key(self, as_role) -> None:  # type: ignore[no-untyped-def]
        me = as_role("partner").get("/api/v1/me").json()
        assert (me["kind"], me["role"], me["email"]) == ("api_key", "partner", None)
        assert me["organisation_id"] is not None

    def test_county_key(self, as_role) -> None:  # type: ignore[no-untyped-def]
        me = as_role("county").get("/api/v1/me").json()
        assert (me["kind"], me["role"], me["memberships"]) == ("api_key", "county", [])


def from_client(app: FastAPI, host: str) -> TestClient:
    """A client connecting from ``host`` (an address, as the server sees the peer)."""
    return TestClient(app, client=(host, 40000), raise_server_exceptions=False)


def fail(client: TestClient, email: str = "member@example.org", **headers: str) -> int:
    r = client.post(TOKEN, json={"email": email, "password": "wrong"}, headers=headers)
    return r.status_code


def age_failures(db: Connection, seconds: int) -> None:
    """Let time pass for the throttle: every recorded failure happened ``seconds`` earlier."""
    with SessionLocal() as session, session.begin():
        for attempt in session.scalars(select(LoginAttempt)):
            attempt.at -= timedelta(seconds=seconds)


class TestRateLimits:
    def test_five_failures_then_429_for_that_client(self, anon: TestClient) -> None:
        for _ in range(5):
            assert fail(anon) == 401
        r = anon.post(TOKEN, json={"email": "member@example.org", "password": "demo-member-pass"})
        assert r.status_code == 429
        assert r.json()["type"] == "/problems/rate-limited"
        assert 1 <= int(r.headers["retry-after"]) <= 30
        # Another account from the same client is not locked by this one.
        login(anon, "officer@example.org", "demo-officer-pass")

    def test_a_third_party_cannot_lock_an_account_out(self, app: FastAPI, db: Connection) -> None:
        attacker = from_client(app, "198.51.100.7")
        for _ in range(8):
            assert fail(attacker, "county@example.org") in (401, 429)
        assert fail(attacker, "county@example.org") == 429
        owner = from_client(app, "203.0.113.20")
        login(owner, "county@example.org", "demo-county-pass")

    def test_the_wait_doubles_with_each_failure(self, app: FastAPI, db: Connection) -> None:
        guesser = from_client(app, "198.51.100.8")
        for _ in range(5):
            assert fail(guesser) == 401
        waits = []
        for _ in range(4):
            r = guesser.post(TOKEN, json={"email": "member@example.org", "password": "wrong"})
            assert r.status_code == 429
            waits.append(int(r.headers["retry-after"]))
            age_failures(db, waits[-1])  # wait it out: the next guess is heard, and fails
            assert fail(guesser) == 401
        # Each wait doubles; a loaded machine may have used a second or two of it already.
        for wait, full in zip(waits, [30, 60, 120, 240], strict=True):
            assert full - 3 <= wait <= full, waits

    def test_success_clears_the_counter(self, anon: TestClient) -> None:
        for _ in range(4):
            anon.post(TOKEN, json={"email": "member@example.org", "password": "wrong"})
        login(anon, "member@example.org", "demo-member-pass")
        for _ in range(4):
            anon.post(TOKEN, json={"email": "member@example.org", "password": "wrong"})
        login(anon, "member@example.org", "demo-member-pass")

    def test_per_client_limit_across_emails(self, anon: TestClient) -> None:
        for i in range(20):
            r = anon.post(TOKEN, json={"email": f"guess{i}@example.org", "password": "x"})
            assert r.status_code == 401
        r = anon.post(TOKEN, json={"email": "admin@example.org", "password": "demo-admin-pass"})
        assert r.status_code == 429 and "retry-after" in r.headers

    def test_an_ipv6_client_counts_as_its_64(self, app: FastAPI, db: Connection) -> None:
        for _ in range(5):
            assert fail(from_client(app, "2001:db8:0:1::a")) == 401
        assert fail(from_client(app, "2001:db8:0:1::b")) == 429  # same subscriber
        login(from_client(app, "2001:db8:0:2::a"), "member@example.org", "demo-member-pass")

    def test_throttling_is_audited_and_logged(
        self, app: FastAPI, client: TestClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        guesser = from_client(app, "198.51.100.9")
        with caplog.at_level(logging.INFO, logger="lsphub.auth"):
            for _ in range(5):
                fail(guesser)
            assert fail(guesser) == 429
        events = client.get("/api/v1/audit-events", params={"action": "login_throttled"}).json()
        after = events["items"][0]["after"]
        assert after["email"] == "member@example.org" and after["client"] == "198.51.100.9"
        assert after["retry_after"] == 30 and after["reason"] == "account_client"
        logged = [r.getMessage() for r in caplog.records]
        assert any("login throttled" in m and "198.51.100.9" in m for m in logged), logged
        assert any("login refused" in m for m in logged), logged


class TestForwardedClients:
    """X-Forwarded-For names the client only when a proxy in LSPHUB_TRUSTED_PROXIES sent it."""

    @pytest.fixture
    def proxied_app(self, monkeypatch: pytest.MonkeyPatch) -> FastAPI:
        monkeypatch.setattr(get_settings(), "trusted_proxies", ["10.0.0.0/8"])
        return create_app()

    def test_a_trusted_proxy_tells_clients_apart(
        self, proxied_app: FastAPI, db: Connection
    ) -> None:
        proxy = from_client(proxied_app, "10.0.0.2")
        for _ in range(5):
            assert fail(proxy, **{"X-Forwarded-For": "198.51.100.1"}) == 401
        assert fail(proxy, **{"X-Forwarded-For": "198.51.100.1"}) == 429
        r = proxy.post(
            TOKEN,
            json={"email": "member@example.org", "password": "demo-member-pass"},
            headers={"X-Forwarded-For": "198.51.100.2"},
        )
        assert r.status_code == 200, r.text

    def test_anyone_else_cannot_choose_their_address(
        self, proxied_app: FastAPI, db: Connection
    ) -> None:
        outsider = from_client(proxied_app, "203.0.113.9")
        for i in range(20):
            assert (
                fail(outsider, f"guess{i}@example.org", **{"X-Forwarded-For": f"1.2.3.{i}"}) == 401
            )
        assert fail(outsider, **{"X-Forwarded-For": "1.2.3.250"}) == 429

    def test_no_proxy_is_trusted_by_default(self, app: FastAPI, db: Connection) -> None:
        assert get_settings().trusted_proxies == []
        local = from_client(app, "127.0.0.1")
        for i in range(20):
            assert fail(local, f"guess{i}@example.org", **{"X-Forwarded-For": f"1.2.3.{i}"}) == 401
        assert fail(local, **{"X-Forwarded-For": "1.2.3.250"}) == 429


class TestUsers:
    def test_create_user_never_returns_the_password(self, client: TestClient) -> None:
        user = new_user(client, email="Casey.New@Example.org")
        assert user["email"] == "casey.new@example.org"
        assert not {"password", "password_hash"} & set(user)
        listed = client.get("/api/v1/users", params={"q": "casey"}).json()
        assert [u["id"] for u in listed["items"]] == [user["id"]]
        assert "password_hash" not in listed["items"][0]

    def test_new_user_can_log_in(self, client: TestClient, anon: TestClient) -> None:
        new_user(client)
        login(anon, "casey.new@example.org", "correct-horse-battery")

    def test_duplicate_email_is_409(self, client: TestClient) -> None:
        r = client.post(
            "/api/v1/users",
            json={"email": "ADMIN@example.org", "name": "X", "password": "long-enough-pass"},
        )
        assert r.status_code == 409 and r.json()["type"] == "/problems/duplicate"

    def test_short_password_is_422(self, client: TestClient) -> None:
        r = client.post(
            "/api/v1/users", json={"email": "a@example.org", "name": "A", "password": "short"}
        )
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "password"]

    def test_password_reset_ends_sessions(self, client: TestClient, anon: TestClient) -> None:
        user = new_user(client)
        token = login(anon, user["email"], "correct-horse-battery")["access_token"]
        r = client.patch(f"/api/v1/users/{user['id']}", json={"password": "another-long-one"})
        assert r.status_code == 200 and r.json()["version"] == user["version"] + 1
        assert anon.get("/api/v1/me", headers=bearer(anon, token)).status_code == 401
        login(anon, user["email"], "another-long-one")

    def test_deactivation_ends_sessions(self, client: TestClient, anon: TestClient) -> None:
        user = new_user(client)
        token = login(anon, user["email"], "correct-horse-battery")["access_token"]
        assert client.delete(f"/api/v1/users/{user['id']}").status_code == 204
        assert client.get(f"/api/v1/users/{user['id']}").json()["active"] is False
        assert anon.get("/api/v1/me", headers=bearer(anon, token)).status_code == 401

    def test_admin_cannot_lock_themself_out(self, client: TestClient) -> None:
        me = client.get("/api/v1/me").json()
        r = client.delete(f"/api/v1/users/{me['id']}")
        assert r.status_code == 409 and r.json()["type"] == "/problems/self-lockout"
        r = client.patch(f"/api/v1/users/{me['id']}", json={"role": "member"})
        assert r.status_code == 409

    def test_only_admins_manage_users(self, as_role) -> None:  # type: ignore[no-untyped-def]
        for role in ("officer", "member", "partner", "county"):
            assert as_role(role).get("/api/v1/users").status_code == 403


class TestApiKeys:
    def create(self, client: TestClient, **body: object) -> dict:
        r = client.post("/api/v1/api-keys", json={"name": "Housing trust feed", **body})
        assert r.status_code == 201, r.text
        return r.json()

    def test_key_shown_once_and_listed_by_prefix(self, client: TestClient, org_id: int) -> None:
        created = self.create(client, role="partner", organisation_id=org_id)
        key = created["key"]
        assert key.startswith(f"lsp_{created['prefix']}_")
        assert created["scopes"] == ["read", "write:status"]
        listed = client.get("/api/v1/api-keys", params={"prefix": created["prefix"]}).json()
        assert listed["total"] == 1
        assert "key" not in listed["items"][0] and "key_hash" not in listed["items"][0]
        one = client.get(f"/api/v1/api-keys/{created['id']}").json()
        assert "key" not in one and one["prefix"] == created["prefix"]

    def test_key_authenticates_with_its_role(
        self, client: TestClient, anon: TestClient, org_id: int
    ) -> None:
        key = self.create(client, role="partner", organisation_id=org_id)["key"]
        me = anon.get("/api/v1/me", headers=bearer(anon, key)).json()
        assert (me["role"], me["organisation_id"]) == ("partner", org_id)
        assert anon.get("/api/v1/me", headers={"X-API-Key": key}).status_code == 200

    def test_revoked_key_is_401(self, client: TestClient, anon: TestClient) -> None:
        created = self.create(client, role="county")
        assert client.delete(f"/api/v1/api-keys/{created['id']}").status_code == 204
        assert anon.get("/api/v1/me", headers=bearer(anon, created["key"])).status_code == 401
        again = client.get(f"/api/v1/api-keys/{created['id']}").json()
        assert again["revoked_at"] is not None

    def test_wrong_secret_with_a_real_prefix_is_401(
        self, client: TestClient, anon: TestClient
    ) -> None:
        created = self.create(client, role="county")
        forged = f"lsp_{created['prefix']}_{'x' * 43}"
        assert anon.get("/api/v1/me", headers=bearer(anon, forged)).status_code == 401

    def test_expired_key_is_401(self, client: TestClient, anon: TestClient, db: Connection) -> None:
        created = self.create(
            client, role="county", expires_at=(clock.now() + timedelta(days=1)).isoformat()
        )
        assert anon.get("/api/v1/me", headers=bearer(anon, created["key"])).status_code == 200
        db.execute(
            text("UPDATE api_key SET expires_at = :t WHERE id = :id"),
            {"t": (clock.now() - timedelta(minutes=1)).replace(tzinfo=None), "id": created["id"]},
        )
        principal_cache.forget_all()  # as the entry's few seconds running out would
        assert anon.get("/api/v1/me", headers=bearer(anon, created["key"])).status_code == 401

    def test_a_change_behind_the_apis_back_counts_once_the_cache_entry_lapses(
        self, client: TestClient, anon: TestClient, db: Connection, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Resolved credentials are reused for LSPHUB_AUTH_CACHE_SECONDS; revoking through the
        API forgets them at once (other tests), a direct database change only after the TTL."""
        monkeypatch.setattr(get_settings(), "auth_cache_seconds", 0.3)
        created = self.create(client, role="county")
        headers = bearer(anon, created["key"])
        assert anon.get("/api/v1/me", headers=headers).status_code == 200
        db.execute(
            text("UPDATE api_key SET revoked_at = :t WHERE id = :id"),
            {"t": clock.now().replace(tzinfo=None), "id": created["id"]},
        )
        assert anon.get("/api/v1/me", headers=headers).status_code == 200
        time.sleep(0.35)
        assert anon.get("/api/v1/me", headers=headers).status_code == 401

    def test_requests_that_miss_the_cache_together_resolve_the_key_once(
        self, app: FastAPI, client: TestClient, query_counter: list[str]
    ) -> None:
        """When a cache entry lapses every request in flight with that credential misses at
        once; the first resolves it and the others wait for its answer (one look-up, one
        key-use write), and an unknown credential is refused to all of them alike. The key may
        read indicators only, so each request ends in a 403 without a query of its own."""
        key = self.create(client, role="admin", scopes=["laa:read"])["key"]

        async def together(secret: str) -> list[int]:
            transport = httpx.ASGITransport(app=app)
            headers = {"Authorization": f"Bearer {secret}"}
            async with httpx.AsyncClient(
                transport=transport, base_url="http://t", headers=headers
            ) as c:
                answers = await asyncio.gather(*(c.get("/api/v1/tasks") for _ in range(8)))
            return [a.status_code for a in answers]

        query_counter.clear()  # the fixture also turns the cache off: nothing is remembered
        assert asyncio.run(together(key)) == [403] * 8
        looked_up = [s for s in query_counter if "FROM api_key" in " ".join(s.split())]
        assert len(looked_up) == 1, query_counter
        assert asyncio.run(together(key)) == [403] * 8  # later, the next resolution
        forged = f"{key[:-4]}xxxx"
        assert asyncio.run(together(forged)) == [401] * 8

    def test_past_expiry_and_partner_without_organisation_are_422(self, client: TestClient) -> None:
        past = (clock.now() - timedelta(days=1)).isoformat()
        r = client.post(
            "/api/v1/api-keys", json={"name": "x", "role": "county", "expires_at": past}
        )
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "expires_at"]
        r = client.post("/api/v1/api-keys", json={"name": "x", "role": "partner"})
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "organisation_id"]

    def test_scopes_limit_a_key(self, client: TestClient, anon: TestClient, org_id: int) -> None:
        key = self.create(client, role="admin", scopes=["laa:read"])["key"]
        headers = bearer(anon, key)
        assert anon.get("/api/v1/indicators", headers=headers).status_code == 200
        assert anon.get("/api/v1/tasks", headers=headers).status_code == 403
        r = anon.post(
            "/api/v1/organisations", json={"name": "X", "sector": "other"}, headers=headers
        )
        assert r.status_code == 403


class TestNoSecretsInTheDatabase:
    def test_no_plaintext_password_key_or_token_in_any_table(
        self, client: TestClient, anon: TestClient, db: Connection, org_id: int
    ) -> None:
        new_user(client)
        key = client.post(
            "/api/v1/api-keys",
            json={"name": "Grep test", "role": "partner", "organisation_id": org_id},
        ).json()["key"]
        token = login(anon, "casey.new@example.org", "correct-horse-battery")["access_token"]
        anon.post(TOKEN, json={"email": "member@example.org", "password": "a-wrong-guess-123"})
        invited = client.post(
            "/api/v1/users", json={"email": "robin.new@example.org", "name": "Robin New"}
        ).json()
        link_token = invited["password_link"]["path"].split("#token=", 1)[1]
        secrets = {
            link_token,
            "correct-horse-battery",
            "a-wrong-guess-123",
            key,
            key.split("_", 2)[2],  # the secret part; it may itself contain "_"
            token,
            *DEMO_PASSWORDS.values(),
        }
        rows = 0
        for table in SQLModel.metadata.sorted_tables:
            for row in db.execute(select(table)):
                rows += 1
                dump = " ".join(str(value) for value in row)
                leaked = [s for s in secrets if s in dump]
                assert not leaked, f"{table.name} holds a secret in clear: {row}"
        assert rows > 1000


class TestSettings:
    """Fail closed: production is the default and needs a real secret (DESIGN §5)."""

    @pytest.fixture
    def clean_env(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
        for name in ("LSPHUB_ENV", "LSPHUB_SECRET_KEY"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.chdir(tmp_path)
        return tmp_path

    def test_production_is_the_default_and_needs_a_secret(self, clean_env: Path) -> None:
        with pytest.raises(ValidationError, match="LSPHUB_SECRET_KEY"):
            Settings(_env_file=None)  # type: ignore[call-arg]
        with pytest.raises(ValidationError, match="LSPHUB_SECRET_KEY"):
            Settings(_env_file=None, secret_key="s" * 31)  # type: ignore[call-arg]
        ok = Settings(_env_file=None, secret_key="s" * 32)  # type: ignore[call-arg]
        assert ok.env == "prod"
        assert not (clean_env / "var").exists()

    @pytest.mark.parametrize("env", ["dev", "test"])
    def test_dev_and_test_generate_their_own_secret_once(self, clean_env: Path, env: str) -> None:
        first = Settings(_env_file=None, env=env)  # type: ignore[call-arg]
        stored = clean_env / "var" / "secret_key"
        assert stored.stat().st_mode & 0o777 == 0o600
        assert first.secret_key is not None
        key = first.secret_key.get_secret_value()
        assert len(key) >= 32 and stored.read_text().strip() == key
        again = Settings(_env_file=None, env=env)  # type: ignore[call-arg]
        assert again.secret_key is not None and again.secret_key.get_secret_value() == key
        assert list((clean_env / "var").iterdir()) == [stored]  # no drafts left behind

    def test_a_fresh_install_gets_a_different_secret(
        self, clean_env: Path, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        mine = Settings(_env_file=None, env="dev").secret_key  # type: ignore[call-arg]
        os.chdir(tmp_path_factory.mktemp("other-install"))
        theirs = Settings(_env_file=None, env="dev").secret_key  # type: ignore[call-arg]
        assert mine is not None and theirs is not None
        assert mine.get_secret_value() != theirs.get_secret_value()

    def test_the_server_refuses_to_start_in_production_without_a_secret(
        self, clean_env: Path
    ) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LSPHUB_")}
        done = subprocess.run(
            [sys.executable, "-c", "from api.main import create_app; create_app()"],
            env={**env, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode != 0 and "LSPHUB_SECRET_KEY" in done.stderr

    @pytest.mark.parametrize(
        ("raw", "parsed"),
        [
            ("", []),
            ("172.28.0.0/24", ["172.28.0.0/24"]),
            ("10.0.0.5, fd00::/8", ["10.0.0.5/32", "fd00::/8"]),
            ('["192.168.1.0/24"]', ["192.168.1.0/24"]),
        ],
    )
    def test_trusted_proxies_are_networks(
        self, monkeypatch: pytest.MonkeyPatch, raw: str, parsed: list[str]
    ) -> None:
        monkeypatch.setenv("LSPHUB_TRUSTED_PROXIES", raw)
        assert Settings(_env_file=None).trusted_proxies == parsed  # type: ignore[call-arg]

    @pytest.mark.parametrize("raw", ["*", "not-an-address", "10.0.0.0/33"])
    def test_trusted_proxies_refuse_anything_else(
        self, monkeypatch: pytest.MonkeyPatch, raw: str
    ) -> None:
        monkeypatch.setenv("LSPHUB_TRUSTED_PROXIES", raw)
        with pytest.raises(ValidationError, match="trusted_proxies"):
            Settings(_env_file=None)  # type: ignore[call-arg]

    def test_cors_allows_only_listed_origins(self, anon: TestClient) -> None:
        preflight = {"Access-Control-Request-Method": "POST"}
        ok = anon.options(TOKEN, headers={"Origin": "http://localhost:5173", **preflight})
        assert ok.headers.get("access-control-allow-origin") == "http://localhost:5173"
        bad = anon.options(TOKEN, headers={"Origin": "https://evil.example.com", **preflight})
        assert "access-control-allow-origin" not in bad.headers

    def test_oversized_body_is_413(self, client: TestClient) -> None:
        r = client.post("/api/v1/organisations", content=b"x" * 1_048_577)
        assert r.status_code == 413 and r.headers["content-type"] == PROBLEM


class TestOfficerKeys:
    def body(self, organisation_id: int, **extra: object) -> dict:
        return {
            "name": "Partner feed",
            "role": "partner",
            "organisation_id": organisation_id,
            **extra,
        }

    def member_org(self, as_role) -> int:  # type: ignore[no-untyped-def]
        return as_role("member").get("/api/v1/me").json()["organisation_id"]

    def test_officer_issues_and_revokes_partner_keys(self, as_role) -> None:  # type: ignore[no-untyped-def]
        officer = as_role("officer")
        created = officer.post("/api/v1/api-keys", json=self.body(self.member_org(as_role)))
        assert created.status_code == 201, created.text
        listed = officer.get("/api/v1/api-keys").json()
        assert [k["id"] for k in listed["items"]] == [created.json()["id"]]
        assert officer.delete(f"/api/v1/api-keys/{created.json()['id']}").status_code == 204

    def test_officer_cannot_issue_other_keys(self, as_role, db: Connection) -> None:  # type: ignore[no-untyped-def]
        officer = as_role("officer")
        org = self.member_org(as_role)
        for body in (
            self.body(org, role="county"),
            self.body(org, scopes=["read", "write:all"]),
        ):
            assert officer.post("/api/v1/api-keys", json=body).status_code == 403
        outsider = db.execute(
            text(
                "SELECT min(id) FROM organisation WHERE id NOT IN (SELECT on_behalf_of_id "
                "FROM membership WHERE on_behalf_of_id IS NOT NULL)"
            )
        ).scalar()
        if outsider is not None:
            r = officer.post("/api/v1/api-keys", json=self.body(outsider))
            assert r.status_code == 403
            assert r.json()["errors"][0]["loc"] == ["body", "organisation_id"]
