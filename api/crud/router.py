"""Builds the five CRUD operations of a Resource as a thin FastAPI router."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from sqlmodel import SQLModel

from api.auth.deps import PrincipalDep
from api.common import Id
from api.crud import service
from api.crud.service import Resource
from api.db import SessionDep
from api.errors import Unprocessable, field_error
from api.pagination import Page, PageDep

IfMatch = Annotated[
    str | None,
    Header(description="The ETag you last read; the write fails with 412 if it has changed"),
]
Sort = Annotated[
    str | None,
    Query(description="Comma-separated fields, '-' for descending", max_length=200),
]

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not authenticated"},
    403: {"description": "Not allowed"},
    404: {"description": "Not found"},
    422: {"description": "Validation error"},
}


WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    409: {"description": "Clashes with an existing record, or still referenced"},
}
VERSIONED_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **WRITE_RESPONSES,
    412: {"description": "If-Match does not match the current version"},
}


def etag(row: SQLModel) -> str:
    return f'"{row.version}"'  # type: ignore[attr-defined]


def parse_if_match(value: str | None) -> int | None:
    """``"3"``, ``W/"3"`` or ``3`` -> 3; ``*`` or absent -> no check."""
    if value is None or value.strip() == "*":
        return None
    raw = value.strip().removeprefix("W/").strip('"')
    if not raw.isdigit():
        raise Unprocessable(
            "If-Match must be an ETag from this API",
            errors=[field_error(["header", "if-match"], "not an ETag from this API")],
        )
    return int(raw)


def crud_router(res: Resource[Any], *, tag: str, singular: str) -> APIRouter:
    """GET list, GET one, POST, PATCH and DELETE for ``res`` under ``/{res.path}``."""
    router = APIRouter(prefix=f"/{res.path}", tags=[tag], responses=PROBLEM_RESPONSES)
    Create, Update, Read = res.create_schema, res.update_schema, res.read_schema
    Filters = res.filter_schema
    op = singular.replace("-", "_")

    if Filters is not None:

        @router.get("", operation_id=f"list_{res.ident}", summary=f"List {res.path}")
        def list_filtered(
            session: SessionDep,
            principal: PrincipalDep,
            page: PageDep,
            filters: Annotated[Filters, Query()],  # type: ignore[valid-type]
            sort: Sort = None,
        ) -> Page[Read]:  # type: ignore[valid-type]
            rows, total = service.list_rows(session, principal, res, page, filters, sort)
            return Page(items=rows, total=total, limit=page.limit, offset=page.offset)

    else:

        @router.get("", operation_id=f"list_{res.ident}", summary=f"List {res.path}")
        def list_all(
            session: SessionDep, principal: PrincipalDep, page: PageDep, sort: Sort = None
        ) -> Page[Read]:  # type: ignore[valid-type]
            rows, total = service.list_rows(session, principal, res, page, None, sort)
            return Page(items=rows, total=total, limit=page.limit, offset=page.offset)

    @router.get("/{item_id}", operation_id=f"get_{op}", summary=f"Read one {singular}")
    def get_one(
        item_id: Id, session: SessionDep, principal: PrincipalDep, response: Response
    ) -> Read:  # type: ignore[valid-type]
        row = service.get_row(session, principal, res, item_id)
        response.headers["ETag"] = etag(row)
        return row

    @router.post(
        "",
        operation_id=f"create_{op}",
        status_code=201,
        summary=f"Create a {singular}",
        responses=WRITE_RESPONSES,
    )
    def create(
        body: Create,  # type: ignore[valid-type]
        session: SessionDep,
        principal: PrincipalDep,
        response: Response,
    ) -> Read:  # type: ignore[valid-type]
        row = service.create_row(session, principal, res, body)
        response.headers["ETag"] = etag(row)
        response.headers["Location"] = f"/api/v1/{res.path}/{row.id}"
        return row

    @router.patch(
        "/{item_id}",
        operation_id=f"update_{op}",
        summary=f"Change a {singular}",
        responses=VERSIONED_WRITE_RESPONSES,
    )
    def update(
        item_id: Id,
        body: Update,  # type: ignore[valid-type]
        session: SessionDep,
        principal: PrincipalDep,
        response: Response,
        if_match: IfMatch = None,
    ) -> Read:  # type: ignore[valid-type]
        row = service.update_row(session, principal, res, item_id, body, parse_if_match(if_match))
        response.headers["ETag"] = etag(row)
        return row

    @router.delete(
        "/{item_id}",
        operation_id=f"delete_{op}",
        status_code=204,
        summary=f"Delete a {singular}",
        responses=VERSIONED_WRITE_RESPONSES,
    )
    def remove(
        item_id: Id, session: SessionDep, principal: PrincipalDep, if_match: IfMatch = None
    ) -> Response:
        service.delete_row(session, principal, res, item_id, parse_if_match(if_match))
        return Response(status_code=204)

    return router
