"""Unknown query parameters are a 422, not silently ignored.

A misspelt filter (``?partnership=3`` for ``?partnership_id=3``) would otherwise return every
row as if it had matched. The allowed names per operation come from the OpenAPI document, so
they are exactly what clients are told they may send.
"""

from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute

from api.core.errors import Unprocessable, field_error

_by_operation: dict[str, frozenset[str]] = {}


def learn_query_names(app: Any) -> None:
    """Take each operation's query parameter names from ``app``'s OpenAPI document."""
    schema: dict[str, Any] = app.openapi()
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                _by_operation[operation["operationId"]] = frozenset(
                    p["name"] for p in operation.get("parameters", []) if p["in"] == "query"
                )


def _allowed_names(request: Request, route: APIRoute) -> frozenset[str] | None:
    """Query parameter names the OpenAPI document lists for the route's operation id."""
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
