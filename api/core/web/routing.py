"""Flat router composition and an indexed route lookup.

FastAPI 0.165 keeps an included router as a nested node and matches a request level by level,
scanning each level's routes twice; with ~15 features and the CRUD routers inside them that
was about a quarter of the CPU of a small GET. :func:`include_flat` copies a router's
operations onto the parent instead (what ``include_router`` did before FastAPI nested them),
so the application matches every request against one flat list of routes. Paths, operation
ids, tags, responses and dependencies are exactly those ``include_router`` would give; a
synchronous endpoint is wrapped to run, and commit a write, in one worker-thread hop
(:func:`api.core.web.deps.in_one_hop`), or, a bounded read, on the event loop in turn
(:func:`api.core.web.deps.in_turn`).
"""

import inspect
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import (  # the steps of APIRouter.app on a full match, as it takes them
    APIRoute,
    _apply_router_form_limits,
    _route_selected,
    _update_scope,
)
from starlette._utils import get_route_path, is_async_callable
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import Receive, Scope, Send

from api.core.db import READ_METHODS
from api.core.web.deps import in_one_hop, in_turn_or_one_hop, runs_in_turn


def include_flat(parent: APIRouter, child: APIRouter, *, prefix: str = "") -> None:
    """Add every operation of ``child`` to ``parent`` (after ``parent``'s own prefix, tags,
    responses and dependencies, as ``include_router`` would), without nesting."""
    for route in child.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(
                f"include_flat copies API operations only; {child!r} holds {route!r}. "
                "Compose that router with include_flat too."
            )
        parent.add_api_route(prefix + route.path, _endpoint(route), **_options(route))


def _endpoint(route: APIRoute) -> Callable[..., Any]:
    """A synchronous endpoint runs, and a write commits, in one worker-thread hop; a read
    marked :func:`~api.core.web.deps.in_turn` runs on the event loop when it can (once wrapped
    it is a coroutine, so composing routers again leaves it as it is)."""
    endpoint = route.endpoint
    if is_async_callable(endpoint) or inspect.isgeneratorfunction(endpoint):
        return endpoint
    if runs_in_turn(endpoint):
        if not (route.methods or set()) <= READ_METHODS:
            raise TypeError(f"{route.name} changes data: only a read may run in turn")
        return in_turn_or_one_hop(endpoint)
    return in_one_hop(endpoint)


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


# -- route lookup ------------------------------------------------------------------------------

_INDEXED_DEPTH = 3  # leading path segments the index keys on (``/api/v1/<resource>``)
_WILD = "*"
_CACHE_LIMIT = 4096


def _segments_key(path_format: str) -> tuple[str, ...] | None:
    """(segment count, the first segments, ``*`` where a parameter sits); ``None`` when a
    parameter may span segments (``{x:path}``), so the route must be tried for every path."""
    segments = path_format.split("/")
    if any(":path}" in segment for segment in segments):
        return None
    head = [_WILD if "{" in segment else segment for segment in segments[1 : _INDEXED_DEPTH + 1]]
    return (str(len(segments)), *head)


class RouteIndex:
    """The router's lookup without the linear scan: which routes could match a path at all.

    FastAPI tries every route in order until one matches the whole request; with 150 routes a
    request for the hundredth runs a hundred regular expressions first. A route whose template
    has no ``{x:path}`` parameter can only match a path with as many ``/``-separated segments,
    and with the same literal segments where it has them, so this index, keyed on the segment
    count and the first three segments, lists the few routes that could. They are tried in
    the router's order, exactly as the router would; the first full match is handled as the
    router handles it. Anything else (no full match, a method not allowed, a redirect to the
    slashed path, websockets, lifespan) goes to the router itself, which decides as before.
    """

    def __init__(self, router: APIRouter) -> None:
        self.router = router
        self.fallback = router.middleware_stack
        self._version = -1
        self._always: list[int] = []
        self._table: dict[tuple[str, ...], list[int]] = {}
        self._cache: dict[str, list[BaseRoute]] = {}

    def _build(self) -> None:
        self._table.clear()
        self._cache.clear()
        self._always = []
        for position, route in enumerate(self.router.routes):
            key = _segments_key(route.path_format) if isinstance(route, Route) else None
            if key is None:
                self._always.append(position)
            else:
                self._table.setdefault(key, []).append(position)
        self._version = len(self.router.routes)

    def candidates(self, path: str) -> list[BaseRoute]:
        if self._version != len(self.router.routes):
            self._build()
        found = self._cache.get(path)
        if found is not None:
            return found
        segments = path.split("/")
        head = segments[1 : _INDEXED_DEPTH + 1]
        keys: list[tuple[str, ...]] = [(str(len(segments)),)]
        for segment in head:
            keys = [(*key, choice) for key in keys for choice in (segment, _WILD)]
        positions = sorted({*self._always, *(p for key in keys for p in self._table.get(key, ()))})
        routes = self.router.routes
        found = [routes[p] for p in positions]
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[path] = found
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for route in self.candidates(get_route_path(scope)):
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    _apply_router_form_limits(scope, self.router.form_limits)
                    scope.setdefault("router", self.router)
                    _update_scope(scope, child_scope)
                    _route_selected(
                        scope=scope,
                        path=getattr(route, "path_format", None),
                        mount=isinstance(route, Mount),
                    )
                    await route.handle(scope, receive, send)
                    return
        await self.fallback(scope, receive, send)


def index_routes(router: APIRouter) -> None:
    """Route ``router``'s requests through a :class:`RouteIndex`."""
    if not isinstance(router.middleware_stack, RouteIndex):
        router.middleware_stack = RouteIndex(router)
