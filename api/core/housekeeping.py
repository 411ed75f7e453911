"""Rows that matter only for a while, swept so that years of use do not pile them up.

A registry: the owner of each such table registers a sweeper at startup
(:func:`api.main.install_features`); ``lsphub worker`` sweeps once an hour (and when it
starts), ``lsphub sweep`` once, for installations that run it from cron instead. Nothing swept
is data anybody entered: stored idempotent responses past their replay window, login tokens a
month after they expired, failed-login records older than the rate-limit window, one-time
password links a month after they were used or expired, the stored bytes of files no paper
refers to any more (their paper was deleted).
"""

import logging
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from api.core import clock
from api.core.db import session_scope

log = logging.getLogger("lsphub.housekeeping")

SWEEP_INTERVAL_SECONDS = 3600

Sweeper = Callable[[Session, datetime], int]
"""Deletes what has outlived its use as of the given instant; returns the rows removed."""

_sweepers: dict[str, Sweeper] = {}


def register_sweeper(table: str, sweeper: Sweeper) -> None:
    """Sweep ``table`` with ``sweeper`` (registering a table again replaces its sweeper)."""
    _sweepers[table] = sweeper


def sweep(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Run every registered sweeper; returns the rows removed per table."""
    now = now or clock.now()
    return {table: sweeper(session, now) for table, sweeper in _sweepers.items()}


def periodic_sweep(interval_seconds: float = SWEEP_INTERVAL_SECONDS) -> Callable[[], None]:
    """A chore for a long-running process: sweeps, in a transaction of its own, on the first
    call and then at most once per ``interval_seconds``."""
    next_due = time.monotonic()

    def run() -> None:
        nonlocal next_due
        if time.monotonic() < next_due:
            return
        with session_scope() as session:
            log.info("swept expired records: %s", sweep(session))
        next_due = time.monotonic() + interval_seconds

    return run
