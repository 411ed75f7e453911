"""``Idempotency-Key`` for writes (DESIGN §4): a retried request gets the first response.

The key is scoped to the caller (principal label). The first request with a key runs and its
response (status, JSON body, Location/ETag) is stored in ``idempotency_record`` in the *same*
transaction as the write, so a write and its replayable response commit or vanish together.

- same key, same method, path and body -> the stored response, replayed (``Idempotent-Replayed:
  true``), nothing written again;
- same key with a different body (or another endpoint) -> 422 ``/problems/idempotency-key-reused``;
- same key while the first request is still running -> 409 ``/problems/idempotency-key-in-use``.

Concurrency: on PostgreSQL the key is guarded by a transaction-scoped advisory lock taken with
``pg_try_advisory_xact_lock``; a second request that cannot take it is in flight alongside the
first and gets the 409 at once. On SQLite every write transaction starts with ``BEGIN
IMMEDIATE`` (api.core.db), so requests with the same key run one after another and the later ones
find the stored response and replay it. The unique (principal, key) constraint is the last
line of defence on both: a clash at insert is reported as the 409. A request that fails
(any error) stores nothing, so it may be retried with the same key.

Routers use it through :func:`api.core.web.idempotency.respond`::

    return idempotency.respond(
        session, principal, key=idempotency_key, method="POST", path=request.url.path,
        body=body, status_code=201, run=lambda: (result_model, {"Location": ...}),
    )
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, UniqueConstraint, delete, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col, select

from api.core import clock
from api.core.errors import Conflict, Unprocessable, field_error
from api.core.models import UTCDateTime
from api.core.principal import Principal


class IdempotencyRecord(SQLModel, table=True):
    """The first response to a write sent with an ``Idempotency-Key``, replayed on retries."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("principal", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    principal: str = Field(max_length=200)
    key: str = Field(max_length=200)
    method: str = Field(max_length=10)
    path: str = Field(max_length=500)
    body_sha256: str = Field(max_length=64)
    status_code: int | None = None
    response_body: str | None = None
    response_headers: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)


# Stored responses are replayed for a day; an older key may be used again for a new request.
RETENTION = timedelta(hours=24)


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: str
    headers: dict[str, str]


def fingerprint(body: BaseModel | bytes | str | None) -> str:
    """SHA-256 of the request body; a model is hashed as canonical JSON of the fields sent."""
    if body is None:
        raw = b""
    elif isinstance(body, BaseModel):
        data = body.model_dump(mode="json", exclude_unset=True)
        raw = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    elif isinstance(body, str):
        raw = body.encode()
    else:
        raw = body
    return hashlib.sha256(raw).hexdigest()


def lock_id(principal: str, key: str) -> int:
    """The PostgreSQL advisory lock number guarding ``key`` of ``principal``."""
    digest = hashlib.sha256(f"idempotency\0{principal}\0{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _lock(session: Session, principal: str, key: str) -> None:
    """PostgreSQL: hold the key for this transaction, or 409 if another request holds it."""
    if session.get_bind().dialect.name != "postgresql":
        return
    lock = lock_id(principal, key)
    taken = session.scalar(text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": lock})
    if not taken:
        raise _in_use()


def _in_use() -> Conflict:
    return Conflict(
        "A request with this Idempotency-Key is still being processed; retry shortly",
        slug="idempotency-key-in-use",
        headers={"Retry-After": "1"},
    )


def begin(
    session: Session, principal: Principal, key: str, method: str, path: str, body_sha256: str
) -> StoredResponse | None:
    """Claim ``key`` for this request: the stored response to replay, or None to go ahead."""
    _lock(session, principal.label, key)
    record = session.scalars(
        select(IdempotencyRecord).where(
            col(IdempotencyRecord.principal) == principal.label,
            col(IdempotencyRecord.key) == key,
        )
    ).first()
    if record is None:
        return None
    if record.created_at < clock.now() - RETENTION:
        session.delete(record)
        session.flush()
        return None
    if (record.method, record.path, record.body_sha256) != (method, path, body_sha256):
        raise Unprocessable(
            "This Idempotency-Key was already used for a different request; use a new key",
            slug="idempotency-key-reused",
            errors=[field_error(["header", "idempotency-key"], "already used for another body")],
        )
    if record.status_code is None or record.response_body is None:
        raise _in_use()
    return StoredResponse(record.status_code, record.response_body, record.response_headers or {})


def remember(
    session: Session,
    principal: Principal,
    key: str,
    method: str,
    path: str,
    body_sha256: str,
    response: StoredResponse,
) -> None:
    """Store the response with the write, in the caller's transaction."""
    session.add(
        IdempotencyRecord(
            principal=principal.label,
            key=key,
            method=method,
            path=path,
            body_sha256=body_sha256,
            status_code=response.status_code,
            response_body=response.body,
            response_headers=response.headers,
        )
    )
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # another request with the key got there first
        raise _in_use() from exc


def sweep_expired(session: Session, now: datetime) -> int:
    """Delete stored responses past their replay window; returns the rows removed."""
    statement = delete(IdempotencyRecord).where(col(IdempotencyRecord.created_at) < now - RETENTION)
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]
