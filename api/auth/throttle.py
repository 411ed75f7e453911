"""Login throttling that a third party cannot turn into a lock-out.

Failures are counted per (e-mail, client) and per client, never per e-mail alone: guessing a
password from one client slows that client down, with a wait that doubles with each further
failure, while the owner of the account still logs in from their own. A client that fails
often, whatever the e-mails, waits out the window. The client is the connecting address, or
the one a trusted proxy forwarded (``LSPHUB_TRUSTED_PROXIES``); an IPv6 client counts as its
/64, the block one subscriber gets.
"""

import ipaddress
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.auth.models import LoginAttempt
from api.core.settings import Settings, get_settings

log = logging.getLogger("lsphub.auth")

# How long an (e-mail, client) pair's failures keep counting towards its wait.
FAILURE_MEMORY = timedelta(hours=12)
CLIENT_KEY_LENGTH = 64  # LoginAttempt.client


def client_key(host: str | None) -> str:
    """What a client is counted as: its IPv4 address or its IPv6 /64."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:CLIENT_KEY_LENGTH]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


@dataclass(frozen=True)
class Throttled:
    """Refused before the password is checked; ``retry_after`` in whole seconds."""

    retry_after: int
    reason: str  # "account_client" or "client"


def retention() -> timedelta:
    """How long a failed login matters to any rule."""
    return max(FAILURE_MEMORY, timedelta(seconds=get_settings().login_window_seconds))


def pair_wait(failures: int, settings: Settings) -> timedelta:
    """The wait after ``failures`` failures of one (e-mail, client) pair."""
    excess = failures - settings.login_attempts_per_window
    if excess < 0:
        return timedelta(0)
    seconds = settings.login_delay_seconds * 2 ** min(excess, 32)
    return timedelta(seconds=min(seconds, settings.login_max_delay_seconds))


def _failures(session: Session, since: datetime, *where: Any) -> tuple[int, Any, Any]:
    count, oldest, newest = session.execute(
        select(func.count(), func.min(LoginAttempt.at), func.max(LoginAttempt.at)).where(
            *where, col(LoginAttempt.at) >= since
        )
    ).one()
    return int(count), oldest, newest


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


def throttled(session: Session, email: str, client: str, now: datetime) -> Throttled | None:
    """Whether a login for ``email`` from ``client`` must wait, and how long."""
    settings = get_settings()
    count, _, newest = _failures(
        session,
        now - FAILURE_MEMORY,
        col(LoginAttempt.email) == email,
        col(LoginAttempt.client) == client,
    )
    if newest is not None and now < newest + pair_wait(count, settings):
        return Throttled(_seconds_until(newest + pair_wait(count, settings), now), "account_client")
    window = timedelta(seconds=settings.login_window_seconds)
    count, oldest, _ = _failures(session, now - window, col(LoginAttempt.client) == client)
    if count >= settings.login_attempts_per_client_window and oldest is not None:
        return Throttled(_seconds_until(oldest + window, now), "client")
    return None


def record_failure(session: Session, email: str, client: str, now: datetime) -> Throttled | None:
    """Count a failed login; returns the wait it starts, if any (the caller audits it)."""
    # Failures that no longer count anywhere go (``lsphub sweep`` does it too): a small table.
    session.execute(delete(LoginAttempt).where(col(LoginAttempt.at) < now - retention()))
    session.add(LoginAttempt(email=email, client=client, at=now))
    session.flush()
    wait = throttled(session, email, client, now)
    if wait is not None:
        log.warning(
            "login throttled: %s from %s waits %ss (%s)",
            email,
            client,
            wait.retry_after,
            wait.reason,
        )
    return wait


def forget_failures(session: Session, email: str, client: str) -> None:
    """A successful login clears its own pair's failures, not those of other clients."""
    session.execute(
        delete(LoginAttempt).where(
            col(LoginAttempt.email) == email, col(LoginAttempt.client) == client
        )
    )
