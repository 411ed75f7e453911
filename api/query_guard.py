"""Unknown query parameters are a 422, not silently ignored.

A misspelt filter (``?partnership=3`` for ``?partnership_id=3``) would otherwise return every
row as if it had matched. The allowed names per operation come from the OpenAPI document, so
they are exactly what clients are told they may send.
"""

from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute

from api.errors import Unprocessable, field_error

_allowed: dict[tuple[str, str], frozenset[str] | None] = {}


def _allowed_names(request: Request, route: APIRoute, method: str) -> frozenset[str] | None:
    key = (route.path_format, method)
    if key not in _allowed:
        schema: dict[str, Any] = request.app.openapi()
        operation = schema.get("paths", {}).get(route.path_format, {}).get(method)
        _allowed[key] = (
            None
            if operation is None
            else frozenset(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")
        )
    return _allowed[key]


def reject_unknown_query_parameters(request: Request) -> None:
    if not request.query_params:
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed = _allowed_names(request, route, request.method.lower())
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
