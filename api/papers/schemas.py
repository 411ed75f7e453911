from datetime import date, datetime

from pydantic import BaseModel, Field

from api.core.models import STRICT, Can, Id, StrictBody
from api.meetings.models import MeetingStatus
from api.reports.schemas import PerformanceReport


class PaperFileRead(BaseModel):
    """The file of a paper. Identical files are stored once (``sha256``)."""

    report_id: int
    name: str
    content_type: str
    size: int = Field(description="Bytes")
    sha256: str
    uploaded_at: datetime
    download_url: str


class PackPaper(BaseModel):
    id: int
    title: str
    description: str | None
    author: str | None
    decision_required: str | None
    public: bool
    performance_as_of: date | None
    file: PaperFileRead | None


class PackItem(BaseModel):
    id: int
    position: int
    title: str
    presenter: str | None
    minutes_allotted: int | None
    outcome: str | None
    report_id: int | None
    paper: PackPaper | None = Field(
        description="Null when the item has no paper or you may not read it"
    )


class AgendaPack(BaseModel):
    """A meeting's agenda with its papers and, when one is on the agenda, the performance
    report as of its date: one document to read in advance and to print."""

    meeting_id: int
    title: str
    partnership_id: int
    partnership_name: str
    starts_at: datetime
    ends_at: datetime | None
    location: str | None
    status: MeetingStatus
    public: bool
    agenda_published_at: datetime | None
    total_minutes: int = Field(description="Sum of the minutes allotted to the items")
    items: list[PackItem]
    performance_report: PerformanceReport | None
    can: Can = Field(
        description="What you may do with the meeting: ``update`` is building the agenda, "
        "uploading its papers and publishing the pack"
    )


class PerformancePaperCreate(StrictBody):
    model_config = STRICT
    agenda_item_id: Id | None = Field(
        None,
        description="The item to attach it to (without a paper); by default the item titled "
        "'Performance report' without one, else a new item at the end",
    )
