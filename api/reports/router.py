"""Papers (/reports), performance reports, strategy progress and task freshness."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import HTMLResponse

from api.auth.deps import PrincipalDep
from api.core.heavy import heavy_work
from api.core.models import Id, QueryDate
from api.core.pagination import Page
from api.core.web.deps import PageDep, SessionDep, in_turn
from api.core.web.middleware import content_security_policy
from api.crud.router import (
    PROBLEM_RESPONSES,
    VERSIONED_WRITE_RESPONSES,
    IfMatch,
    parse_if_match,
    sort_query,
)
from api.reports import index, performance, progress, render, service
from api.reports.schemas import (
    Freshness,
    PerformanceReport,
    ReportCreate,
    ReportFilters,
    ReportIndex,
    ReportRead,
    ReportUpdate,
    StrategyProgress,
)

router = APIRouter(responses=PROBLEM_RESPONSES)

AsOf = Annotated[
    QueryDate | None,
    Query(description="Show each task as last reported on or before this date (default today)"),
]
Accept = Annotated[str | None, Header(include_in_schema=False)]
ReportSort = sort_query(service.reports)

REPORT_FORMATS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report as JSON, CSV (one row per task) or an HTML print view, "
        "chosen by the Accept header",
        "content": {"text/csv": {}, "text/html": {}},
    }
}
CSV_MEDIA = "text/csv; charset=utf-8"


def preferred(accept: str | None) -> str:
    """'csv', 'html' or 'json' from an Accept header (highest q wins, JSON on a tie)."""
    best, best_q = "json", 0.0
    for part in (accept or "").split(","):
        media, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        kind = {"text/csv": "csv", "text/html": "html", "application/json": "json"}.get(
            media.strip().lower()
        )
        if kind is not None and (q > best_q or (q == best_q and kind == "json")):
            best, best_q = kind, q
    return best


def _shaped(report: performance.ReportData, kind: str, filename: str) -> Response:
    if kind == "csv":
        disposition = f'attachment; filename="{filename}.csv"'
        return Response(
            render.report_csv(report.model),
            media_type=CSV_MEDIA,
            headers={"Content-Disposition": disposition, "Vary": "Accept"},
        )
    if kind == "html":
        policy = content_security_policy(style_hashes=(render.REPORT_STYLE_HASH,))
        return HTMLResponse(
            render.report_html(report.model),
            headers={"Vary": "Accept", "Content-Security-Policy": policy},
        )
    return Response(report.json(), media_type="application/json", headers={"Vary": "Accept"})


# -- performance reports -----------------------------------------------------------------------


@router.get(
    "/partnerships/{partnership_id}/performance-report",
    operation_id="get_performance_report",
    tags=["reports"],
    response_model=PerformanceReport,
    responses=REPORT_FORMATS,
)
@in_turn  # one plan's rows
def get_performance_report(
    partnership_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    as_of: AsOf = None,
    accept: Accept = None,
) -> Response:
    """Per outcome: actions and tasks with target, position, RAG, planned improvement and
    deadline as they stood on ``as_of``, a Green/Amber/Red/Complete/Not rated/Total summary,
    the date, the sub-group and its contact (DESIGN §6)."""
    with heavy_work():
        report = performance.partnership_report(session, principal, partnership_id, as_of)
        name = f"performance-report-{partnership_id}-{report.as_of}"
        return _shaped(report, preferred(accept), name)


@router.get(
    "/partnerships/{partnership_id}/performance-report.html",
    operation_id="get_performance_report_html",
    tags=["reports"],
    response_class=HTMLResponse,
)
@in_turn  # one plan's rows
def get_performance_report_html(
    partnership_id: Id, session: SessionDep, principal: PrincipalDep, as_of: AsOf = None
) -> Response:
    """The performance report as a page a chair can print or save as PDF."""
    with heavy_work():
        report = performance.partnership_report(session, principal, partnership_id, as_of)
        return _shaped(report, "html", "")


@router.get(
    "/partnerships/{partnership_id}/performance-report.csv",
    operation_id="get_performance_report_csv",
    tags=["reports"],
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "One row per task"}},
)
@in_turn  # one plan's rows
def get_performance_report_csv(
    partnership_id: Id, session: SessionDep, principal: PrincipalDep, as_of: AsOf = None
) -> Response:
    """The performance report as CSV, one row per task (a download link for browsers)."""
    with heavy_work():
        report = performance.partnership_report(session, principal, partnership_id, as_of)
        return _shaped(report, "csv", f"performance-report-{partnership_id}-{report.as_of}")


@router.get(
    "/outcomes/{outcome_id}/performance-report",
    operation_id="get_outcome_performance_report",
    tags=["reports"],
    response_model=PerformanceReport,
    responses=REPORT_FORMATS,
)
def get_outcome_performance_report(
    outcome_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    as_of: AsOf = None,
    accept: Accept = None,
) -> Response:
    """The performance report for one outcome, one section per partnership working on it."""
    with heavy_work():
        report = performance.outcome_report(session, principal, outcome_id, as_of)
        name = f"outcome-report-{outcome_id}-{report.as_of}"
        return _shaped(report, preferred(accept), name)


@router.get(
    "/strategies/{strategy_id}/progress",
    operation_id="get_strategy_progress",
    tags=["reports"],
)
def get_strategy_progress(
    strategy_id: Id, session: SessionDep, principal: PrincipalDep, as_of: AsOf = None
) -> StrategyProgress:
    """Priorities -> outcomes -> what we said we'd achieve, how, lead partnership and
    progress to date: RAG roll-up, latest updates, linked indicators against target."""
    with heavy_work():
        return progress.strategy_progress(session, principal, strategy_id, as_of)


@router.get("/report-index", operation_id="get_report_index", tags=["reports"])
def get_report_index(session: SessionDep, principal: PrincipalDep) -> ReportIndex:
    """The partnerships whose performance reports the caller may read (the county: all) and
    the strategies whose progress they may follow, by name."""
    return index.report_index(session, principal)


@router.get("/freshness", operation_id="get_freshness", tags=["reports"])
def get_freshness(
    session: SessionDep,
    principal: PrincipalDep,
    partnership_id: Annotated[Id | None, Query(description="One partnership only")] = None,
) -> Freshness:
    """Per lead organisation, the share of its open tasks updated within the reporting
    cycle: whom to chase before the next report."""
    return performance.freshness(session, principal, partnership_id)


# -- papers ------------------------------------------------------------------------------------


def _etag(version: int) -> str:
    return f'"{version}"'


@router.get("/reports", operation_id="list_reports", tags=["reports"], summary="List reports")
def list_reports(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    filters: Annotated[ReportFilters, Query()],
    sort: ReportSort = None,  # type: ignore[valid-type]
) -> Page[ReportRead]:
    """Papers in the LSP report form."""
    items, total = service.list_reports(session, principal, page, filters, sort)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get(
    "/reports/{report_id}", operation_id="get_report", tags=["reports"], summary="Read a report"
)
def get_report(
    report_id: Id, session: SessionDep, principal: PrincipalDep, response: Response
) -> ReportRead:
    read, version = service.get_report(session, principal, report_id)
    response.headers["ETag"] = _etag(version)
    return read


@router.post(
    "/reports",
    operation_id="create_report",
    status_code=201,
    tags=["reports"],
    summary="Create a report",
)
def create_report(
    body: ReportCreate, session: SessionDep, principal: PrincipalDep, response: Response
) -> ReportRead:
    """A paper: title, description, purpose, circulation, author, contact, published_on,
    target audience, cross reference, narrative, decision required and linked indicators.
    Attach it to an agenda item with ``PATCH /agenda-items/{id} {"report_id": ...}``."""
    read, version = service.create_report(session, principal, body)
    response.headers["ETag"] = _etag(version)
    response.headers["Location"] = f"/api/v1/reports/{read.id}"
    return read


@router.patch(
    "/reports/{report_id}",
    operation_id="update_report",
    tags=["reports"],
    summary="Change a report",
    responses=VERSIONED_WRITE_RESPONSES,
)
def update_report(
    report_id: Id,
    body: ReportUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    if_match: IfMatch = None,
) -> ReportRead:
    """Change fields; ``indicator_ids`` replaces the linked indicators."""
    read, version = service.update_report(
        session, principal, report_id, body, parse_if_match(if_match)
    )
    response.headers["ETag"] = _etag(version)
    return read


@router.delete(
    "/reports/{report_id}",
    operation_id="delete_report",
    status_code=204,
    tags=["reports"],
    summary="Delete a report",
    responses=VERSIONED_WRITE_RESPONSES,
)
def delete_report(
    report_id: Id, session: SessionDep, principal: PrincipalDep, if_match: IfMatch = None
) -> Response:
    """409 while an agenda item still refers to the paper."""
    service.delete_report(session, principal, report_id, parse_if_match(if_match))
    return Response(status_code=204)
