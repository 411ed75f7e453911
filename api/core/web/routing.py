"""Flat router composition.

FastAPI 0.165 keeps an included router as a nested node and matches a request level by level,
scanning each level's routes twice; with ~15 features and the CRUD routers inside them that
was about a quarter of the CPU of a small GET. :func:`include_flat` copies a router's
operations onto the parent instead (what ``include_router`` did before FastAPI nested them),
so the application matches every request against one flat list of routes. Paths, operation
ids, tags, responses and dependencies are exactly those ``include_router`` would give.
"""

from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute


def include_flat(parent: APIRouter, child: APIRouter, *, prefix: str = "") -> None:
    """Add every operation of ``child`` to ``parent`` (after ``parent``'s own prefix, tags,
    responses and dependencies, as ``include_router`` would), without nesting."""
    for route in child.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(
                f"include_flat copies API operations only; {child!r} holds {route!r}. "
                "Compose that router with include_flat too."
            )
        parent.add_api_route(prefix + route.path, route.endpoint, **_options(route))


def _options(route: APIRoute) -> dict[str, Any]:
    callbacks: list[BaseRoute] | None = route.callbacks
    return {
        "response_model": route.response_model,
        "status_code": route.status_code,
        "tags": route.tags,
        "dependencies": route.dependencies,
        "summary": route.summary,
        "description": route.description,
        "response_description": route.response_description,
        "responses": route.responses,
        "deprecated": route.deprecated,
        "methods": route.methods,
        "operation_id": route.operation_id,
        "response_model_include": route.response_model_include,
        "response_model_exclude": route.response_model_exclude,
        "response_model_by_alias": route.response_model_by_alias,
        "response_model_exclude_unset": route.response_model_exclude_unset,
        "response_model_exclude_defaults": route.response_model_exclude_defaults,
        "response_model_exclude_none": route.response_model_exclude_none,
        "include_in_schema": route.include_in_schema,
        "response_class": route.response_class,
        "name": route.name,
        "route_class_override": type(route),
        "callbacks": callbacks,
        "openapi_extra": route.openapi_extra,
        "generate_unique_id_function": route.generate_unique_id_function,
        "strict_content_type": route.strict_content_type,
        "max_body_size": route.max_body_size,
        "form_limits": route.form_limits,
    }
