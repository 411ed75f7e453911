from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.auth.deps import PrincipalDep
from api.core.models import Id
from api.core.pagination import Page
from api.core.web.deps import PageDep, SessionDep
from api.core.web.routing import include_flat
from api.crud import service as crud
from api.crud.router import (
    PROBLEM_RESPONSES,
    VERSIONED_WRITE_RESPONSES,
    WRITE_RESPONSES,
    IfMatch,
    crud_router,
    etag,
    parse_if_match,
    sort_query,
    with_can,
)
from api.meetings import attendance, decisions
from api.meetings import service as meetings_service
from api.meetings.models import Meeting
from api.meetings.schemas import (
    AgendaItemFilters,
    AgendaItemRead,
    AgendaReorder,
    AttendanceRead,
    AttendanceRecord,
    DecisionCreate,
    DecisionRead,
    MeetingCreate,
    MeetingFilters,
    MeetingRead,
    MeetingUpdate,
    MinutesApproval,
)
from api.meetings.service import agenda_items, meetings

router = APIRouter()
# Meetings carry a computed quorum, so their five operations are written out here.
meeting_routes = APIRouter(prefix="/meetings", tags=["meetings"], responses=PROBLEM_RESPONSES)
MeetingSort = sort_query(meetings)


def read_meeting(session: SessionDep, principal: PrincipalDep, row: Meeting) -> MeetingRead:
    """The meeting with its live quorum and what ``principal`` may do with it."""
    read = meetings_service.to_read(row, meetings_service.quorum_of(session, row))
    return with_can(session, principal, meetings, row, read)


@meeting_routes.get("", operation_id="list_meetings", summary="List meetings")
def list_meetings(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    filters: Annotated[MeetingFilters, Query()],
    sort: MeetingSort = None,  # type: ignore[valid-type]
) -> Page[MeetingRead]:
    """Each meeting with its live quorum (one aggregate query for the page)."""
    rows, total = crud.list_rows(session, principal, meetings, page, filters, sort)
    reads = meetings_service.with_quorum(session, rows)
    items = [
        with_can(session, principal, meetings, *pair) for pair in zip(rows, reads, strict=True)
    ]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@meeting_routes.get("/{item_id}", operation_id="get_meeting", summary="Read one meeting")
def get_meeting(
    item_id: Id, session: SessionDep, principal: PrincipalDep, response: Response
) -> MeetingRead:
    row = crud.get_row(session, principal, meetings, item_id)
    response.headers["ETag"] = etag(row)
    return read_meeting(session, principal, row)


@meeting_routes.post("", operation_id="create_meeting", status_code=201, summary="Create a meeting")
def create_meeting(
    body: MeetingCreate, session: SessionDep, principal: PrincipalDep, response: Response
) -> MeetingRead:
    row = crud.create_row(session, principal, meetings, body)
    response.headers["ETag"] = etag(row)
    response.headers["Location"] = f"/api/v1/meetings/{row.id}"
    return read_meeting(session, principal, row)


@meeting_routes.patch(
    "/{item_id}",
    operation_id="update_meeting",
    summary="Change a meeting",
    description="Status moves scheduled → held / adjourned (with adjourned_to_id) / cancelled; "
    "a cancelled meeting may be reinstated. Approved minutes no longer change.",
    responses=VERSIONED_WRITE_RESPONSES,
)
def update_meeting(
    item_id: Id,
    body: MeetingUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    if_match: IfMatch = None,
) -> MeetingRead:
    row = crud.update_row(session, principal, meetings, item_id, body, parse_if_match(if_match))
    response.headers["ETag"] = etag(row)
    return read_meeting(session, principal, row)


@meeting_routes.delete(
    "/{item_id}",
    operation_id="delete_meeting",
    status_code=204,
    summary="Delete a meeting",
    responses=VERSIONED_WRITE_RESPONSES,
)
def delete_meeting(
    item_id: Id, session: SessionDep, principal: PrincipalDep, if_match: IfMatch = None
) -> Response:
    crud.delete_row(session, principal, meetings, item_id, parse_if_match(if_match))
    return Response(status_code=204)


