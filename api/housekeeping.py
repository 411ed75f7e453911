"""Rows that matter only for a while, swept so that years of use do not pile them up.

``lsphub worker`` sweeps once an hour (and when it starts); ``lsphub sweep`` does it once, for
installations that run it from cron instead. Nothing here is data anybody entered: stored
idempotent responses past their replay window, login tokens a month after they expired, and
failed-login records older than the rate-limit window.
"""

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session
from sqlmodel import col

from api.auth.models import AuthToken, LoginAttempt
from api.core import clock
from api.idempotency import RETENTION
from api.imports.models import IdempotencyRecord
from api.settings import get_settings

EXPIRED_TOKEN_GRACE = timedelta(days=30)  # "signed in from ..." stays answerable for a month
SWEEP_INTERVAL_SECONDS = 3600


def sweep(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Delete what has outlived its use; returns the rows removed per table."""
    now = now or clock.now()
    login_window = timedelta(seconds=get_settings().login_window_seconds)
    statements = {
        "idempotency_record": delete(IdempotencyRecord).where(
            col(IdempotencyRecord.created_at) < now - RETENTION
        ),
        "auth_token": delete(AuthToken).where(
            col(AuthToken.expires_at) < now - EXPIRED_TOKEN_GRACE
        ),
        "login_attempt": delete(LoginAttempt).where(col(LoginAttempt.at) < now - login_window),
    }
    return {
        table: int(session.execute(statement).rowcount)  # type: ignore[attr-defined]
        for table, statement in statements.items()
    }
