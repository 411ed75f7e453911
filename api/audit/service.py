"""Reading the audit trail: administrators only; nothing changes or deletes an event."""

from collections.abc import Sequence

from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.audit.schemas import AuditEventFilters
from api.core.audit import AuditEvent
from api.core.errors import NotFound
from api.core.pagination import PageParams, paginate
from api.core.policy import AdminPolicy
from api.core.principal import Principal


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
