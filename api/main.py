"""The application: routers, middleware, error handlers and the SPA."""

import contextlib
import ctypes
import gc
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import Scope
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import api.models  # noqa: F401  (every table mapped before the first flush)
from api.accounts.router import router as auth_router
from api.audit.router import router as audit_router
from api.auth import housekeeping as auth_housekeeping
from api.core import idempotency
from api.core.audit_guard import install_audit_guard
from api.core.db import close_turn_connections
from api.core.housekeeping import register_sweeper
from api.core.settings import get_settings
from api.core.web import docs, health
from api.core.web.middleware import ConcurrencyLimit, RequestContext, SecurityHeaders
from api.core.web.problems import install_error_handlers
from api.core.web.query_guard import learn_query_names, reject_unknown_query_parameters
from api.core.web.routing import include_flat, index_routes
from api.dashboard.router import router as dashboard_router
from api.directory.router import organisations_router, people_router
from api.feeds.router import router as feeds_router
from api.governance.router import router as governance_router
from api.imports.router import router as imports_router
from api.indicators.router import router as indicators_router
from api.laa.router import router as laa_router
from api.meetings.router import router as meetings_router
from api.notifications import handlers as notification_handlers
from api.notifications.router import router as notifications_router
from api.papers import service as papers_service
from api.papers.router import router as papers_router
from api.partnerships.router import router as partnerships_router
from api.plans.router import router as plans_router
from api.public import subscriptions as public_subscriptions
from api.public.router import robots_router
from api.public.router import router as public_router
from api.reports.router import router as reports_router
from api.search.router import router as search_router
from api.webhooks.router import router as webhooks_router

API_PREFIX = "/api/v1"

PLACEHOLDER_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>LSP Hub</title></head><body><h1>LSP Hub</h1>
<p>The browser app has not been built. The API is running: see <a href="/docs">/docs</a>.</p>
</body></html>"""


# Statuses any /api/v1 operation may answer (problem+json); operations add their own.
API_PROBLEM_RESPONSES: dict[int | str, dict[str, str]] = {
    401: {"description": "Not authenticated"},
    403: {"description": "Not allowed"},
    404: {"description": "Not found, or not visible to the caller"},
    413: {"description": "Request body too large"},
    422: {"description": "Validation error"},
    503: {"description": "Database unavailable; retry after the Retry-After delay"},
}


def api_router() -> APIRouter:
    router = APIRouter(
        prefix=API_PREFIX,
        responses=API_PROBLEM_RESPONSES,
        dependencies=[Depends(reject_unknown_query_parameters)],
    )
    for feature in (
        auth_router,
        audit_router,
        organisations_router,
        people_router,
        partnerships_router,
        meetings_router,
        governance_router,
        feeds_router,
        plans_router,
        reports_router,
        papers_router,
        dashboard_router,
        search_router,
        indicators_router,
        laa_router,
        imports_router,
        webhooks_router,
        notifications_router,
    ):
        include_flat(router, feature)
    return router


class SpaFiles(StaticFiles):
    """Serves the built SPA; unknown client-side routes fall back to index.html."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except StarletteHTTPException as exc:
            if exc.status_code != 404 or path.startswith(("api/", "assets/")):
                raise
            return FileResponse(Path(str(self.directory)) / "index.html")
        if path.startswith("assets/") and response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        elif response.status_code == 200:
            response.headers["Cache-Control"] = "no-cache"
        return response


M_ARENA_MAX = -8  # glibc's mallopt parameter


def limit_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives each thread that allocates its own malloc arena, up to eight per core, and
    each keeps the memory it once held: with a pool of worker threads that is tens of MiB per
    process after load. Python holds the GIL anyway, so two arenas cost no throughput. Called
    before the thread pool starts (as MALLOC_ARENA_MAX=2 would be, set outside)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # not glibc (musl): nothing to do
            ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, arenas)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Sync routes run in AnyIO's thread pool: size it like the database pool (DESIGN §2).
    The query-parameter guard learns each operation's names from the routes before the first
    request; the OpenAPI document is built only if someone asks for /openapi.json or /docs.
    """
    limit_malloc_arenas()
    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = get_settings().thread_pool_size
    learn_query_names(app)
    gc.collect()
    gc.freeze()  # startup objects (routes, schemas) leave the collector's scans
    gc.set_threshold(20_000, 50, 100)
    yield
    close_turn_connections()


def install_features() -> None:
    """The registrations of higher layers in lower ones (STYLE.md §14), made once at startup:
    the audit guard on every session, the sweepers of expiring records and the handlers
    that turn domain events into e-mail. Idempotent."""
    install_audit_guard()
    register_sweeper("idempotency_record", idempotency.sweep_expired)
    register_sweeper("auth_token", auth_housekeeping.sweep_expired_tokens)
    register_sweeper("login_attempt", auth_housekeeping.sweep_old_login_attempts)
    register_sweeper("password_link", auth_housekeeping.sweep_spent_password_links)
    notification_handlers.install()
    public_subscriptions.install()  # residents' e-mails: new meetings, minutes, decisions
    register_sweeper("paper_blob", papers_service.sweep_orphan_blobs)


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        lifespan=lifespan,
        title="LSP Hub",
        version="1.0.0",
        description=(
            "Run a Local Strategic Partnership: partners, members, meetings, decisions, "
            "action plans with RAG status, performance reports and LAA indicator data. "
            "Errors are RFC 9457 problem+json."
        ),
        openapi_url=docs.OPENAPI_URL,
        docs_url=None,  # api/core/web/docs.py serves /docs from local files
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    install_error_handlers(app)
    install_features()
    # Flat: the application matches a request against one list of routes (api/core/web/routing.py).
    include_flat(app.router, health.router)
    include_flat(app.router, docs.router)
    include_flat(app.router, api_router())
    include_flat(app.router, public_router)  # the residents' site, /public
    include_flat(app.router, robots_router)
    app.add_middleware(ConcurrencyLimit, limit=settings.thread_pool_size)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "If-Match",
            "If-None-Match",
            "Idempotency-Key",
            "X-Request-ID",
            "X-API-Key",
        ],
        expose_headers=["ETag", "Location", "X-Request-ID", "Retry-After"],
    )
    app.add_middleware(
        RequestContext,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(SecurityHeaders)
    if settings.trusted_proxies:
        # Outermost: the client address and scheme are the forwarded ones before anything
        # (the login throttle, HSTS) reads them, and only when a trusted proxy sent them.
        # Servers run with uvicorn's own handling off (`--no-proxy-headers`).
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    dist = Path(settings.frontend_dist)
    if (dist / "index.html").is_file():
        app.mount("/", SpaFiles(directory=dist, html=True), name="spa")
    else:

        @app.get("/", include_in_schema=False)
        def placeholder() -> HTMLResponse:
            return HTMLResponse(PLACEHOLDER_PAGE)

    index_routes(app.router)
    return app
