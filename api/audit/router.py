"""``/audit-events``: read-only, administrators only. No operation changes or deletes one."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.audit import service
from api.audit.schemas import AuditEventFilters, AuditEventRead, AuditFacets
from api.auth.deps import PrincipalDep
from api.core.models import Id
from api.core.pagination import Page
from api.core.web.deps import PageDep, SessionDep
from api.crud.router import PROBLEM_RESPONSES

router = APIRouter(prefix="/audit-events", tags=["audit"], responses=PROBLEM_RESPONSES)


@router.get("", operation_id="list_audit_events")
def list_audit_events(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    filters: Annotated[AuditEventFilters, Query()],
) -> Page[AuditEventRead]:
    """Every write, newest first; filter by resource, principal, action or request id."""
    items, total = service.list_events(session, principal, page, filters)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/facets", operation_id="get_audit_facets")
def get_audit_facets(session: SessionDep, principal: PrincipalDep) -> AuditFacets:
    """The resources, actions and principals (with their names) the trail holds."""
    return service.facets(session, principal)


@router.get("/{event_id}", operation_id="get_audit_event")
def get_audit_event(event_id: Id, session: SessionDep, principal: PrincipalDep) -> AuditEventRead:
    return service.get_event(session, principal, event_id)
