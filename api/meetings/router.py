from fastapi import APIRouter

from api.auth.deps import PrincipalDep
from api.common import Id
from api.crud import service as crud
from api.crud.router import crud_router
from api.db import SessionDep
from api.meetings.schemas import AgendaItemFilters, AgendaItemRead
from api.meetings.service import agenda_items, meetings
from api.pagination import Page, PageDep

router = APIRouter()
router.include_router(crud_router(meetings, tag="meetings", singular="meeting"))
router.include_router(crud_router(agenda_items, tag="meetings", singular="agenda-item"))


@router.get(
    "/meetings/{meeting_id}/agenda-items",
    operation_id="list_meeting_agenda_items",
    tags=["meetings"],
)
def list_meeting_agenda_items(
    meeting_id: Id, session: SessionDep, principal: PrincipalDep, page: PageDep
) -> Page[AgendaItemRead]:
    """The agenda of one meeting, in order."""
    crud.get_row(session, principal, meetings, meeting_id)
    filters = AgendaItemFilters(meeting_id=meeting_id)
    rows, total = crud.list_rows(session, principal, agenda_items, page, filters, "position")
    return Page(items=rows, total=total, limit=page.limit, offset=page.offset)
