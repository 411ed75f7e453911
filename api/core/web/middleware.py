"""Pure ASGI middleware: request ids, the request body cap, the concurrency limit and the
security headers."""

import asyncio
import contextlib
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.core.audit import request_id_var
from api.core.errors import PayloadTooLarge
from api.core.web.problems import problem_response


class RequestContext:
    """Gives each request an id (``X-Request-ID``, echoed back) and caps body size (413)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")[:64]
        request_id = incoming if incoming.isprintable() and incoming else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        limit = (
            self.max_upload_bytes
            if headers.get(b"content-type", b"").startswith(b"multipart/")
            or scope["path"].startswith("/api/v1/imports")
            else self.max_body_bytes
        )

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            declared = headers.get(b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                await self._too_large(scope, receive, send_with_id, limit)
                return
            received = 0
            too_large = False
            started = False

            async def capped_receive() -> Message:
                nonlocal received, too_large
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > limit:
                        too_large = True
                        raise PayloadTooLarge(f"The request body is larger than {limit} bytes")
                return message

            async def send_unless_too_large(message: Message) -> None:
                # The app's body parser may turn our exception into its own 400/422; the
                # 413 below replaces whatever it answers.
                nonlocal started
                if too_large:
                    return
                started = started or message["type"] == "http.response.start"
                await send_with_id(message)

            with contextlib.suppress(PayloadTooLarge):
                await self.app(scope, capped_receive, send_unless_too_large)
            if too_large and not started:
                await self._too_large(scope, receive, send_with_id, limit)
        finally:
            request_id_var.reset(token)

    @staticmethod
    async def _too_large(scope: Scope, receive: Receive, send: Any, limit: int) -> None:
        response = problem_response(
            413,
            slug="payload-too-large",
            title="Request body too large",
            detail=f"The request body is larger than {limit} bytes",
        )
        await response(scope, receive, send)


class ConcurrencyLimit:
    """Admits at most ``limit`` requests into the app at once; the rest wait their turn.

    Each request holds at most one pooled database connection, and the pool is sized to the
    same figure, so connections are never exhausted however many clients arrive. Without this,
    requests that opened a session in one thread-pool hop could hold every connection while
    waiting for a thread, and later requests would time out on the pool.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._semaphore: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/health":
            await self.app(scope, receive, send)
            return
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.limit)
        async with self._semaphore:
            await self.app(scope, receive, send)


# The browser app, the API docs and every API response: scripts and styles only from files this
# server sends (no inline script, no eval), nothing framed, no plugins, no foreign <base>.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def content_security_policy(style_hashes: tuple[str, ...] = ()) -> str:
    """The policy, allowing the inline ``<style>`` blocks whose ``sha256-...`` are given."""
    if not style_hashes:
        return CONTENT_SECURITY_POLICY
    allowed = " ".join(f"'{h}'" for h in style_hashes)
    return CONTENT_SECURITY_POLICY.replace("style-src 'self'", f"style-src 'self' {allowed}")


class SecurityHeaders:
    """CSP, nosniff, no framing and a referrer policy on every response (a response that set
    its own CSP keeps it); HSTS only on requests that came over HTTPS, as the client saw it
    (behind a trusted proxy, its X-Forwarded-Proto)."""

    HEADERS = (
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(self.HEADERS)
        if scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", HSTS.encode()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((name, value) for name, value in extra if name not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
