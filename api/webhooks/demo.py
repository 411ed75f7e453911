"""Demo webhook: an inactive endpoint with one failed delivery, to show the delivery log."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from api.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery


def seed_demo_webhook(session: Session, today: date) -> None:
    hook = Webhook(
        url="https://hooks.example.org/lsphub",
        events="measurement.created status_update.created",
        secret="whsec_ZGVtby13ZWJob29rLXNlY3JldC1ub3QtZm9yLXByb2R1Y3Rpb24=",  # fictional
        active=False,
        description="County data hub (fictional; inactive so nothing is sent)",
    )
    session.add(hook)
    session.flush()
    assert hook.id is not None
    sent = datetime.combine(today - timedelta(days=3), time(2, 0), tzinfo=UTC)
    session.add(
        WebhookDelivery(
            webhook_id=hook.id,
            event="measurement.created",
            payload={"indicator_id": 1, "area": "E06000099", "value": 42.0},
            status=DeliveryStatus.failed,
            attempts=8,
            next_attempt_at=sent + timedelta(hours=1),
            last_status_code=503,
            last_error="HTTP 503",
            created_at=sent,
        )
    )
    session.flush()
