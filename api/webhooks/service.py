"""Webhooks: endpoints admins register, a transactional outbox, signed deliveries with retries.

Features call :func:`enqueue` in the transaction that makes the change, so an event is queued
if and only if the change commits. ``lsphub worker`` delivers the queue:

1. *claim* (short transaction): due ``pending`` rows are selected — ``FOR UPDATE SKIP LOCKED``
   on PostgreSQL, so several workers never take the same row — and leased by moving
   ``next_attempt_at`` forward by the lease and counting the attempt;
2. *send* (no transaction open): POST the JSON body, signed as the Standard Webhooks
   specification says (:func:`signature_headers`), with a timeout shorter than the lease;
3. *record* (short transaction): ``delivered``, or back to ``pending`` with exponential backoff,
   or ``failed`` after the last attempt.

A worker that dies between 1 and 3 loses nothing: the lease runs out and the row is due again
(delivery is at least once; receivers de-duplicate on the ``webhook-id`` header).
"""

import base64
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import standardwebhooks
from sqlalchemy import Select
from sqlalchemy import event as orm_event
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import audit, clock
from api.core.db import session_scope
from api.core.errors import NotFound
from api.core.pagination import PageParams, paginate
from api.core.policy import AdminPolicy
from api.core.principal import Principal
from api.core.settings import get_settings
from api.crud import service as crud
from api.crud.service import Resource, ResourceRules
from api.webhooks import outbound
from api.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from api.webhooks.schemas import (
    WebhookCreate,
    WebhookEvent,
    WebhookFilters,
    WebhookRead,
    WebhookUpdate,
)

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("lsphub.webhooks")

EVENT_HEADER = "LSPHub-Event"
SECRET_PREFIX = "whsec_"

LEASE = timedelta(seconds=60)
TIMEOUT_SECONDS = outbound.TIMEOUT_SECONDS  # well inside the lease
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=6)
MAX_ATTEMPTS = 8  # 30 s, 1 min, 2, 4, 8, 16, 32 min, then failed (about 1 h 3 min in all)


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form: ``whsec_`` and 32 random bytes, base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookRules(ResourceRules[Webhook]):
    """Destinations are checked against the outbound rules whenever the URL is set; a webhook
    registered without a secret gets a generated one (returned once)."""

    def before_create(self, session: Session, principal: Principal, row: Webhook) -> None:
        outbound.check_webhook_url(row.url)
        if not row.secret:
            row.secret = new_secret()

    def before_update(
        self,
        session: Session,
        principal: Principal,
        row: Webhook,
        changes: dict[str, Any],
        previous: dict[str, Any],
    ) -> None:
        if changes.get("url") is not None:  # a null URL is refused as any missing value is
            outbound.check_webhook_url(row.url)


webhooks = Resource(
    model=Webhook,
    path="webhooks",
    create_schema=WebhookCreate,  # type: ignore[arg-type]
    update_schema=WebhookUpdate,  # type: ignore[arg-type]
    read_schema=WebhookRead,
    filter_schema=WebhookFilters,
    sortable=("id", "url", "updated_at"),
    policy=AdminPolicy(),
    rules=WebhookRules(),
)


def rotate_secret(session: Session, principal: Principal, webhook_id: int) -> tuple[Webhook, str]:
    """Replace the signing secret with a generated one, in force from the next delivery."""
    hook = crud.get_row(session, principal, webhooks, webhook_id)
    webhooks.policy.authorize_update(session, principal, hook, {"secret": None})
    before = audit.snapshot(hook)
    hook.secret = new_secret()
    session.flush()
    after = audit.snapshot(hook)
    audit.record(
        session, principal, "rotate_secret", "webhook", webhook_id, before=before, after=after
    )
    return hook, hook.secret


# -- producing ---------------------------------------------------------------------------------


# Which active webhooks subscribe to which event, as this process last read it, and when.
_subscriptions: tuple[float, dict[str, tuple[int, ...]]] | None = None
_subscriptions_lock = threading.Lock()


def forget_subscriptions() -> None:
    """Read the subscriptions again at the next event (after any write to a webhook)."""
    global _subscriptions
    with _subscriptions_lock:
        _subscriptions = None


@orm_event.listens_for(Session, "after_flush")
def _forget_on_webhook_write(session: Session, _: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(row, Webhook) for row in changed):
        forget_subscriptions()


