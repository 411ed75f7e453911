from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field

from api.common import STRICT, Id, RecordMeta, partial_model
from api.meetings.models import AgendaItemBase, MeetingBase, MeetingKind, MeetingStatus


class MeetingCreate(MeetingBase):
    model_config = STRICT
    starts_at: AwareDatetime = Field(description="With a UTC offset, e.g. 2026-01-15T14:00:00Z")
    ends_at: AwareDatetime | None = None
    minutes_approved_at: AwareDatetime | None = None


MeetingUpdate = partial_model(MeetingCreate, "MeetingUpdate", exclude=("partnership_id",))


class MeetingRead(MeetingBase, RecordMeta):
    pass


class MeetingFilters(BaseModel):
    partnership_id: Id | None = None
    status: MeetingStatus | None = None
    kind: MeetingKind | None = None
    public: bool | None = None
    starts_at_after: datetime | None = None
    starts_at_before: datetime | None = None
    q: str | None = Field(None, max_length=100)


class AgendaItemCreate(AgendaItemBase):
    model_config = STRICT


AgendaItemUpdate = partial_model(AgendaItemBase, "AgendaItemUpdate", exclude=("meeting_id",))


class AgendaItemRead(AgendaItemBase, RecordMeta):
    pass


class AgendaItemFilters(BaseModel):
    meeting_id: Id | None = None
    report_id: Id | None = None
