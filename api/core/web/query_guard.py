"""Unknown query parameters are a 422, not silently ignored.

A misspelt filter (``?partnership=3`` for ``?partnership_id=3``) would otherwise return every
row as if it had matched. The allowed names per operation are the query parameters FastAPI
reads for it, which are those the OpenAPI document lists (tests/hardening/test_bad_input.py
compares the two); they are taken from the routes, since building the document at start-up
left each worker about 3.5 MiB larger (bench/memory_bench.py).
"""

from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from api.core.errors import Unprocessable, field_error

_by_operation: dict[str, frozenset[str]] = {}


def _query_names(dependant: Dependant) -> set[str]:
    """The documented query names of ``dependant`` and its sub-dependencies: a parameter's
    alias, or the fields of a query parameter model."""
    names: set[str] = set()
    for field in dependant.query_params:
        if not getattr(field.field_info, "include_in_schema", True):
            continue
        model = field.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            names.update(info.alias or name for name, info in model.model_fields.items())
        else:
            names.add(field.alias)
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def learn_query_names(app: Any) -> None:
    """Note the query parameter names of each documented operation with an operation id."""
    for route in app.routes:
        if isinstance(route, APIRoute) and route.include_in_schema and route.operation_id:
            _by_operation[route.operation_id] = frozenset(_query_names(route.dependant))


def _allowed_names(request: Request, route: APIRoute) -> frozenset[str] | None:
    """Query parameter names of the route's operation (its OpenAPI parameters)."""
    if not _by_operation:
        learn_query_names(request.app)
    return _by_operation.get(route.operation_id) if route.operation_id else None


async def reject_unknown_query_parameters(request: Request) -> None:
    """Runs on the event loop (no I/O), so it costs no thread-pool hop."""
    if not request.query_params:
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed = _allowed_names(request, route)
    if allowed is None:  # not in the schema: nothing to compare with
        return
    unknown = sorted({name for name in request.query_params if name not in allowed})
    if unknown:
        hint = ", ".join(sorted(allowed)) or "none"
        raise Unprocessable(
            f"Unknown query parameter '{unknown[0]}'; this operation accepts: {hint}",
            errors=[field_error(["query", name], "unknown query parameter") for name in unknown],
            slug="unknown-parameter",
        )