def subscribers(session: Session, name: str) -> tuple[int, ...]:
    """Ids of the webhooks subscribed to event ``name``, without a query per write.

    The list is kept per process for ``webhook_cache_seconds``; writes to webhooks made by this
    process clear it at once, those made by another process are seen when it expires. A
    webhook deleted or deactivated meanwhile is dropped by :func:`enqueue`'s check; one created
    in another process receives the events from at most that many seconds later.
    """
    global _subscriptions
    ttl = get_settings().webhook_cache_seconds
    now = time.monotonic()
    cached = _subscriptions
    if cached is None or ttl <= 0 or now - cached[0] > ttl:
        by_event: dict[str, list[int]] = {}
        rows = session.execute(
            select(col(Webhook.id), col(Webhook.events)).where(col(Webhook.active).is_(True))
        )
        for hook_id, events in rows:
            for each in events.split():
                by_event.setdefault(each, []).append(hook_id or 0)
        cached = (now, {k: tuple(v) for k, v in by_event.items()})
        with _subscriptions_lock:
            _subscriptions = cached
    return cached[1].get(name, ())


def enqueue(session: Session, event: WebhookEvent | str, payload: dict[str, Any]) -> int:
    """Queue ``event`` for every active webhook subscribed to it, in the caller's transaction.

    ``payload`` must be JSON-safe (e.g. ``audit.snapshot(row)``). Returns the rows queued.
    When no webhook subscribes to the event (the usual case) this costs no query at all.
    """
    name = WebhookEvent(event).value
    candidates = subscribers(session, name)
    if not candidates:
        return 0
    # As they are now: a webhook deleted, deactivated or unsubscribed since gets nothing.
    rows = session.execute(
        select(col(Webhook.id), col(Webhook.events)).where(
            col(Webhook.id).in_(candidates), col(Webhook.active).is_(True)
        )
    ).all()
    subscribed = [hook_id for hook_id, events in rows if hook_id and name in events.split()]
    for hook_id in subscribed:
        session.add(WebhookDelivery(webhook_id=hook_id, event=name, payload=payload))
    return len(subscribed)


# -- signing -----------------------------------------------------------------------------------


def signer(secret: str) -> standardwebhooks.Webhook:
    """Signs with the key a ``whsec_<base64>`` secret encodes, as the Standard Webhooks spec says.

    A secret registered before secrets took that form is keyed by its UTF-8 bytes (a receiver
    verifies with ``standardwebhooks.Webhook(secret.encode())``) until it is replaced."""
    if secret.startswith(SECRET_PREFIX):
        return standardwebhooks.Webhook(secret)
    return standardwebhooks.Webhook(secret.encode())


def signature_headers(message_id: str, secret: str, body: bytes, at: datetime) -> dict[str, str]:
    """Standard Webhooks headers for one attempt: ``webhook-id`` (the same on every retry),
    ``webhook-timestamp`` (unix seconds) and ``webhook-signature`` (``v1,<base64 HMAC-SHA256 of
    "<id>.<timestamp>.<body>">``)."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signer(secret).sign(message_id, at.astimezone(UTC), body.decode()),
    }


def delivery_body(delivery: WebhookDelivery) -> bytes:
    document = {
        "id": delivery.id,
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


# -- the delivery log --------------------------------------------------------------------------


def list_deliveries(
    session: Session,
    principal: Principal,
    webhook_id: int,
    page: PageParams,
    status: DeliveryStatus | None = None,
) -> tuple[Sequence[WebhookDelivery], int]:
    """A webhook's deliveries, newest first."""
    crud.get_row(session, principal, webhooks, webhook_id)
    stmt: Select[Any] = select(WebhookDelivery).where(col(WebhookDelivery.webhook_id) == webhook_id)
    if status is not None:
        stmt = stmt.where(col(WebhookDelivery.status) == status)
    stmt = stmt.order_by(col(WebhookDelivery.created_at).desc(), col(WebhookDelivery.id).desc())
    return paginate(session, stmt, page)


def redeliver(
    session: Session, principal: Principal, webhook_id: int, delivery_id: int
) -> WebhookDelivery:
    """Queue a delivery again now, whatever its state; the attempt count starts afresh."""
    hook = crud.get_row(session, principal, webhooks, webhook_id)
    webhooks.policy.authorize_update(session, principal, hook, {})
    delivery = session.scalar(
        select(WebhookDelivery).where(
            col(WebhookDelivery.id) == delivery_id,
            col(WebhookDelivery.webhook_id) == webhook_id,
        )
    )
    if delivery is None:
        raise NotFound(f"No webhook_delivery with id {delivery_id} for webhook {webhook_id}")
    before = audit.snapshot(delivery)
    _queue_again(delivery, clock.now())
    session.flush()
    audit.record(
        session,
        principal,
        "redeliver",
        "webhook_delivery",
        delivery.id,
        before=before,
        after=audit.snapshot(delivery),
    )
    return delivery


