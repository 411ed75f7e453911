"""Precompiled operations: a hand-written request handler behind an ordinary FastAPI route.

FastAPI solves an operation's dependencies afresh for every request: it walks the dependency
tree, opens exit stacks and cancel scopes, and introspects each query parameter's annotation.
For the hottest reads that machinery costs more CPU than the work itself. An endpoint marked
with :func:`precompile` keeps its signature, so FastAPI documents it exactly as before (the
OpenAPI document does not change), but :class:`PrecompiledRoute` sends its requests to the
given handler, which does the same steps in the same order without the general machinery.

Errors still go through the application's exception handlers (problem+json), as they would
from any endpoint. A handler must behave exactly like the endpoint with its dependencies;
``tests/api/test_precompiled.py`` compares the two for every resource it serves.
``ENABLED = False`` (read when routes are built) turns every precompiled handler off.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette._exception_handler import wrap_app_handling_exceptions
from starlette.types import ASGIApp, Receive, Scope, Send

from api.core.db import READ_METHODS
from api.core.web.query_guard import reject_unknown_query_parameters

ENABLED = True
Handler = Callable[[Request], Awaitable[Response]]
_HANDLER = "__lsphub_precompiled__"

# Route-level dependencies a handler performs itself (see :func:`run_route_dependencies`).
HANDLED_DEPENDENCIES: frozenset[Callable[..., Any]] = frozenset({reject_unknown_query_parameters})


def precompile(endpoint: Callable[..., Any], handler: Handler) -> None:
    """Serve ``endpoint``'s requests with ``handler`` when its route is a PrecompiledRoute."""
    setattr(endpoint, _HANDLER, handler)


async def run_route_dependencies(request: Request) -> None:
    """What the route-level dependencies in HANDLED_DEPENDENCIES do, first, as FastAPI would."""
    await reject_unknown_query_parameters(request)


def _asgi(handler: Handler) -> ASGIApp:
    """``handler`` as an ASGI app, its exceptions rendered by the app's handlers."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)

        async def respond(scope: Scope, receive: Receive, send: Send) -> None:
            response = await handler(request)
            await response(scope, receive, send)

        await wrap_app_handling_exceptions(respond, request)(scope, receive, send)

    return app


class PrecompiledRoute(APIRoute):
    """An APIRoute that serves a :func:`precompile`-marked endpoint through its handler.

    It falls back to FastAPI's own handling when precompiled handlers are off, when the
    endpoint has none, when the route has dependencies the handler does not perform, or when
    its methods include a write (whose body the handler would not read).
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        handler: Handler | None = getattr(endpoint, _HANDLER, None)
        self.precompiled = (
            ENABLED
            and handler is not None
            and self.methods is not None
            and self.methods <= READ_METHODS
            and all(d.dependency in HANDLED_DEPENDENCIES for d in self.dependencies)
        )
        if self.precompiled:
            assert handler is not None
            self.app = _asgi(handler)
