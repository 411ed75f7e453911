"""Papers as files, the agenda pack and its publication."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Header, Response, UploadFile
from fastapi.responses import StreamingResponse

from api.auth.deps import PrincipalDep
from api.core.models import Id
from api.core.web.deps import SessionDep
from api.crud.router import PROBLEM_RESPONSES, WRITE_RESPONSES
from api.papers import service, sniff
from api.papers.schemas import AgendaPack, PackItem, PaperFileRead, PerformancePaperCreate

router = APIRouter(responses=PROBLEM_RESPONSES)

FILE_DOC = "PDF, DOCX, XLSX, ODT, PNG or JPEG, up to LSPHUB_MAX_PAPER_BYTES"


@router.put(
    "/reports/{report_id}/file",
    operation_id="upload_report_file",
    tags=["reports"],
    summary="Upload a paper's file",
    responses={
        201: {"description": "The paper had no file before"},
        400: {"description": "The body is not a readable multipart form"},
        413: {"description": "Larger than LSPHUB_MAX_PAPER_BYTES"},
        **WRITE_RESPONSES,
    },
)
def upload_report_file(
    report_id: Id,
    file: Annotated[UploadFile, File(description=FILE_DOC)],
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> PaperFileRead:
    """Attach a file to the paper, replacing any it had. The type is judged from the bytes
    and must agree with the file name's extension and the part's declared type (else 422);
    identical files are stored once."""
    read, created = service.attach_file(
        session, principal, report_id, file.file, file.filename, file.content_type
    )
    response.status_code = 201 if created else 200
    response.headers["Location"] = read.download_url
    return read


@router.get(
    "/reports/{report_id}/file",
    operation_id="download_report_file",
    tags=["reports"],
    summary="Download a paper's file",
    response_class=StreamingResponse,
    responses={
        200: {"content": {kind.content_type: {} for kind in sniff.KINDS}, "description": FILE_DOC}
    },
)
def download_report_file(
    report_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """The file, streamed in chunks; 404 unless you may read the paper."""
    row = service.readable_file(session, principal, report_id)
    etag = f'"{row.sha256}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if if_none_match is not None and etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    headers["Content-Length"] = str(row.size)
    headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(row.name, safe='')}"
    chunks = service.chunk_count(session, row.sha256)
    return StreamingResponse(
        service.iter_blob(row.sha256, chunks), media_type=row.content_type, headers=headers
    )


@router.delete(
    "/reports/{report_id}/file",
    operation_id="delete_report_file",
    tags=["reports"],
    status_code=204,
    summary="Remove a paper's file",
    responses=WRITE_RESPONSES,
)
def delete_report_file(report_id: Id, session: SessionDep, principal: PrincipalDep) -> Response:
    """409 while the paper is on an agenda."""
    service.remove_file(session, principal, report_id)
    return Response(status_code=204)


@router.get(
    "/meetings/{meeting_id}/agenda-pack",
    operation_id="get_agenda_pack",
    tags=["meetings"],
    summary="Read a meeting's agenda pack",
)
def get_agenda_pack(meeting_id: Id, session: SessionDep, principal: PrincipalDep) -> AgendaPack:
    """The agenda, the papers you may read (with their files) and the performance report
    as of the meeting's date when it is on the agenda."""
    return service.agenda_pack(session, principal, meeting_id)


@router.post(
    "/meetings/{meeting_id}/agenda-pack/publication",
    operation_id="publish_agenda_pack",
    tags=["meetings"],
    summary="Publish a meeting's agenda pack",
    responses=WRITE_RESPONSES,
)
def publish_agenda_pack(meeting_id: Id, session: SessionDep, principal: PrincipalDep) -> AgendaPack:
    """Stamp the pack as published (again, after a change) and tell whoever follows the
    meeting. 409 for a cancelled meeting or an empty agenda."""
    return service.publish_agenda(session, principal, meeting_id)


@router.post(
    "/meetings/{meeting_id}/performance-report-paper",
    operation_id="attach_performance_report_paper",
    tags=["meetings"],
    status_code=201,
    summary="Put the performance report on the agenda",
    responses=WRITE_RESPONSES,
)
def attach_performance_report_paper(
    meeting_id: Id, body: PerformancePaperCreate, session: SessionDep, principal: PrincipalDep
) -> PackItem:
    """A paper that is the partnership's performance report as of the meeting's date, on an
    agenda item (the one named, else the item titled 'Performance report' without a paper,
    else a new last item)."""
    return service.attach_performance_report(session, principal, meeting_id, body)
