"""Sending the outbox: ``lsphub worker`` (a chore of every pass) and ``lsphub send-mail``.

1. *claim* (short transaction): due ``queued`` rows, oldest first — ``FOR UPDATE SKIP LOCKED``
   on PostgreSQL, so several workers never take the same row; SQLite has one writer at a time
   — are leased by moving ``next_attempt_at`` forward by ``LSPHUB_MAIL_LEASE_SECONDS`` and
   counting the attempt. No more are claimed than the per-minute rate allows.
2. *send* one message (no transaction open);
3. *record* it at once (short transaction): ``sent``, or ``queued`` again with exponential
   backoff and the error, or ``failed`` after the last attempt. Only then is the next message
   of the batch sent.

A worker killed anywhere loses nothing: what it claimed and did not record is due again when
the lease runs out. It sends nothing twice unless it dies in the instant between the server's
acceptance and step 3 of one message; that message keeps its ``Message-ID`` on the retry, so
mail systems can recognise the copy.
"""

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.accounts.password_links import fill_token_slots
from api.core import clock
from api.core.db import session_scope
from api.core.settings import get_settings
from api.notifications import mailer
from api.notifications.models import MessageStatus, OutboxMessage
from api.notifications.outbox import is_wanted

log = logging.getLogger("lsphub.mail")

BACKOFF_BASE = timedelta(seconds=60)
BACKOFF_MAX = timedelta(hours=6)
MAX_ATTEMPTS = 8  # 1, 2, 4, 8, 16, 32, 64 min between tries, then failed (about 2 h in all)
BATCH = 50


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed ones: a minute, doubling, capped."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def sent_last_minute(session: Session, now: datetime) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(col(OutboxMessage.sent_at) > now - timedelta(minutes=1))
        )
        or 0
    )


def claim_due(session: Session, now: datetime, limit: int = BATCH) -> list[mailer.Mail]:
    """Lease up to ``limit`` due messages (fewer when the rate limit is near); messages whose
    person has since switched the category off are marked ``suppressed`` instead."""
    allowance = get_settings().mail_per_minute - sent_last_minute(session, now)
    if allowance <= 0:
        return []
    stmt = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.status) == MessageStatus.queued,
            col(OutboxMessage.next_attempt_at) <= now,
        )
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(min(limit, allowance))
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    lease = timedelta(seconds=get_settings().mail_lease_seconds)
    claimed = []
    for row in session.scalars(stmt).all():
        assert row.id is not None
        if row.person_id is not None and not is_wanted(session, row.person_id, row.category):
            row.status = MessageStatus.suppressed
            continue
        row.attempts += 1
        row.next_attempt_at = now + lease
        claimed.append(
            mailer.Mail(
                id=row.id,
                to_address=row.to_address,
                to_name=row.to_name,
                subject=row.subject,
                text_body=fill_token_slots(row.text_body),
                html_body=fill_token_slots(row.html_body),
                message_id=row.message_id,
                unsubscribe_url=row.unsubscribe_url,
                attachments=list(row.attachments or []),
            )
        )
    session.flush()
    return claimed


def record(session: Session, mail_id: int, error: str | None, now: datetime) -> None:
    row = session.get(OutboxMessage, mail_id)
    if row is None or row.status != MessageStatus.queued:
        return
    if error is None:
        row.status = MessageStatus.sent
        row.sent_at = now
        row.last_error = None
    elif row.attempts >= MAX_ATTEMPTS:
        row.status = MessageStatus.failed
        row.last_error = error
    else:
        row.next_attempt_at = now + backoff(row.attempts)
        row.last_error = error
    session.flush()


def run_once(
    transport: mailer.Transport | None = None,
    now: datetime | None = None,
    stopping: threading.Event | None = None,
    on_sent: Callable[[int], None] | None = None,
) -> int:
    """Claim, send and record one batch; returns how many messages were attempted."""
    with session_scope() as session:
        batch = claim_due(session, now or clock.now())
    if not batch:
        return 0
    own = transport is None
    transport = transport or mailer.transport()
    try:
        for mail in batch:
            if stopping is not None and stopping.is_set():
                break  # the rest go back to the queue when their lease runs out
            error = None
            try:
                transport.send(mailer.build(mail), mail)
            except Exception as exc:  # any failure is recorded and retried
                error = f"{type(exc).__name__}: {exc}"[:2000]
                log.warning("mail %s to %s failed: %s", mail.id, mail.to_address, error)
            with session_scope() as session:
                record(session, mail.id, error, clock.now() if now is None else now)
            if on_sent is not None and error is None:
                on_sent(mail.id)
    finally:
        if own:
            transport.close()
    return len(batch)


def drain(
    max_batches: int = 1000,
    now: datetime | None = None,
    on_sent: Callable[[int], None] | None = None,
) -> int:
    """Send until nothing is due (or the rate limit stops it); returns messages attempted."""
    total = 0
    for _ in range(max_batches):
        done = run_once(now=now, on_sent=on_sent)
        total += done
        if done == 0:
            break
    return total


SCHEDULE_EVERY = timedelta(minutes=10)


def mail_chore(stopping: threading.Event | None = None) -> Callable[[], None]:
    """For ``lsphub worker``: one batch of mail on each of its passes."""

    def chore() -> None:
        try:
            run_once(stopping=stopping)
        except Exception:  # a bad LSPHUB_SMTP_URL or a database hiccup: log, carry on
            log.exception("mail pass failed")

    return chore


def schedule_chore(every: timedelta = SCHEDULE_EVERY) -> Callable[[], None]:
    """For ``lsphub worker``: queue due reminders and digests every ``every``."""
    from api.notifications.schedule import run_due

    last: list[datetime] = []

    def chore() -> None:
        now = clock.now()
        if last and now - last[0] < every:
            return
        last[:] = [now]
        try:
            counts = run_due()
        except Exception:
            log.exception("queueing reminders and digests failed")
            return
        if any(counts.values()):
            log.info("queued %s", counts)

    return chore
