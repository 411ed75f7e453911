from typing import Annotated

from fastapi import Query

from api.auth.deps import PrincipalDep
from api.core.models import Id
from api.core.pagination import Page
from api.core.web.deps import PageDep, SessionDep
from api.crud.router import crud_router
from api.webhooks import service
from api.webhooks.models import DeliveryStatus
from api.webhooks.schemas import WebhookDeliveryRead

router = crud_router(service.webhooks, tag="webhooks", singular="webhook")


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
