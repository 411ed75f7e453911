"""Expired records are swept (api/core/housekeeping.py): `lsphub worker` hourly, `lsphub sweep`."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Connection, func, select

from api.auth.housekeeping import EXPIRED_TOKEN_GRACE, SPENT_LINK_GRACE
from api.auth.models import AuthToken, LoginAttempt, PasswordLink
from api.core import clock
from api.core.db import session_scope
from api.core.housekeeping import sweep
from api.core.idempotency import RETENTION, IdempotencyRecord


def count(db: Connection, model: type, *where: object) -> int:
    return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_only_what_has_outlived_its_use_is_deleted(
    client: TestClient, anon: TestClient, db: Connection
) -> None:
    task = client.get("/api/v1/tasks", params={"limit": 1}).json()["items"][0]
    for key in ("old", "fresh"):
        r = client.post(
            f"/api/v1/tasks/{task['id']}/status-updates",
            json={"note": f"note {key}"},
            headers={"Idempotency-Key": f"sweep-{key}"},
        )
        assert r.status_code == 201
    assert (
        anon.post(
            "/api/v1/auth/token", json={"email": "nobody@example.org", "password": "wrong"}
        ).status_code
        == 401
    )

    now = clock.now()
    with session_scope() as session:
        old = session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.key == "sweep-old"))
        assert old is not None
        old.created_at = now - RETENTION - timedelta(minutes=1)
        expired, recent = session.scalars(select(AuthToken).limit(2)).all()
        expired.expires_at = now - EXPIRED_TOKEN_GRACE - timedelta(days=1)
        recent.expires_at = now - EXPIRED_TOKEN_GRACE + timedelta(days=1)  # kept a while yet
        session.add(LoginAttempt(email="gone@example.org", client="x", at=now - timedelta(days=1)))
        for token_hash, expired_for in (("a" * 64, SPENT_LINK_GRACE), ("b" * 64, timedelta())):
            session.add(
                PasswordLink(
                    token_hash=token_hash,
                    user_id=expired.user_id,
                    expires_at=now - expired_for - timedelta(days=1),
                )
            )
        expired_id, recent_id = expired.id, recent.id
        tokens_before = count(db, AuthToken)

    with session_scope() as session:
        removed = sweep(session, now)

    assert removed == {
        "idempotency_record": 1,
        "auth_token": 1,
        "login_attempt": 1,
        "password_link": 1,
        "paper_blob": 0,  # every demo paper's file is still a paper's
    }
    assert count(db, PasswordLink, PasswordLink.token_hash == "b" * 64) == 1
    keys = db.scalars(select(IdempotencyRecord.key).where(IdempotencyRecord.key.like("sweep-%")))
    assert set(keys) == {"sweep-fresh"}
    assert count(db, AuthToken) == tokens_before - 1
    assert count(db, AuthToken, AuthToken.id == expired_id) == 0
    assert count(db, AuthToken, AuthToken.id == recent_id) == 1
    assert count(db, LoginAttempt, LoginAttempt.email == "nobody@example.org") == 1
    assert count(db, LoginAttempt, LoginAttempt.email == "gone@example.org") == 0


def test_a_swept_key_can_be_used_again(client: TestClient) -> None:
    """Past its day a key is reusable anyway; sweeping changes nothing a client can see."""
    task = client.get("/api/v1/tasks", params={"limit": 1}).json()["items"][0]
    url = f"/api/v1/tasks/{task['id']}/status-updates"
    headers = {"Idempotency-Key": "sweep-reuse"}
    assert client.post(url, json={"note": "first"}, headers=headers).status_code == 201
    with session_scope() as session:
        sweep(session, clock.now() + RETENTION + timedelta(minutes=1))
    again = client.post(url, json={"note": "second"}, headers=headers)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
