from fastapi import APIRouter, Response

from api.auth.deps import PrincipalDep
from api.core.models import Id
from api.core.web.deps import SessionDep
from api.core.web.routing import include_flat
from api.crud.router import VERSIONED_WRITE_RESPONSES, IfMatch, crud_router, parse_if_match
from api.indicators import service
from api.indicators.schemas import IndicatorLinks, IndicatorLinksRead

router = APIRouter()

indicators_router = crud_router(service.indicators, tag="indicators", singular="indicator")


@indicators_router.get(
    "/{item_id}/links",
    operation_id="get_indicator_links",
    summary="The outcomes and tasks an indicator belongs to",
)
def get_indicator_links(
    item_id: Id, session: SessionDep, principal: PrincipalDep, response: Response
) -> IndicatorLinksRead:
    links = service.get_links(session, principal, item_id)
    response.headers["ETag"] = f'"{links.version}"'
    return links


@indicators_router.put(
    "/{item_id}/links",
    operation_id="set_indicator_links",
    summary="Replace the outcomes and tasks an indicator belongs to",
    description="Send the complete lists; links not listed are removed. Honours `If-Match` "
    "with the indicator's ETag.",
    responses=VERSIONED_WRITE_RESPONSES,
)
def set_indicator_links(
    item_id: Id,
    body: IndicatorLinks,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    if_match: IfMatch = None,
) -> IndicatorLinksRead:
    links = service.set_links(session, principal, item_id, body, parse_if_match(if_match))
    response.headers["ETag"] = f'"{links.version}"'
    return links


include_flat(router, indicators_router)
include_flat(router, crud_router(service.laa_targets, tag="laa-targets", singular="laa-target"))
include_flat(router, crud_router(service.measurements, tag="measurements", singular="measurement"))
