"""Sweepers for the credentials' bookkeeping (registered in api.core.housekeeping at startup)."""

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session
from sqlmodel import col

from api.auth.models import AuthToken, LoginAttempt, PasswordLink
from api.auth.throttle import retention

EXPIRED_TOKEN_GRACE = timedelta(days=30)  # "signed in from ..." stays answerable for a month
SPENT_LINK_GRACE = timedelta(days=30)


def sweep_expired_tokens(session: Session, now: datetime) -> int:
    """Login tokens a month after they expired."""
    statement = delete(AuthToken).where(col(AuthToken.expires_at) < now - EXPIRED_TOKEN_GRACE)
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def sweep_old_login_attempts(session: Session, now: datetime) -> int:
    """Failed-login records that no throttling rule counts any more."""
    statement = delete(LoginAttempt).where(col(LoginAttempt.at) < now - retention())
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def sweep_spent_password_links(session: Session, now: datetime) -> int:
    """One-time password links a month after they were used or expired."""
    cutoff = now - SPENT_LINK_GRACE
    statement = delete(PasswordLink).where(
        (col(PasswordLink.used_at) < cutoff) | (col(PasswordLink.expires_at) < cutoff)
    )
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]
