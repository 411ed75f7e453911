"""FastAPI dependencies that turn a request's credentials into a Principal."""

import asyncio
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import or_, update
from sqlalchemy.orm import Session
from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool

from api.auth import cache
from api.auth.models import ApiKey, AuthToken, User
from api.auth.security import same_digest, sha256_hex, split_api_key
from api.core import clock
from api.core.audit_guard import AUDIT_EXEMPT
from api.core.db import READ_ONLY, session_scope
from api.core.errors import Unauthorized
from api.core.principal import DEFAULT_SCOPES, Principal, Scope
from api.core.web.deps import SessionDep

bearer = HTTPBearer(auto_error=False, description="A login token or an API key (lsp_…)")


Resolved = tuple[Principal, datetime | None]  # the principal and when the credential expires


def _principal_for_key(session: Session, key: str) -> Resolved | None:
    prefix = split_api_key(key)
    if prefix is None:
        return None
    api_key = session.scalar(select(ApiKey).where(col(ApiKey.prefix) == prefix))
    now = clock.now()
    if (
        api_key is None
        or api_key.id is None
        or not same_digest(api_key.key_hash, sha256_hex(key))
        or api_key.revoked_at is not None
        or (api_key.expires_at is not None and api_key.expires_at <= now)
    ):
        return None
    principal = Principal(
        kind="api_key",
        id=api_key.id,
        label=f"api_key:{api_key.prefix}",
        role=api_key.role,
        scopes=frozenset(Scope(s) for s in api_key.scopes.split()),
        organisation_id=api_key.organisation_id,
    )
    return principal, api_key.expires_at


def _principal_for_token(session: Session, token: str) -> Resolved | None:
    row = session.execute(
        select(AuthToken, User)
        .join(User, col(User.id) == col(AuthToken.user_id))
        .where(col(AuthToken.token_hash) == sha256_hex(token))
    ).first()
    if row is None:
        return None
    auth_token, user = row
    if auth_token.revoked_at is not None or auth_token.expires_at <= clock.now() or not user.active:
        return None
    assert user.id is not None
    # A user has the scopes a key of the same role gets by default, so a county login can
    # do no more than the county's key (only ``laa:read``).
    principal = Principal(
        kind="user",
        id=user.id,
        label=f"user:{user.id}",
        role=user.role,
        scopes=frozenset(DEFAULT_SCOPES[user.role]),
        organisation_id=user.organisation_id,
        person_id=user.person_id,
    )
    return principal, auth_token.expires_at


KEY_USE_RESOLUTION = timedelta(minutes=1)


def _note_key_use(session: Session, key_id: int) -> None:
    """Record when a key was last used (to the minute), for administrators deciding what to
    revoke. Runs when a key is resolved, so at most once per cache period per process; neither
    versioned nor audited: it is bookkeeping, not data. A write request records it in its own
    transaction (a second writer would wait on SQLite's lock that request holds); a read, whose
    session never commits, in a short transaction of its own."""
    now = clock.now()
    stale = or_(
        col(ApiKey.last_used_at).is_(None), col(ApiKey.last_used_at) < now - KEY_USE_RESOLUTION
    )
    statement = (
        update(ApiKey)
        .where(col(ApiKey.id) == key_id, stale)
        .values(last_used_at=now, updated_at=ApiKey.updated_at)
        .execution_options(**{AUDIT_EXEMPT: "last use of an API key"})
    )
    if not session.info.get(READ_ONLY):
        session.execute(statement)
        return
    with session_scope() as own:
        own.execute(statement)


def _resolve(session: Session, secret: str) -> Resolved | None:
    resolved = _principal_for_key(session, secret)
    if resolved is not None:
        _note_key_use(session, resolved[0].id)
        return resolved
    return _principal_for_token(session, secret)


async def current_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """Runs on the event loop; only a credential not seen lately costs a thread hop and a query."""
    secret = credentials.credentials if credentials else request.headers.get("x-api-key")
    if not secret:
        raise Unauthorized("Send 'Authorization: Bearer <token or API key>'")
    digest = sha256_hex(secret)
    principal = cache.recall(digest)
    if principal is None:
        resolved = await _resolve_once(digest, session, secret)
        if resolved is None:
            raise Unauthorized("The token or API key is invalid, expired or revoked")
        principal = resolved[0]
    request.state.principal = principal
    return principal


_FAILED = object()  # the resolution raised: each waiting request resolves on its own
_resolving: dict[str, asyncio.Future[object]] = {}


async def _resolve_once(digest: str, session: Session, secret: str) -> Resolved | None:
    """Resolve ``secret`` and remember it, once for every request that presents it meanwhile.

    When a cache entry lapses, every request in flight with that credential misses at once
    (32 under the load benchmark, each a query, a key-use transaction and a thread hop); the
    first resolves it and the others, on the same event loop, wait for its answer."""
    loop = asyncio.get_running_loop()
    pending = _resolving.get(digest)
    if pending is not None and pending.get_loop() is loop:
        shared = await asyncio.shield(pending)
        if shared is not _FAILED:
            return shared  # type: ignore[return-value]
        return await run_in_threadpool(_resolve, session, secret)
    future: asyncio.Future[object] = loop.create_future()
    _resolving[digest] = future
    outcome: object = _FAILED
    try:
        resolved = await run_in_threadpool(_resolve, session, secret)
        if resolved is not None:
            cache.remember(digest, *resolved)
        outcome = resolved
        return resolved
    finally:
        if _resolving.get(digest) is future:
            del _resolving[digest]
        future.set_result(outcome)


PrincipalDep = Annotated[Principal, Depends(current_principal)]
