"""Typed domain errors; api.core.web.problems renders them once, as RFC 9457 problem+json."""

from collections.abc import Sequence
from typing import Any


class DomainError(Exception):
    """Base for errors the service layer raises; the status and slug name the problem type."""

    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Sequence[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        slug: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or self.title)
        if slug:
            self.slug = slug
        self.detail = detail or self.title
        self.errors = list(errors) if errors else None
        self.headers = headers
        self.extra = extra


class NotFound(DomainError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(DomainError):
    status, slug, title = 409, "conflict", "Conflict"


class PreconditionFailed(DomainError):
    status, slug, title = 412, "precondition-failed", "Precondition failed"


class PreconditionRequired(DomainError):
    status, slug, title = 428, "precondition-required", "Precondition required"


class Unprocessable(DomainError):
    status, slug, title = 422, "validation-error", "Validation error"


class Unauthorized(DomainError):
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str | None = None, **kw: Any) -> None:
        kw.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kw)


class Forbidden(DomainError):
    status, slug, title = 403, "forbidden", "Forbidden"


class TooManyRequests(DomainError):
    status, slug, title = 429, "rate-limited", "Too many requests"


class PayloadTooLarge(DomainError):
    status, slug, title = 413, "payload-too-large", "Request body too large"


def field_error(loc: str | Sequence[str | int], msg: str) -> dict[str, Any]:
    """One entry of a problem's ``errors`` list; ``loc`` as FastAPI writes it."""
    path = [loc] if isinstance(loc, str) else list(loc)
    if path and path[0] not in ("body", "query", "path", "header"):
        path = ["body", *path]
    return {"loc": path, "msg": msg}


def invalid(field: str, msg: str, *, detail: str | None = None) -> Unprocessable:
    """A 422 naming the body field at fault."""
    return Unprocessable(detail or f"{field}: {msg}", errors=[field_error(field, msg)])
