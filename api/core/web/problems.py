"""The single rendering of every error as RFC 9457 ``application/problem+json``."""

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

from api.core.errors import DomainError, field_error

log = logging.getLogger("lsphub")

PROBLEM_JSON = "application/problem+json"


def problem_response(
    status: int,
    *,
    slug: str | None = None,
    title: str | None = None,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body: dict[str, Any] = {
        "type": f"/problems/{slug}" if slug else "about:blank",
        "title": title or phrase,
        "status": status,
        "detail": detail or title or phrase,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status, headers=headers, media_type=PROBLEM_JSON)


async def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return problem_response(
        exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        headers=exc.headers,
        errors=exc.errors,
        **exc.extra,
    )


def _jsonable_loc(loc: Sequence[Any]) -> list[str | int]:
    return [p if isinstance(p, int) else str(p) for p in loc]


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": _jsonable_loc(e["loc"]), "msg": e["msg"]} for e in exc.errors()]
    first = errors[0] if errors else None
    detail = (
        f"{'.'.join(str(p) for p in first['loc'][1:]) or first['loc'][0]}: {first['msg']}"
        if first
        else "Invalid request"
    )
    return problem_response(
        422, slug="validation-error", title="Validation error", detail=detail, errors=errors
    )


# FastAPI's 400 for a body it cannot decode (invalid UTF-8, nesting too deep for the parser):
# a 422 like any other malformed body, so clients see one status for "your body is wrong".
BODY_PARSE_ERROR = "There was an error parsing the body"


def allowed_methods(request: Request) -> str:
    """The methods of the resource the request's path names, for a 405's ``Allow`` header
    (RFC 9110).

    Starlette names only the methods of the first route matching the path, and a path's
    operations are often separate routes (GET and PATCH ``/tasks/{id}``), so ask them all. As
    in OpenAPI, a concrete path wins over a templated one (``/imports/kinds`` is not an
    ``/imports/{kind}``). A path no route serves is the SPA's static files: GET and HEAD."""
    matching = [
        route
        for route in request.app.router.routes
        if isinstance(route, Route) and route.methods
        if route.matches(request.scope)[0] is not Match.NONE
    ]
    fewest_parameters = min((len(r.param_convertors) for r in matching), default=0)
    methods = {
        method
        for route in matching
        if len(route.param_convertors) == fewest_parameters
        for method in route.methods or ()
    }
    return ", ".join(sorted(methods or {"GET", "HEAD"}))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == BODY_PARSE_ERROR:
        return problem_response(
            422,
            slug="validation-error",
            title="Validation error",
            detail="body: not readable JSON (invalid UTF-8 or nested too deeply)",
            errors=[
                field_error(["body"], "not readable JSON (invalid UTF-8 or nested too deeply)")
            ],
        )
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        headers["Allow"] = allowed_methods(request)
    return problem_response(
        exc.status_code,
        detail=str(exc.detail) if exc.detail else None,
        headers=headers or None,
    )


async def _integrity_error(_: Request, exc: Exception) -> JSONResponse:
    message = str(getattr(exc, "orig", exc)).lower()
    if "foreign key" in message:
        return problem_response(
            422,
            slug="missing-reference",
            title="Reference to a missing record",
            detail="A referenced record does not exist",
        )
    return problem_response(
        409, slug="conflict", title="Conflict", detail="The record clashes with an existing one"
    )


async def _stale(_: Request, exc: Exception) -> JSONResponse:
    return problem_response(
        412,
        slug="precondition-failed",
        title="Precondition failed",
        detail="The record was changed by someone else; reload it and try again",
    )


async def _bad_value(request: Request, exc: Exception) -> JSONResponse:
    """A value the database cannot hold (NUL in text, an integer past 64 bits): the client's."""
    log.info("rejected value on %s %s: %s", request.method, request.url.path, exc)
    return problem_response(
        422,
        slug="invalid-value",
        title="Validation error",
        detail="A value is out of range or contains characters that cannot be stored",
    )


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """Connection refused or lost, lock or statement timeouts: transient, so 503 + Retry-After."""
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    return problem_response(
        503,
        slug="database-unavailable",
        title="Database unavailable",
        detail="The database is unreachable or busy; try again shortly",
        headers={"Retry-After": "5"},
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(500, detail="An unexpected error occurred")


def install_error_handlers(app: FastAPI) -> None:
    """The handlers only format (and log): they are coroutines, so Starlette runs them on the
    event loop and an error response costs no worker-thread hop."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(StaleDataError, _stale)
    app.add_exception_handler(DataError, _bad_value)
    app.add_exception_handler(OverflowError, _bad_value)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(InterfaceError, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)
