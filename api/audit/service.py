"""Writes audit events in the caller's transaction, so a write and its record land together."""

from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col, select

from api.audit.models import AuditEvent
from api.audit.schemas import AuditEventFilters
from api.auth.principal import Principal
from api.core.errors import NotFound
from api.core.pagination import PageParams, paginate
from api.crud.policy import AdminPolicy

request_id_var: ContextVar[str | None] = ContextVar("lsphub_request_id", default=None)

_SECRET_FIELDS = frozenset({"password_hash", "key_hash", "token_hash", "secret"})


def snapshot(row: SQLModel | None) -> dict[str, Any] | None:
    """A JSON-safe copy of a row's columns, without secrets."""
    if row is None:
        return None
    columns = row.__table__.columns  # type: ignore[attr-defined]
    data = {c.key: getattr(row, c.key) for c in columns if c.key not in _SECRET_FIELDS}
    return dict(jsonable_encoder(data))


def record(
    session: Session,
    principal: Principal | str,
    action: str,
    resource: str,
    resource_id: Any,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        principal=principal if isinstance(principal, str) else principal.label,
        action=action,
        resource=resource,
        resource_id=None if resource_id is None else str(resource_id),
        before=before,
        after=after,
        request_id=request_id_var.get(),
    )
    session.add(event)
    return event


# -- reading (administrators only; nothing changes or deletes an event) ------------------------


def list_events(
    session: Session, principal: Principal, page: PageParams, filters: AuditEventFilters
) -> tuple[Sequence[AuditEvent], int]:
    """Newest first."""
    AdminPolicy().authorize_read(principal)
    stmt = select(AuditEvent)
    for name in ("resource", "resource_id", "principal", "action", "request_id"):
        value = getattr(filters, name)
        if value is not None:
            stmt = stmt.where(getattr(AuditEvent, name) == value)
    if filters.at_after is not None:
        stmt = stmt.where(col(AuditEvent.at) >= filters.at_after)
    if filters.at_before is not None:
        stmt = stmt.where(col(AuditEvent.at) <= filters.at_before)
    return paginate(session, stmt.order_by(col(AuditEvent.id).desc()), page)


def get_event(session: Session, principal: Principal, event_id: int) -> AuditEvent:
    AdminPolicy().authorize_read(principal)
    event = session.get(AuditEvent, event_id)
    if event is None:
        raise NotFound(f"No audit event with id {event_id}")
    return event
