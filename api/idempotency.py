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
IMMEDIATE`` (api.db), so requests with the same key run one after another and the later ones
find the stored response and replay it. The unique (principal, key) constraint is the last
line of defence on both: a clash at insert is reported as the 409. A request that fails
(any error) stores nothing, so it may be retried with the same key.

Use from a route::

    return idempotency.respond(
        session, principal, key=idempotency_key, method="POST", path=request.url.path,
        body=body, status_code=201, run=lambda: (result_model, {"Location": ...}),
    )
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Header, Response
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.auth.principal import Principal
from api.core import clock
from api.errors import Conflict, Unprocessable, field_error
from api.imports.models import IdempotencyRecord

# Stored responses are replayed for a day; an older key may be used again for a new request.
RETENTION = timedelta(hours=24)
REPLAYED_HEADER = "Idempotent-Replayed"
# Response headers worth replaying; the rest (content-length, dates) are recomputed.
KEPT_HEADERS = ("location", "etag", "content-type")

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Any unique string (e.g. a UUID). Retrying with the same key and body "
        "replays the first response instead of writing twice.",
    ),
]


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: str
    headers: dict[str, str]

    def to_response(self, *, replayed: bool) -> Response:
        headers = {k: v for k, v in self.headers.items() if k.lower() != "content-type"}
        if replayed:
            headers[REPLAYED_HEADER] = "true"
        media_type = self.headers.get("content-type", "application/json")
        return Response(self.body, self.status_code, headers=headers, media_type=media_type)


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


Run = Callable[[], tuple[BaseModel, dict[str, str]]]


def respond(
    session: Session,
    principal: Principal,
    *,
    key: str | None,
    method: str,
    path: str,
    body: BaseModel | bytes | str | None,
    status_code: int,
    run: Run,
) -> Response:
    """Run a write once per key: ``run()`` returns the result model and response headers."""
    if key is None:
        result, headers = run()
        return _stored(result, headers, status_code).to_response(replayed=False)
    body_sha256 = fingerprint(body)
    replay = begin(session, principal, key, method, path, body_sha256)
    if replay is not None:
        return replay.to_response(replayed=True)
    result, headers = run()
    stored = _stored(result, headers, status_code)
    remember(session, principal, key, method, path, body_sha256, stored)
    return stored.to_response(replayed=False)


def _stored(result: BaseModel, headers: dict[str, Any], status_code: int) -> StoredResponse:
    kept = {k.lower(): str(v) for k, v in headers.items() if k.lower() in KEPT_HEADERS}
    kept.setdefault("content-type", "application/json")
    return StoredResponse(status_code, result.model_dump_json(), kept)
