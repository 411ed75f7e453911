"""Builds the five CRUD operations of a Resource as a thin FastAPI router."""

from collections.abc import Callable, Hashable, Sequence
from datetime import date, datetime
from types import NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError, WithJsonSchema, create_model
from pydantic_core import to_json
from sqlalchemy import TypeDecorator
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from api.auth.deps import PrincipalDep, bearer, current_principal
from api.core.db import _read_session, ready_in_turn
from api.core.models import Id
from api.core.pagination import MAX_LIMIT, Page, PageParams
from api.core.principal import Principal
from api.core.web.deps import PageDep, SessionDep
from api.core.web.precompiled import PrecompiledRoute, precompile, run_route_dependencies
from api.crud import service
from api.crud.service import Resource

# What If-Match accepts: an ETag of this API ("3", weak W/"3" or bare 3) or * (any version).
ETAG_PATTERN = r'^(\*|(W/)?"[0-9]{1,10}"|[0-9]{1,10})$'
IfMatch = Annotated[
    str | None,
    Header(
        description="The ETag you last read; the write fails with 412 if it has changed",
        pattern=ETAG_PATTERN,
    ),
    # An optional header is absent, never null: the schema is the string's alone.
    WithJsonSchema({"type": "string", "pattern": ETAG_PATTERN, "examples": ['"1"']}),
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
    """``"3"``, ``W/"3"`` or ``3`` -> 3; ``*`` or absent -> no check (the header parameter's
    ``ETAG_PATTERN`` has refused anything else with a 422)."""
    if value is None or value == "*":
        return None
    return int(value.removeprefix("W/").strip('"'))


def sort_pattern(res: Resource[Any]) -> str:
    """``res``'s sortable fields, comma-separated, each optionally prefixed ``-``."""
    field = "-?(" + "|".join(res.sortable) + ")"
    return f"^{field}(,{field})*$"


def sort_query(res: Resource[Any]) -> Any:
    """The ``sort`` query parameter of ``res``: its sortable fields, comma-separated, each
    optionally prefixed ``-`` for descending; the pattern refuses any other field."""
    return Annotated[
        str | None,
        Query(
            description="Comma-separated fields, '-' for descending: " + ", ".join(res.sortable),
            max_length=200,
            pattern=sort_pattern(res),
        ),
    ]


def page_query_model(res: Resource[Any]) -> type[BaseModel]:
    """``limit``, ``offset`` and ``sort`` of ``res``'s list as one model, with the very
    constraints of their Query parameters (``page_params``, :func:`sort_query`)."""
    return create_model(
        f"{res.ident}_page_query",
        limit=(int, Field(50, ge=1, le=MAX_LIMIT)),
        offset=(int, Field(0, ge=0, le=10_000_000)),
        sort=(str | None, Field(None, max_length=200, pattern=sort_pattern(res))),
    )


def record_columns(res: Resource[Any]) -> list[str] | None:
    """The table columns a list page reads when ``res.read_schema`` is exactly table columns
    (no aliases, no model validators, no ``present``); ``None``: read ORM rows instead."""
    if res.present is not None:
        return None
    Read = res.read_schema
    table_columns = res.model.__table__.c
    fields = stored_fields(Read)
    names = list(fields)
    plain = all(
        (name in table_columns or name in res.lookups)
        and field.alias in (None, name)
        and field.validation_alias is None
        for name, field in fields.items()
    )
    if not plain or Read.__pydantic_decorators__.model_validators:
        return None
    return names


def tells_can(Read: type[BaseModel]) -> bool:
    """Does ``Read`` say what the caller may do with the record (``Permitted``)?"""
    if "can" not in Read.model_fields:
        return False
    assert next(iter(Read.model_fields)) == "can", f"{Read.__name__}: Permitted goes last"
    return True


def stored_fields(Read: type[BaseModel]) -> dict[str, Any]:
    """The fields of ``Read`` read from the table (all but ``can``, which is computed)."""
    return {name: field for name, field in Read.model_fields.items() if name != "can"}


def with_lookups(session: Session, res: Resource[Any], rows: Sequence[Any]) -> list[Any]:
    """``rows`` as column dicts with the values of ``res.lookups`` (see ``Resource``)."""
    assert res.present is None, "a resource with lookups presents its rows itself"
    values = service.lookup_values(session, res, rows)
    return [{**service.column_values(row), **values[row.id]} for row in rows]


def with_can(
    session: Session, principal: Principal, res: Resource[Any], row: SQLModel, item: Any
) -> Any:
    """``item`` (``row`` or its presented form) as a ``Read`` that says what ``principal`` may
    do with ``row``."""
    read = (
        item
        if isinstance(item, res.read_schema)
        else res.read_schema.model_validate(item, from_attributes=True)
    )
    read.can = can_schema(res.read_schema).model_validate(res.policy.can(session, principal, row))
    return read


def can_schema(Read: type[BaseModel]) -> type[BaseModel]:
    """The ``Can`` model of ``Read``'s ``can`` field (``Can`` or a resource's subclass)."""
    held = _held_type(Read.model_fields["can"].annotation)
    assert isinstance(held, type) and issubclass(held, BaseModel)
    return held


def _held_type(annotation: Any) -> Any:
    """The type a field holds, seen through ``X | None``."""
    if get_origin(annotation) in (Union, UnionType):
        held = [arg for arg in get_args(annotation) if arg is not NoneType]
        return held[0] if len(held) == 1 else None
    return annotation


def serialises_as_stored(res: Resource[Any]) -> bool:
    """True when validating a row into ``res.read_schema`` cannot change its JSON: every field
    is a bool, int, str (or string enum), date or datetime column holding that very type, and
    the schema has no serializers or computed fields. Such pages are encoded straight from the
    rows (pydantic-core's encoder, so the JSON is byte-for-byte the schema's)."""
    Read = res.read_schema
    decorators = Read.__pydantic_decorators__
    if decorators.field_serializers or decorators.model_serializers or Read.model_computed_fields:
        return False
    table_columns = res.model.__table__.c
    for name, field in stored_fields(Read).items():
        sql_type = res.lookups[name].type if name in res.lookups else table_columns[name].type
        while isinstance(sql_type, TypeDecorator):  # AutoString, UTCDateTime
            sql_type = sql_type.impl_instance
        try:
            stored = sql_type.python_type
        except NotImplementedError:
            return False
        held = _held_type(field.annotation)
        if stored not in (bool, int, str, date, datetime) or not isinstance(held, type):
            return False
        if not (held is stored or (stored is str and issubclass(held, str))):
            return False
    return True


def crud_router(res: Resource[Any], *, tag: str, singular: str, create: bool = True) -> APIRouter:
    """GET list, GET one, POST, PATCH and DELETE for ``res`` under ``/{res.path}``;
    ``create=False`` leaves POST to the feature (e.g. to answer with a secret shown once)."""
    router = APIRouter(prefix=f"/{res.path}", tags=[tag], responses=PROBLEM_RESPONSES)
    _add_list(router, res)
    _add_item_operations(router, res, singular, create)
    return router


def _add_list(router: APIRouter, res: Resource[Any]) -> None:
    """``GET /{res.path}``: a page of rows, filtered and sorted."""
    Read, Filters = res.read_schema, res.filter_schema
    PageRead = Page[Read]  # type: ignore[valid-type]
    present = res.present
    Sort = sort_query(res)
    columns = record_columns(res)
    as_stored = columns is not None and serialises_as_stored(res)
    can = tells_can(Read)
    can_fields = list(can_schema(Read).model_fields) if can else []

    def in_order(allowed: dict[str, bool]) -> dict[str, bool]:
        return {name: allowed[name] for name in can_fields}

    def stored(record: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in record.items() if k not in res.lookups}

    def shared_can(session: Session, principal: Principal) -> Callable[[Any], dict[str, bool]]:
        """``can`` of a page's records: the policy decides on the row, rebuilt from its columns
        (constructed, not validated: they are the stored values), once per ``can_key``."""
        answers: dict[Hashable, dict[str, bool]] = {}

        def can_of(record: dict[str, Any]) -> dict[str, bool]:
            key = res.policy.can_key(principal, record)
            answer = None if key is None else answers.get(key)
            if answer is None:
                row = res.model.model_construct(**stored(record))
                answer = in_order(res.policy.can(session, principal, row))
                if key is not None:
                    answers[key] = answer
            return answer

        return can_of

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
            records, total = service.list_records(
                session, principal, res, columns, page, filters, sort
            )
            if can:  # ``can`` leads the fields, as in the schema (``Permitted`` is the last base)
                can_of = shared_can(session, principal)
                records = [{"can": can_of(record), **record} for record in records]
            rows = records
        else:
            found, total = service.list_rows(session, principal, res, page, filters, sort)
            rows = found if present is None else present(session, principal, found)
            if res.lookups:
                rows = with_lookups(session, res, rows)
            if can:
                rows = [
                    with_can(session, principal, res, row, item)
                    for row, item in zip(found, rows, strict=True)
                ]
        body = {"items": rows, "total": total, "limit": page.limit, "offset": page.offset}
        if as_stored:
            return Response(to_json(body), media_type="application/json")
        page_read = PageRead.model_validate(body, from_attributes=True)
        content = page_read.model_dump_json(exclude_unset=present is not None)
        return Response(content, media_type="application/json")

    list_options: dict[str, Any] = {
        "methods": ["GET"],
        "operation_id": f"list_{res.ident}",
        "summary": f"List {res.path}",
        "response_model": PageRead,
        "route_class_override": PrecompiledRoute,
    }
    if Filters is not None:

        def list_filtered(
            session: SessionDep,
            principal: PrincipalDep,
            page: PageDep,
            filters: Annotated[Filters, Query()],  # type: ignore[valid-type]
            sort: Sort = None,  # type: ignore[valid-type]
        ) -> Response:
            return list_page(session, principal, page, filters, sort)

        endpoint: Any = list_filtered
    else:

        def list_all(
            session: SessionDep,
            principal: PrincipalDep,
            page: PageDep,
            sort: Sort = None,  # type: ignore[valid-type]
        ) -> Response:
            return list_page(session, principal, page, None, sort)

        endpoint = list_all
    fields = Filters.model_fields.values() if Filters is not None else ()
    if not any(_is_sequence(f.annotation) for f in fields):  # one value per name, as FastAPI
        precompile(endpoint, _list_handler(res, list_page))
    router.add_api_route("", endpoint, **list_options)


def _is_sequence(annotation: Any) -> bool:
    held = _held_type(annotation)
    return held is None or get_origin(held) in (list, set, tuple, frozenset) or held is list


ListPage = Any  # list_page(session, principal, page, filters, sort) -> Response

# Offsets from which a page is served in the thread pool: the database walks every row before it.
IN_TURN_OFFSET_LIMIT = 1_000


def served_in_turn(session: Session, page: PageParams, filters: BaseModel | None) -> bool:
    """Is this page read on the event loop, in turn (:func:`api.core.web.deps.in_turn`)?

    A list's first pages without a text search are one indexed statement of a millisecond or
    two, less than the worker-thread hop's own cost. A search (``q``) or a deep page can take
    tens of milliseconds on a county's decade, so those still run in the thread pool and never
    hold the loop; so does a page that would have to open a database connection or wait for
    one."""
    return (
        page.offset < IN_TURN_OFFSET_LIMIT
        and not getattr(filters, "q", None)
        and ready_in_turn(session)
    )


def _list_handler(res: Resource[Any], list_page: ListPage) -> Any:
    """The list operation without FastAPI's per-request dependency solving: the same steps as
    the endpoint and its dependencies, in their order (api/core/web/precompiled.py). The query
    guard; the read session; the principal (401 before any 422 about values); ``limit`` and
    ``offset``, the filters and ``sort`` validated, every error reported at once as
    ``["query", name]``; then the endpoint's work, in turn on the event loop or in one
    thread-pool hop (:func:`served_in_turn`); the session closed before the response is
    sent."""
    PageQuery = page_query_model(res)
    Filters = res.filter_schema

    async def handle(request: Request) -> Response:
        await run_route_dependencies(request)
        session, close_inline = _read_session()
        in_turn = False
        try:
            principal = await current_principal(request, session, await bearer(request))
            received = dict(request.query_params)
            errors: list[Any] = []
            try:
                page_query = PageQuery.model_validate(received)
            except ValidationError as exc:
                page_query = None
                errors.extend(exc.errors(include_url=False))
            page_errors = [e for e in errors if e["loc"][0] != "sort"]
            sort_errors = [e for e in errors if e["loc"][0] == "sort"]
            errors = page_errors
            filters = None
            if Filters is not None:
                try:
                    filters = Filters.model_validate(received)
                except ValidationError as exc:
                    errors.extend(exc.errors(include_url=False))
            errors.extend(sort_errors)
            if errors or page_query is None:
                raise RequestValidationError([{**e, "loc": ("query", *e["loc"])} for e in errors])
            values = page_query.__dict__
            page = PageParams.model_construct(limit=values["limit"], offset=values["offset"])
            in_turn = served_in_turn(session, page, filters)
            if in_turn:
                return list_page(session, principal, page, filters, values["sort"])
            return await run_in_threadpool(
                list_page, session, principal, page, filters, values["sort"]
            )
        finally:
            if close_inline or in_turn:
                session.close()
            else:
                await run_in_threadpool(session.close)

    return handle


def _add_item_operations(
    router: APIRouter, res: Resource[Any], singular: str, with_create: bool
) -> None:
    """GET one, POST (unless ``with_create`` is false), PATCH and DELETE."""
    Create, Update, Read = res.create_schema, res.update_schema, res.read_schema
    op = singular.replace("-", "_")
    present = res.present
    # With ``present``, fields it leaves unset are omitted from every answer.
    shaped: dict[str, Any] = {"response_model_exclude_unset": present is not None}

    can = tells_can(Read)

    def one(session: Session, principal: Principal, row: Any) -> Any:
        item = row if present is None else present(session, principal, [row])[0]
        if res.lookups:
            item = with_lookups(session, res, [row])[0]
        return with_can(session, principal, res, row, item) if can else item

    @router.get("/{item_id}", operation_id=f"get_{op}", summary=f"Read one {singular}", **shaped)
    def get_one(
        item_id: Id, session: SessionDep, principal: PrincipalDep, response: Response
    ) -> Read:  # type: ignore[valid-type]
        row = service.get_row(session, principal, res, item_id)
        response.headers["ETag"] = etag(row)
        return one(session, principal, row)

    if with_create:

        @router.post(
            "",
            operation_id=f"create_{op}",
            status_code=201,
            summary=f"Create a {singular}",
            responses=WRITE_RESPONSES,
            **shaped,
        )
        def create(
            body: Create,  # type: ignore[valid-type]
            session: SessionDep,
            principal: PrincipalDep,
            response: Response,
        ) -> Read:  # type: ignore[valid-type]
            row = service.create_row(session, principal, res, body)
            created(response, res, row)
            return one(session, principal, row)

    @router.patch(
        "/{item_id}",
        operation_id=f"update_{op}",
        summary=f"Change a {singular}",
        responses=VERSIONED_WRITE_RESPONSES,
        **shaped,
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
        return one(session, principal, row)

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


def created(response: Response, res: Resource[Any], row: SQLModel) -> None:
    """The headers of a 201: the new row's ``ETag`` and ``Location``."""
    response.headers["ETag"] = etag(row)
    response.headers["Location"] = f"/api/v1/{res.path}/{row.id}"  # type: ignore[attr-defined]
