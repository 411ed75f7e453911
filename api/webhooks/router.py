from typing import Annotated

from fastapi import Query, Response

from api.auth.deps import PrincipalDep
from api.core.models import Id
from api.core.pagination import Page
from api.core.web.deps import PageDep, SessionDep
from api.crud import service as crud
from api.crud.router import WRITE_RESPONSES, created, crud_router
from api.webhooks import service
from api.webhooks.models import DeliveryStatus
from api.webhooks.schemas import (
    RedeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookDeliveryRead,
    WebhookRead,
    WebhookSecretRead,
)

# The secret is shown once, in the answer to its creation: POST is written out here.
router = crud_router(service.webhooks, tag="webhooks", singular="webhook", create=False)


@router.post(
    "",
    operation_id="create_webhook",
    status_code=201,
    summary="Create a webhook",
    responses=WRITE_RESPONSES,
)
def create_webhook(
    body: WebhookCreate, session: SessionDep, principal: PrincipalDep, response: Response
) -> WebhookCreated:
    """The response is the only one that carries ``secret`` (generated when not sent)."""
    row = crud.create_row(session, principal, service.webhooks, body)  # type: ignore[arg-type]
    created(response, service.webhooks, row)
    response.headers["Cache-Control"] = "no-store"
    read = WebhookRead.model_validate(row, from_attributes=True)
    return WebhookCreated(**read.model_dump(), secret=row.secret)


@router.post(
    "/{item_id}/secret",
    operation_id="rotate_webhook_secret",
    summary="Replace the signing secret with a new, generated one",
    description="The new secret signs every delivery from now on, retries included; this "
    "response is the only place it appears.",
)
def rotate_webhook_secret(
    item_id: Id, session: SessionDep, principal: PrincipalDep, response: Response
) -> WebhookSecretRead:
    hook, secret = service.rotate_secret(session, principal, item_id)
    response.headers["Cache-Control"] = "no-store"
    response.headers["ETag"] = f'"{hook.version}"'
    return WebhookSecretRead(webhook_id=item_id, secret=secret)


@router.get(
    "/{item_id}/deliveries",
    operation_id="list_webhook_deliveries",
    summary="A webhook's delivery log, newest first",
)
def list_webhook_deliveries(
    item_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    status: Annotated[DeliveryStatus | None, Query()] = None,
) -> Page[WebhookDeliveryRead]:
    rows, total = service.list_deliveries(session, principal, item_id, page, status)
    return Page(
        items=[WebhookDeliveryRead.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "/{item_id}/deliveries/redeliver-failed",
    operation_id="redeliver_failed_webhook_deliveries",
    summary="Queue every failed delivery again now",
    description="Each failed delivery goes back to `pending` with a fresh attempt count; "
    "`lsphub worker` sends them on its next pass (not while the webhook is paused).",
)
def redeliver_failed_webhook_deliveries(
    item_id: Id, session: SessionDep, principal: PrincipalDep
) -> RedeliveryRead:
    ids = service.redeliver_failed(session, principal, item_id)
    return RedeliveryRead(queued=len(ids), delivery_ids=ids)


@router.post(
    "/{item_id}/deliveries/{delivery_id}/redeliver",
    operation_id="redeliver_webhook_delivery",
    summary="Queue a delivery again now",
    description="Sets the delivery back to `pending` with a fresh attempt count; "
    "`lsphub worker` sends it on its next pass.",
)
def redeliver_webhook_delivery(
    item_id: Id, delivery_id: Id, session: SessionDep, principal: PrincipalDep
) -> WebhookDeliveryRead:
    return WebhookDeliveryRead.model_validate(
        service.redeliver(session, principal, item_id, delivery_id)
    )