@meeting_routes.post(
    "/{meeting_id}/minutes-approval",
    operation_id="approve_meeting_minutes",
    responses=WRITE_RESPONSES,
)
def approve_meeting_minutes(
    meeting_id: Id, body: MinutesApproval, session: SessionDep, principal: PrincipalDep
) -> MeetingRead:
    """Record that a later, quorate meeting approved these minutes as a true record."""
    return meetings_service.approve_minutes(session, principal, meeting_id, body)


@meeting_routes.get("/{meeting_id}/agenda-items", operation_id="list_meeting_agenda_items")
def list_meeting_agenda_items(
    meeting_id: Id, session: SessionDep, principal: PrincipalDep, page: PageDep
) -> Page[AgendaItemRead]:
    """The agenda of one meeting, in order."""
    crud.get_row(session, principal, meetings, meeting_id)
    filters = AgendaItemFilters(meeting_id=meeting_id)
    rows, total = crud.list_rows(session, principal, agenda_items, page, filters, "position")
    return Page(items=rows, total=total, limit=page.limit, offset=page.offset)


@meeting_routes.post(
    "/{meeting_id}/agenda-items/reorder", operation_id="reorder_meeting_agenda_items"
)
def reorder_meeting_agenda_items(
    meeting_id: Id, body: AgendaReorder, session: SessionDep, principal: PrincipalDep
) -> list[AgendaItemRead]:
    """Put the agenda in the order given (every item once); positions become 1..n."""
    rows = meetings_service.reorder_agenda(session, principal, meeting_id, body)
    return [AgendaItemRead.model_validate(r) for r in rows]


@meeting_routes.get("/{meeting_id}/attendance", operation_id="list_meeting_attendance")
def list_meeting_attendance(
    meeting_id: Id, session: SessionDep, principal: PrincipalDep, page: PageDep
) -> Page[AttendanceRead]:
    """Who was present, sent apologies, was absent or sent a substitute."""
    items, total = attendance.list_attendance(session, principal, meeting_id, page)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@meeting_routes.put(
    "/{meeting_id}/attendance/{membership_id}",
    operation_id="record_meeting_attendance",
    responses={201: {"description": "Recorded for the first time"}, **VERSIONED_WRITE_RESPONSES},
)
def record_meeting_attendance(
    meeting_id: Id,
    membership_id: Id,
    body: AttendanceRecord,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    if_match: IfMatch = None,
) -> AttendanceRead:
    """Record one member's attendance. Members may send their own apologies (or a substitute)
    before the meeting; officers record everything else."""
    read, created = attendance.record_attendance(
        session, principal, meeting_id, membership_id, body, parse_if_match(if_match)
    )
    response.status_code = 201 if created else 200
    response.headers["ETag"] = f'"{read.version}"'
    return read


@meeting_routes.delete(
    "/{meeting_id}/attendance/{membership_id}",
    operation_id="delete_meeting_attendance",
    status_code=204,
    responses=VERSIONED_WRITE_RESPONSES,
)
def delete_meeting_attendance(
    meeting_id: Id,
    membership_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Response:
    attendance.delete_attendance(
        session, principal, meeting_id, membership_id, parse_if_match(if_match)
    )
    return Response(status_code=204)


@meeting_routes.get("/{meeting_id}/decisions", operation_id="list_meeting_decisions")
def list_meeting_decisions(
    meeting_id: Id, session: SessionDep, principal: PrincipalDep, page: PageDep
) -> Page[DecisionRead]:
    items, total = decisions.list_decisions(session, principal, meeting_id, page)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@meeting_routes.get("/{meeting_id}/decisions/{decision_id}", operation_id="get_meeting_decision")
def get_meeting_decision(
    meeting_id: Id, decision_id: Id, session: SessionDep, principal: PrincipalDep
) -> DecisionRead:
    return decisions.get_decision(session, principal, meeting_id, decision_id)


@meeting_routes.post(
    "/{meeting_id}/decisions", operation_id="create_meeting_decision", status_code=201
)
def create_meeting_decision(
    meeting_id: Id,
    body: DecisionCreate,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> DecisionRead:
    """Record a motion and its vote; ``result`` is computed from the terms of reference.
    409 /problems/inquorate at an inquorate meeting."""
    read = decisions.create_decision(session, principal, meeting_id, body)
    response.headers["Location"] = f"/api/v1/meetings/{meeting_id}/decisions/{read.id}"
    return read


include_flat(router, meeting_routes)
include_flat(router, crud_router(agenda_items, tag="meetings", singular="agenda-item"))