def redeliver_failed(session: Session, principal: Principal, webhook_id: int) -> list[int]:
    """Queue every failed delivery of a webhook again now; returns their ids, oldest first.

    One audit event on the webhook lists them."""
    hook = crud.get_row(session, principal, webhooks, webhook_id)
    webhooks.policy.authorize_update(session, principal, hook, {})
    failed = session.scalars(
        select(WebhookDelivery)
        .where(
            col(WebhookDelivery.webhook_id) == webhook_id,
            col(WebhookDelivery.status) == DeliveryStatus.failed,
        )
        .order_by(col(WebhookDelivery.id))
    ).all()
    now = clock.now()
    for delivery in failed:
        _queue_again(delivery, now)
    session.flush()
    ids = [d.id for d in failed if d.id is not None]
    if ids:
        audit.record(
            session,
            principal,
            "redeliver_failed",
            "webhook",
            webhook_id,
            after={"delivery_ids": ids},
        )
    return ids


def _queue_again(delivery: WebhookDelivery, now: datetime) -> None:
    """Pending again, due now, with a fresh attempt count."""
    delivery.status = DeliveryStatus.pending
    delivery.attempts = 0
    delivery.next_attempt_at = now


# -- the worker --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    """What the sender needs, detached from any session."""

    id: int
    url: str
    secret: str
    event: str
    attempts: int
    body: bytes


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed ones: 30 s doubling, capped."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def claim_due(session: Session, now: datetime, limit: int = 20) -> list[Claimed]:
    """Lease up to ``limit`` due deliveries (skipping rows other workers hold)."""
    stmt = (
        select(WebhookDelivery, Webhook)
        .join(Webhook, col(Webhook.id) == col(WebhookDelivery.webhook_id))
        .where(
            col(WebhookDelivery.status) == DeliveryStatus.pending,
            col(WebhookDelivery.next_attempt_at) <= now,
            col(Webhook.active).is_(True),  # a paused endpoint keeps its queue
        )
        .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=WebhookDelivery)
    claimed = []
    for delivery, hook in session.execute(stmt):
        assert delivery.id is not None
        delivery.attempts += 1
        delivery.next_attempt_at = now + LEASE
        claimed.append(
            Claimed(
                id=delivery.id,
                url=hook.url,
                secret=hook.secret,
                event=delivery.event,
                attempts=delivery.attempts,
                body=delivery_body(delivery),
            )
        )
    session.flush()
    return claimed


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    status_code: int | None = None
    error: str | None = None


def send(http: "httpx.Client", item: Claimed) -> Outcome:
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "LSPHub-Webhooks/1",
        EVENT_HEADER: item.event,
        **signature_headers(str(item.id), item.secret, item.body, clock.now()),
    }
    status_code, error = outbound.post(http, item.url, item.body, headers)
    return Outcome(error is None, status_code, error)


def record_outcome(session: Session, item: Claimed, outcome: Outcome, now: datetime) -> None:
    delivery = session.get(WebhookDelivery, item.id)
    if delivery is None or delivery.status != DeliveryStatus.pending:
        return  # deleted or redelivered meanwhile
    delivery.last_status_code = outcome.status_code
    if outcome.delivered:
        delivery.status = DeliveryStatus.delivered
        delivery.delivered_at = now
        delivery.last_error = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.failed
        delivery.last_error = outcome.error
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.last_error = outcome.error
    session.flush()


def run_once(
    http: "httpx.Client",
    now: datetime | None = None,
    limit: int = 20,
    stopping: threading.Event | None = None,
) -> int:
    """Claim, send and record one batch; returns how many deliveries were attempted.

    Once ``stopping`` is set the rest of the batch is left to its lease: another worker (or
    this one, restarted) sends it when the lease runs out."""
    with session_scope() as session:
        batch = claim_due(session, now or clock.now(), limit)
    for item in batch:
        if stopping is not None and stopping.is_set():
            break
        outcome = send(http, item)
        if not outcome.delivered:
            log.warning("webhook delivery %s failed: %s", item.id, outcome.error)
        with session_scope() as session:
            record_outcome(session, item, outcome, clock.now())
    return len(batch)


def run_worker(
    interval_seconds: float = 2.0,
    once: bool = False,
    stopping: threading.Event | None = None,
    chores: Sequence[Callable[[], None]] = (),
) -> None:
    """``lsphub worker``: deliver until ``stopping`` is set (SIGTERM or SIGINT), sleeping when
    the queue is empty, and run each of ``chores`` before every batch (they keep their own
    schedule, e.g. :func:`api.core.housekeeping.periodic_sweep`).
    A delivery in flight finishes first, within TIMEOUT_SECONDS."""
    stopping = stopping or threading.Event()
    with outbound.client() as http:
        while not stopping.is_set():
            for chore in chores:
                chore()
            done = run_once(http, stopping=stopping)
            if once:
                return
            if done == 0:
                stopping.wait(interval_seconds)
