"""``Idempotency-Key`` on the HTTP side: the header, and running a write once per key.

The rules and the stored responses live in :mod:`api.core.idempotency`.
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.core.idempotency import StoredResponse, begin, fingerprint, remember
from api.core.principal import Principal

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


def to_response(stored: StoredResponse, *, replayed: bool) -> Response:
    headers = {k: v for k, v in stored.headers.items() if k.lower() != "content-type"}
    if replayed:
        headers[REPLAYED_HEADER] = "true"
    media_type = stored.headers.get("content-type", "application/json")
    return Response(stored.body, stored.status_code, headers=headers, media_type=media_type)


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
        return to_response(_stored(result, headers, status_code), replayed=False)
    body_sha256 = fingerprint(body)
    replay = begin(session, principal, key, method, path, body_sha256)
    if replay is not None:
        return to_response(replay, replayed=True)
    result, headers = run()
    stored = _stored(result, headers, status_code)
    remember(session, principal, key, method, path, body_sha256, stored)
    return to_response(stored, replayed=False)


def _stored(result: BaseModel, headers: dict[str, Any], status_code: int) -> StoredResponse:
    kept = {k.lower(): str(v) for k, v in headers.items() if k.lower() in KEPT_HEADERS}
    kept.setdefault("content-type", "application/json")
    return StoredResponse(status_code, result.model_dump_json(), kept)
