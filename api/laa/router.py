from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import StreamingResponse

from api.auth.deps import PrincipalDep
from api.core.errors import Unprocessable, field_error
from api.core.models import Id, QueryDateTime
from api.core.web.deps import SessionDep
from api.indicators.schemas import AREA_PATTERN, PERIOD_PATTERN, check_period
from api.laa import service
from api.laa.rag import __doc__ as RAG_RULES
from api.laa.service import COLUMNS, MEDIA_TYPES, ExportFilters, ExportFormat

router = APIRouter(prefix="/laa", tags=["laa"])

EXPORT_DESCRIPTION = f"""
One row per LAA target (indicator x area x period), for the county's Local Area Agreement.

**Columns, in this order** (CSV header, XLSX first row, JSON Lines keys):
{", ".join(f"`{c}`" for c in COLUMNS)}.

- `latest_value`, `reported_on`: the latest measurement (by `reported_on`, then id) of the
  indicator for the area whose period is the target's period or, for a financial-year target,
  one of its quarters. Empty when there is none.
- `outcome_codes`: codes of the outcomes the indicator is linked to, space-separated;
  `lead_partnership`: those outcomes' lead partnerships, `; `-separated.
- `updated_at`: the latest change to the target, its indicator or any of its measurements.
- `rag`: `green`, `amber`, `red` or `no_data`, against the trajectory:
{RAG_RULES}

**Formats.** `csv` (UTF-8, CRLF, header row), `json` (JSON Lines, `application/x-ndjson`: one
object a line with the columns above and `"deleted": false`), `xlsx` (one sheet, for officers).
Text cells starting with `=`, `+`, `-`, `@`, tab or carriage return are prefixed with `'` in
CSV and XLSX so spreadsheets do not run them as formulas. Rows are ordered by indicator
(in catalogue order: NI 1, NI 2, … NI 195, then local indicators as added), area and period.
The body is streamed.

**Delta pulls.** `updated_since` returns only rows changed after that instant. In JSON Lines,
targets deleted since then come first as tombstones
`{{"deleted": true, "code", "area", "period", "deleted_at"}}` (CSV and XLSX omit them). The
response header `LSPHub-Snapshot-At` is the server time at which the export began: pass it as
the next `updated_since`, less a few minutes' overlap for transactions that were still in flight
(rows are keyed by code, area and period, so overlap only repeats rows).

**Caching.** Responses carry a weak `ETag`, computed cheaply from counts and latest change
times of the data behind the filtered set (`area`, `period`, `indicator`, `partnership_id`,
`format`; not
`updated_since`, so it names the state of the data set); send it back in `If-None-Match` to
get `304 Not Modified` when nothing has changed since.
"""


@router.get(
    "/export",
    operation_id="export_laa",
    summary="Export LAA targets with latest values and RAG",
    description=EXPORT_DESCRIPTION,
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The export, streamed",
            "content": {media: {"schema": {"type": "string"}} for media in MEDIA_TYPES.values()},
            "headers": {
                "ETag": {"schema": {"type": "string"}},
                "LSPHub-Snapshot-At": {"schema": {"type": "string", "format": "date-time"}},
            },
        },
        304: {"description": "Not modified since the ETag sent in If-None-Match"},
        401: {"description": "Not authenticated"},
        403: {"description": "Not allowed"},
        422: {"description": "Validation error"},
    },
)
def export_laa(
    session: SessionDep,
    principal: PrincipalDep,
    format: Annotated[ExportFormat, Query(description="csv, json (JSON Lines) or xlsx")] = (
        ExportFormat.csv
    ),
    area: Annotated[
        str | None, Query(pattern=AREA_PATTERN, description="ONS area code, e.g. E07000078")
    ] = None,
    period: Annotated[
        str | None,
        Query(
            description="Target period: 2008-09 or 2008-09-Q2",
            json_schema_extra={"pattern": PERIOD_PATTERN},
        ),
    ] = None,
    indicator: Annotated[
        str | None, Query(max_length=30, description="Indicator code, e.g. NI 186")
    ] = None,
    updated_since: Annotated[
        QueryDateTime | None,
        Query(description="Only rows changed after this instant (ISO 8601 with a zone)"),
    ] = None,
    partnership_id: Annotated[
        Id | None,
        Query(
            description="Only indicators linked to an outcome this partnership leads "
            "(the `lead_partnership` column)"
        ),
    ] = None,
    if_none_match: Annotated[str | None, Header(max_length=500)] = None,
) -> Response:
    if period is not None:
        try:
            check_period(period)
        except ValueError as exc:
            raise Unprocessable(
                str(exc), errors=[field_error(["query", "period"], str(exc))]
            ) from None
    filters = ExportFilters(
        area=area,
        period=period,
        indicator=indicator,
        updated_since=updated_since,
        partnership_id=partnership_id,
    )
    plan = service.plan_export(session, principal, filters, format)
    headers = {
        "ETag": plan.etag,
        "LSPHub-Snapshot-At": plan.started_at.isoformat(),
        "Cache-Control": "private, no-cache",
    }
    if if_none_match and _matches(if_none_match, plan.etag):
        return Response(status_code=304, headers=headers)
    if format == ExportFormat.xlsx:
        headers["Content-Disposition"] = 'attachment; filename="laa-export.xlsx"'
    return StreamingResponse(
        service.stream_export(filters, format), media_type=MEDIA_TYPES[format], headers=headers
    )


def _matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 §13.1.2): ``W/"x"`` matches ``"x"``."""
    wanted = etag.removeprefix("W/")
    candidates = [c.strip().removeprefix("W/") for c in if_none_match.split(",")]
    return "*" in candidates or wanted in candidates
