"""HTTP for bulk import and export: parse the request, call the engine, shape the response."""

import hashlib
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlmodel import col, select
from starlette.datastructures import UploadFile

from api.auth.deps import PrincipalDep
from api.core.errors import Forbidden, Unprocessable, field_error
from api.core.pagination import Page, paginate
from api.core.permissions import require_scope
from api.core.principal import Role, Scope
from api.core.web import idempotency
from api.core.web.deps import PageDep, SessionDep
from api.core.web.idempotency import IdempotencyKey
from api.imports import engine, exports
from api.imports.columns import help_table
from api.imports.kinds import KINDS
from api.imports.models import ImportRecord
from api.imports.schemas import ImportKindRead, ImportRecordRead, ImportResult

router = APIRouter(tags=["imports"])

KIND_NAMES = ", ".join(f"`{k}`" for k in KINDS)
KindPath = Annotated[
    str,
    Path(pattern=r"^[a-z][a-z_-]{1,39}$", description=f"One of {KIND_NAMES}"),
]


def kinds_description() -> str:
    parts = []
    for kind in KINDS.values():
        parts.append(
            f"### `{kind.name}` — {kind.title}\n\nNatural key: {kind.key_label()}.\n\n"
            + help_table(kind.columns)
        )
    return "\n\n".join(parts)


@dataclass
class Upload:
    data: bytes
    file_name: str | None
    content_type: str | None


async def read_upload(request: Request) -> Upload:
    """The file from a multipart ``file`` field, or the raw body (JSON array or CSV text)."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise Unprocessable(
                "Send the file in the multipart field 'file'",
                errors=[field_error(["body", "file"], "field required")],
            )
        return Upload(await file.read(), file.filename, file.content_type)
    body = await request.body()
    if not body:
        raise Unprocessable(
            "Send a file (multipart field 'file') or a JSON array of rows",
            errors=[field_error(["body"], "empty body")],
        )
    return Upload(body, None, content_type or None)


UploadDep = Annotated[Upload, Depends(read_upload)]

IMPORT_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "CSV (UTF-8, UTF-8 with BOM or Windows-1252; comma or "
                        "semicolon) or XLSX",
                    }
                },
                "required": ["file"],
            }
        },
        "application/json": {
            "schema": {"type": "array", "items": {"type": "object", "additionalProperties": True}}
        },
        "text/csv": {"schema": {"type": "string", "minLength": 1}},
    },
}


@router.get("/imports/kinds", operation_id="list_import_kinds", response_model=list[ImportKindRead])
def list_import_kinds(principal: PrincipalDep) -> list[ImportKindRead]:
    """The importable kinds with their natural keys and columns (also the export headers)."""
    return [
        ImportKindRead(
            name=kind.name,
            title=kind.title,
            key=list(kind.key),
            columns=[
                {
                    "name": c.name,
                    "type": c.type,
                    "required": c.required,
                    "key": c.key,
                    "help": c.help,
                }
                for c in kind.columns
            ],
        )
        for kind in KINDS.values()
    ]


@router.post(
    "/imports/{kind}",
    operation_id="create_import",
    response_model=ImportResult,
    openapi_extra={"requestBody": IMPORT_BODY},
    responses={
        404: {"description": "Unknown kind"},
        413: {"description": "File larger than the upload limit"},
        422: {"description": "Rejected: every bad row listed in `errors`; nothing written"},
    },
    description=(
        "Import a file of one kind. Every row is validated first; any error → 422 with every "
        "error `{row, column, value, message}` (the first 200; `error_count` has the total) "
        "and nothing is written. Otherwise all rows are written in one transaction. Rows "
        "match existing records by natural key, so running the same file again changes "
        "nothing. `dry_run=true` returns the same summary and the rows that would change "
        "(before → after) without writing. Headers are matched ignoring case and spaces; "
        "unknown columns are listed in `unknown_columns`. A blank cell clears a field (or "
        "takes the column's default); a column left out of the file keeps what is stored.\n\n"
        + kinds_description()
    ),
)
def create_import(
    kind: KindPath,
    upload: UploadDep,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    dry_run: Annotated[bool, Query(description="Validate and report; write nothing")] = False,
    partnership: Annotated[
        str | None,
        Query(max_length=80, description="Partnership slug: fills blank cells, refuses others"),
    ] = None,
    sheet: Annotated[str | None, Query(max_length=100, description="XLSX sheet name")] = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    def run() -> tuple[ImportResult, dict[str, str]]:
        result = engine.run_import(
            session,
            principal,
            kind,
            data=upload.data,
            file_name=upload.file_name,
            content_type=upload.content_type,
            sheet=sheet,
            dry_run=dry_run,
            partnership=partnership,
        )
        return result, {}

    # The fingerprint is the file and the options, not the multipart envelope (its boundary
    # differs on every retry).
    fingerprint = "\0".join(
        [
            hashlib.sha256(upload.data).hexdigest(),
            upload.file_name or "",
            str(dry_run),
            partnership or "",
            sheet or "",
        ]
    )
    return idempotency.respond(
        session,
        principal,
        key=idempotency_key,
        method=request.method,
        path=request.url.path,
        body=fingerprint,
        status_code=200,
        run=run,
    )


@router.get("/imports", operation_id="list_imports", response_model=Page[ImportRecordRead])
def list_imports(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    kind: Annotated[str | None, Query(max_length=40)] = None,
) -> Page[ImportRecordRead]:
    """Applied imports, newest first: admins see all, others their own."""
    if principal.role not in (Role.admin, Role.officer):
        raise Forbidden("Your role may not list imports")
    require_scope(principal, Scope.read)
    stmt = select(ImportRecord).order_by(
        col(ImportRecord.created_at).desc(), col(ImportRecord.id).desc()
    )
    if not principal.is_admin:
        stmt = stmt.where(col(ImportRecord.principal) == principal.label)
    if kind is not None:
        stmt = stmt.where(col(ImportRecord.kind) == kind)
    rows, total = paginate(session, stmt, page)
    return Page[ImportRecordRead](
        items=[ImportRecordRead.model_validate(r, from_attributes=True) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/exports/{kind}",
    operation_id="export_kind",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Every row of the kind, in exactly the import format",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                exports.MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        404: {"description": "Unknown kind"},
    },
)
def export_kind(
    kind: KindPath,
    session: SessionDep,
    principal: PrincipalDep,
    format: Annotated[exports.ExportFormat, Query(description="csv, json or xlsx")] = "csv",
) -> StreamingResponse:
    """Stream every row of a kind in its import format (CSV cells that a spreadsheet would
    run as formulas — starting = + - @ — get a leading apostrophe, which the importer drops).
    """
    scope = exports.authorize_export(session, principal, kind)
    name = f"{scope.kind.name}.{format}"
    return StreamingResponse(
        exports.stream(scope, format),
        media_type=exports.MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
