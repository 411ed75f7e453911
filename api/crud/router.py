"""Builds the five CRUD operations of a Resource as a thin FastAPI router."""

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel
from sqlmodel import SQLModel

from api.auth.deps import PrincipalDep
from api.auth.principal import Principal
from api.common import Id
from api.crud import service
from api.crud.service import Resource
from api.db import SessionDep
from api.errors import Unprocessable, field_error
from api.pagination import Page, PageDep, PageParams

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


def record_columns(res: Resource[Any]) -> list[str] | None:
    """The table columns a list page reads when ``res.read_schema`` is exactly table columns
    (no aliases, no model validators); ``None``: read ORM rows instead."""
    Read = res.read_schema
    table_columns = res.model.__table__.c
    names = list(Read.model_fields)
    plain = all(
        name in table_columns and field.alias in (None, name) and field.validation_alias is None
        for name, field in Read.model_fields.items()
    )
    if not plain or Read.__pydantic_decorators__.model_validators:
        return None
    return names


def crud_router(res: Resource[Any], *, tag: str, singular: str) -> APIRouter:
    """GET list, GET one, POST, PATCH and DELETE for ``res`` under ``/{res.path}``."""
    router = APIRouter(prefix=f"/{res.path}", tags=[tag], responses=PROBLEM_RESPONSES)
    Create, Update, Read = res.create_schema, res.update_schema, res.read_schema
    Filters = res.filter_schema
    op = singular.replace("-", "_")

    PageRead = Page[Read]  # type: ignore[valid-type]
    columns = record_columns(res)

    def list_page(
        session: SessionDep,
        principal: Principal,
        page: PageParams,
        filters: BaseModel | None,
        sort: str | None,
    ) -> Response:
        """Rows are validated into ``Read`` once, here, and sent as JSON: FastAPI does not
        validate the page a second time (response_model still documents it)."""
        rows: Sequence[Any]
        if columns is not None:
            rows, total = service.list_records(
                session, principal, res, columns, page, filters, sort
            )
        else:
            rows, total = service.list_rows(session, principal, res, page, filters, sort)
        body = {"items": rows, "total": total, "limit": page.limit, "offset": page.offset}
        content = PageRead.model_validate(body, from_attributes=True).model_dump_json()
        return Response(content, media_type="application/json")

    list_options: dict[str, Any] = {
        "operation_id": f"list_{res.ident}",
        "summary": f"List {res.path}",
        "response_model": PageRead,
    }
    if Filters is not None:

        @router.get("", **list_options)
        def list_filtered(
            session: SessionDep,
            principal: PrincipalDep,
            page: PageDep,
            filters: Annotated[Filters, Query()],  # type: ignore[valid-type]
            sort: Sort = None,
        ) -> Response:
            return list_page(session, principal, page, filters, sort)

    else:

        @router.get("", **list_options)
        def list_all(
            session: SessionDep, principal: PrincipalDep, page: PageDep, sort: Sort = None
        ) -> Response:
            return list_page(session, principal, page, None, sort)

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
