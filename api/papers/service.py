"""Papers as files: upload (sniffed, size-capped, content-addressed, chunked), download in
chunks from a session of its own, removal; the agenda pack; its publication; the
performance report as a paper."""

import hashlib
import io
import math
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO

from sqlalchemy import delete, exists, func, insert, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import audit, clock
from api.core.db import session_scope
from api.core.errors import (
    Conflict,
    DomainError,
    NotFound,
    PayloadTooLarge,
    Unprocessable,
    field_error,
)
from api.core.events import emit
from api.core.heavy import heavy_work
from api.core.models import Can
from api.core.principal import Principal
from api.core.settings import get_settings
from api.crud import service as crud
from api.meetings.events import AgendaPublished
from api.meetings.models import AgendaItem, Meeting, MeetingStatus
from api.meetings.schemas import AgendaItemCreate, AgendaItemUpdate
from api.meetings.service import agenda_items, meetings
from api.papers import sniff
from api.papers.models import CHUNK_BYTES, PaperBlob, PaperChunk, PaperFile
from api.papers.schemas import (
    AgendaPack,
    PackItem,
    PackPaper,
    PaperFileRead,
    PerformancePaperCreate,
)
from api.partnerships.access import require_manage_partnership
from api.partnerships.models import Partnership
from api.reports import performance
from api.reports import service as reports_service
from api.reports.models import Report
from api.reports.schemas import ReportCreate

READ_BYTES = 64 * 1024
FILE_FIELD = ["body", "file"]


class PaperOnAgenda(Conflict):
    slug, title = "paper-on-agenda", "The paper is on an agenda"


# -- storing and reading bytes -----------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    sha256: str
    size: int


def _measure(stream: BinaryIO, limit: int) -> Measured:
    """SHA-256 and size of ``stream``, read in small pieces; 413 past ``limit`` bytes."""
    digest = hashlib.sha256()
    size = 0
    stream.seek(0)
    while piece := stream.read(READ_BYTES):
        size += len(piece)
        if size > limit:
            raise PayloadTooLarge(f"A paper may be at most {limit} bytes")
        digest.update(piece)
    return Measured(digest.hexdigest(), size)


def _store(session: Session, stream: BinaryIO, measured: Measured, content_type: str) -> None:
    """Write the blob and its chunks unless that content is stored already."""
    if session.scalar(select(exists().where(col(PaperBlob.sha256) == measured.sha256))):
        return
    try:
        with session.begin_nested():
            session.execute(
                insert(PaperBlob).values(
                    sha256=measured.sha256,
                    size=measured.size,
                    content_type=content_type,
                    chunk_count=math.ceil(measured.size / CHUNK_BYTES),
                    created_at=clock.now(),
                )
            )
            stream.seek(0)
            seq = 0
            while chunk := stream.read(CHUNK_BYTES):
                session.execute(
                    insert(PaperChunk).values(sha256=measured.sha256, seq=seq, data=chunk)
                )
                seq += 1
    except IntegrityError:
        # A concurrent upload of the same content committed first: theirs serves both.
        if not session.scalar(select(exists().where(col(PaperBlob.sha256) == measured.sha256))):
            raise


def _drop_if_orphan(session: Session, sha256: str) -> None:
    if session.scalar(select(exists().where(col(PaperFile.sha256) == sha256))):
        return
    session.execute(delete(PaperChunk).where(col(PaperChunk.sha256) == sha256))
    session.execute(delete(PaperBlob).where(col(PaperBlob.sha256) == sha256))


def sweep_orphan_blobs(session: Session, now: datetime) -> int:
    """Blobs no paper refers to any more (their paper was deleted); for housekeeping."""
    orphans = list(
        session.scalars(
            select(PaperBlob.sha256).where(
                ~exists().where(col(PaperFile.sha256) == col(PaperBlob.sha256))
            )
        )
    )
    for sha256 in orphans:
        _drop_if_orphan(session, sha256)
    return len(orphans)


def iter_blob(sha256: str, chunk_count: int) -> Iterator[bytes]:
    """The bytes of a blob, chunk by chunk, read in a session of its own (the request's
    session is closed by the time a streamed response is sent)."""
    with session_scope(write=False) as session:
        for seq in range(chunk_count):
            data = session.scalar(
                select(PaperChunk.data).where(
                    col(PaperChunk.sha256) == sha256, col(PaperChunk.seq) == seq
                )
            )
            if data is None:
                return
            yield data
            session.expire_all()


