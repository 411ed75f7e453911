"""A short-lived, per-process memory of which principal a credential stands for.

Resolving a bearer credential costs a query and a worker-thread hop on every request; with the
cache a repeat caller within ``LSPHUB_AUTH_CACHE_SECONDS`` (default 5, 0 turns it off) costs
neither. Revoking a key, logging out, or changing or deactivating a user forgets every entry
in the process that made the change; other worker processes notice within the TTL, and an
entry never outlives the credential's own expiry. Entries are keyed by the credential's
SHA-256, never by the secret itself.
"""

import time
from datetime import datetime

from api.core import clock
from api.core.principal import Principal
from api.core.settings import get_settings

MAX_ENTRIES = 10_000

_entries: dict[str, tuple[float, Principal]] = {}


def recall(digest: str) -> Principal | None:
    entry = _entries.get(digest)
    if entry is None:
        return None
    if entry[0] <= time.monotonic():
        _entries.pop(digest, None)
        return None
    return entry[1]


def remember(digest: str, principal: Principal, expires_at: datetime | None) -> None:
    ttl = get_settings().auth_cache_seconds
    if expires_at is not None:
        ttl = min(ttl, (expires_at - clock.now()).total_seconds())
    if ttl <= 0:
        return
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _entries[digest] = (time.monotonic() + ttl, principal)


def forget_all() -> None:
    """Called by every change that can end or alter a credential's access."""
    _entries.clear()
