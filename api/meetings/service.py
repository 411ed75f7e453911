from typing import Any

from sqlalchemy.orm import Session

from api.auth.principal import Principal
from api.crud.service import Resource
from api.errors import invalid
from api.meetings.models import AgendaItem, Meeting
from api.meetings.schemas import (
    AgendaItemCreate,
    AgendaItemFilters,
    AgendaItemRead,
    AgendaItemUpdate,
    MeetingCreate,
    MeetingFilters,
    MeetingRead,
    MeetingUpdate,
)


def _meeting_times(session: Session, principal: Principal, row: Meeting, *_: Any) -> None:
    if row.ends_at is not None and row.ends_at < row.starts_at:
        raise invalid("ends_at", "must not be before starts_at")


meetings = Resource(
    model=Meeting,
    path="meetings",
    create_schema=MeetingCreate,
    update_schema=MeetingUpdate,
    read_schema=MeetingRead,
    filter_schema=MeetingFilters,
    sortable=("id", "starts_at", "title", "status", "updated_at"),
    default_sort=("starts_at",),
    search=("title", "location"),
    before_create=_meeting_times,
    before_update=_meeting_times,
)

agenda_items = Resource(
    model=AgendaItem,
    path="agenda-items",
    create_schema=AgendaItemCreate,
    update_schema=AgendaItemUpdate,
    read_schema=AgendaItemRead,
    filter_schema=AgendaItemFilters,
    sortable=("id", "position", "meeting_id"),
    default_sort=("meeting_id", "position"),
)