# -- a paper's file ----------------------------------------------------------------------------

UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\\"]")


def clean_filename(name: str | None) -> str:
    """The last path segment of the client's name, without control characters or quotes."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name or ""))[-1]
    base = UNSAFE_NAME.sub("_", base).strip(" .")
    if not base:
        raise Unprocessable(
            "file: the upload has no file name", errors=[field_error(FILE_FIELD, "no file name")]
        )
    if len(base) > 255:
        stem, ext = base[: base.rfind(".")], sniff.extension(base)
        base = stem[: 255 - len(ext)] + ext
    return base


def download_url(report_id: int) -> str:
    return f"/api/v1/reports/{report_id}/file"


def file_read(row: PaperFile) -> PaperFileRead:
    return PaperFileRead(
        report_id=row.report_id,
        name=row.name,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        uploaded_at=row.uploaded_at,
        download_url=download_url(row.report_id),
    )


def _writable_report(session: Session, principal: Principal, report_id: int) -> Report:
    row = crud.get_row(session, principal, reports_service.reports, report_id)
    reports_service.reports.policy.authorize_update(session, principal, row, {})
    return row


def _check_kind(stream: BinaryIO, name: str, declared: str | None) -> sniff.Kind:
    kind = sniff.sniff(stream)
    if kind is None:
        msg = f"not a file type we accept ({sniff.ALLOWED}), judged by its content"
        raise Unprocessable(
            f"file: {msg}", slug="unsupported-file-type", errors=[field_error(FILE_FIELD, msg)]
        )
    ext = sniff.extension(name)
    if ext not in kind.extensions:
        msg = f"the content is a {kind.name} but the name ends '{ext or '(no extension)'}'"
        raise Unprocessable(
            f"file: {msg}", slug="file-type-mismatch", errors=[field_error(FILE_FIELD, msg)]
        )
    claimed = (declared or "").split(";")[0].strip().lower()
    if claimed not in sniff.UNDECLARED and claimed != kind.content_type:
        msg = f"the content is a {kind.name} ({kind.content_type}), not {claimed}"
        raise Unprocessable(
            f"file: {msg}", slug="file-type-mismatch", errors=[field_error(FILE_FIELD, msg)]
        )
    return kind


def attach_file(
    session: Session,
    principal: Principal,
    report_id: int,
    stream: BinaryIO,
    filename: str | None,
    declared_type: str | None,
) -> tuple[PaperFileRead, bool]:
    """Store ``stream`` as the file of paper ``report_id`` (replacing any); True if new."""
    report = _writable_report(session, principal, report_id)
    name = clean_filename(filename)
    measured = _measure(stream, get_settings().max_paper_bytes)
    kind = _check_kind(stream, name, declared_type)
    _store(session, stream, measured, kind.content_type)
    current = session.get(PaperFile, report_id)
    before = audit.snapshot(current)
    previous_sha = current.sha256 if current is not None else None
    if current is None:
        current = PaperFile(report_id=report_id, sha256=measured.sha256, name=name,
                            content_type=kind.content_type, size=measured.size)  # fmt: skip
        session.add(current)
    else:
        current.sha256, current.name = measured.sha256, name
        current.content_type, current.size = kind.content_type, measured.size
        current.uploaded_at = clock.now()
    report.updated_at = clock.now()  # a new version of the paper, so ETags see the change
    session.flush()
    if previous_sha is not None and previous_sha != measured.sha256:
        _drop_if_orphan(session, previous_sha)
    audit.record(session, principal, "attach_file", "report", report_id, before=before,
                 after=audit.snapshot(current))  # fmt: skip
    return file_read(current), before is None


def attach_bytes(session: Session, report_id: int, data: bytes, filename: str) -> PaperFile:
    """Store ``data`` as the file of paper ``report_id`` without a caller (demo data, imports
    run from the command line); the same checks as an upload."""
    stream = io.BytesIO(data)
    name = clean_filename(filename)
    measured = _measure(stream, get_settings().max_paper_bytes)
    kind = _check_kind(stream, name, None)
    _store(session, stream, measured, kind.content_type)
    row = PaperFile(report_id=report_id, sha256=measured.sha256, name=name,
                    content_type=kind.content_type, size=measured.size)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def readable_file(session: Session, principal: Principal, report_id: int) -> PaperFile:
    """The file of a paper the caller may read; 404 otherwise (or when it has none)."""
    crud.get_row(session, principal, reports_service.reports, report_id)
    row = session.get(PaperFile, report_id)
    if row is None:
        raise NotFound(f"Report {report_id} has no file")
    return row


def chunk_count(session: Session, sha256: str) -> int:
    return session.scalar(select(PaperBlob.chunk_count).where(col(PaperBlob.sha256) == sha256)) or 0


def on_agenda(session: Session, report_id: int) -> bool:
    return bool(session.scalar(select(exists().where(col(AgendaItem.report_id) == report_id))))


def remove_file(session: Session, principal: Principal, report_id: int) -> None:
    """Detach and (unless another paper holds the same content) delete a paper's file; 409
    while the paper is on an agenda."""
    report = _writable_report(session, principal, report_id)
    row = session.get(PaperFile, report_id)
    if row is None:
        raise NotFound(f"Report {report_id} has no file")
    if on_agenda(session, report_id):
        raise PaperOnAgenda(
            f"Report {report_id} is on an agenda: take it off the agenda before removing its file"
        )
    before = audit.snapshot(row)
    session.delete(row)
    report.updated_at = clock.now()
    session.flush()
    _drop_if_orphan(session, row.sha256)
    audit.record(session, principal, "remove_file", "report", report_id, before=before)


# -- the agenda pack ---------------------------------------------------------------------------


def _readable_reports(
    session: Session, principal: Principal, report_ids: Sequence[int]
) -> dict[int, Report]:
    """Of ``report_ids``, the papers the caller may read, and every public one."""
    if not report_ids:
        return {}
    found: dict[int, Report] = {
        r.id: r
        for r in session.scalars(
            select(Report).where(col(Report.id).in_(report_ids), col(Report.public) == true())
        )
        if r.id is not None
    }
    try:
        stmt = reports_service.reports.policy.visible(session, principal, select(Report))
    except DomainError:  # a role that reads no papers (partner keys)
        return found
    for r in session.scalars(stmt.where(col(Report.id).in_(report_ids))):
        if r.id is not None:
            found[r.id] = r
    return found


def _meeting_date(meeting: Meeting) -> date:
    return meeting.starts_at.astimezone(clock.LONDON).date()


def agenda_pack(session: Session, principal: Principal, meeting_id: int) -> AgendaPack:
    meeting = crud.get_row(session, principal, meetings, meeting_id)
    items = list(
        session.scalars(
            select(AgendaItem)
            .where(col(AgendaItem.meeting_id) == meeting_id)
            .order_by(col(AgendaItem.position), col(AgendaItem.id))
        )
    )
    report_ids = sorted({i.report_id for i in items if i.report_id is not None})
    papers = _readable_reports(session, principal, report_ids)
    files = {
        f.report_id: f
        for f in session.scalars(
            select(PaperFile).where(col(PaperFile.report_id).in_(sorted(papers)))
        )
    } if papers else {}  # fmt: skip
    pack_items = []
    as_of: date | None = None
    for item in items:
        paper = papers.get(item.report_id) if item.report_id is not None else None
        if paper is not None and paper.performance_as_of is not None and as_of is None:
            as_of = paper.performance_as_of
        pack_items.append(
            PackItem(
                id=item.id or 0,
                position=item.position,
                title=item.title,
                presenter=item.presenter,
                minutes_allotted=item.minutes_allotted,
                outcome=item.outcome,
                report_id=item.report_id,
                paper=None
                if paper is None or paper.id is None
                else PackPaper(
                    id=paper.id,
                    title=paper.title,
                    description=paper.description,
                    author=paper.author,
                    decision_required=paper.decision_required,
                    public=paper.public,
                    performance_as_of=paper.performance_as_of,
                    file=file_read(files[paper.id]) if paper.id in files else None,
                ),
            )
        )
    report = None
    if as_of is not None:
        try:
            with heavy_work():
                report = performance.partnership_report(
                    session, principal, meeting.partnership_id, as_of
                ).model
        except DomainError:  # the caller may see the meeting but not the partnership's plan
            report = None
    partnership_name = session.scalar(
        select(Partnership.name).where(col(Partnership.id) == meeting.partnership_id)
    )
    return AgendaPack(
        meeting_id=meeting_id,
        title=meeting.title,
        partnership_id=meeting.partnership_id,
        partnership_name=partnership_name or "",
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        location=meeting.location,
        status=meeting.status,
        public=meeting.public,
        agenda_published_at=meeting.agenda_published_at,
        total_minutes=sum(i.minutes_allotted or 0 for i in items),
        items=pack_items,
        performance_report=report,
        can=Can.model_validate(meetings.policy.can(session, principal, meeting)),
    )


def _managed_meeting(session: Session, principal: Principal, meeting_id: int) -> Meeting:
    meeting = crud.get_row(session, principal, meetings, meeting_id)
    require_manage_partnership(session, principal, meeting.partnership_id)
    return meeting


def publish_agenda(session: Session, principal: Principal, meeting_id: int) -> AgendaPack:
    """Stamp the agenda pack as published (again, after changes) and announce it."""
    meeting = _managed_meeting(session, principal, meeting_id)
    if meeting.status == MeetingStatus.cancelled:
        raise Conflict(
            f"Meeting {meeting_id} is cancelled: its agenda is not published",
            slug="meeting-cancelled",
        )
    count = session.scalar(
        select(func.count()).select_from(AgendaItem).where(col(AgendaItem.meeting_id) == meeting_id)
    )
    if not count:
        raise Conflict(f"Meeting {meeting_id} has no agenda to publish", slug="empty-agenda")
    before = {"agenda_published_at": meeting.agenda_published_at}
    meeting.agenda_published_at = clock.now()
    session.flush()
    audit.record(session, principal, "publish_agenda", "meeting", meeting_id, before=before,
                 after={"agenda_published_at": meeting.agenda_published_at})  # fmt: skip
    emit(session, AgendaPublished(meeting_id=meeting_id))
    return agenda_pack(session, principal, meeting_id)


PERFORMANCE_TITLE = "performance report"


def attach_performance_report(
    session: Session, principal: Principal, meeting_id: int, body: PerformancePaperCreate
) -> PackItem:
    """A paper that is the partnership's performance report as of the meeting's date, on the
    chosen agenda item (or the 'Performance report' item, or a new one at the end)."""
    meeting = _managed_meeting(session, principal, meeting_id)
    as_of = _meeting_date(meeting)
    item: AgendaItem | None = None
    if body.agenda_item_id is not None:
        item = session.scalar(
            select(AgendaItem).where(
                col(AgendaItem.id) == body.agenda_item_id, col(AgendaItem.meeting_id) == meeting_id
            )
        )
        if item is None:
            raise Unprocessable(
                f"agenda_item_id: no item {body.agenda_item_id} on meeting {meeting_id}",
                errors=[field_error("agenda_item_id", "not an item of this meeting")],
            )
        if item.report_id is not None:
            raise Conflict(
                f"Agenda item {item.id} has a paper already", slug="agenda-item-has-paper"
            )
    else:
        item = session.scalar(
            select(AgendaItem)
            .where(
                col(AgendaItem.meeting_id) == meeting_id,
                col(AgendaItem.report_id).is_(None),
                func.lower(col(AgendaItem.title)).contains(PERFORMANCE_TITLE),
            )
            .order_by(col(AgendaItem.position), col(AgendaItem.id))
            .limit(1)
        )
    paper, _ = reports_service.create_report(
        session,
        principal,
        ReportCreate(
            partnership_id=meeting.partnership_id,
            title=f"Performance report as of {as_of.day} {as_of:%B %Y}",
            description="Green, Amber and Red tasks per outcome as reported on or before the "
            "meeting's date",
            published_on=clock.today(),
            performance_as_of=as_of,
            public=meeting.public,
        ),
    )
    if item is None:
        last = session.scalar(
            select(func.max(AgendaItem.position)).where(col(AgendaItem.meeting_id) == meeting_id)
        )
        item = crud.create_row(
            session,
            principal,
            agenda_items,
            AgendaItemCreate(
                meeting_id=meeting_id,
                position=(last or 0) + 1,
                title="Performance report",
                report_id=paper.id,
            ),
        )
    else:
        assert item.id is not None
        item = crud.update_row(
            session, principal, agenda_items, item.id, AgendaItemUpdate(report_id=paper.id), None
        )
    pack = agenda_pack(session, principal, meeting_id)
    return next(i for i in pack.items if i.id == item.id)
