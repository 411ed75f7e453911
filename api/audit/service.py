"""Reading the audit trail: administrators only; nothing changes or deletes an event."""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.audit.schemas import AuditEventFilters, AuditEventRead, AuditFacets, PrincipalName
from api.auth.models import ApiKey, User
from api.core.audit import AuditEvent
from api.core.errors import NotFound
from api.core.pagination import PageParams, paginate
from api.core.policy import AdminPolicy
from api.core.principal import Principal

# Principals that are not a user or a key (api/core/audit.py records them as given).
NAMED_PRINCIPALS = {"cli": "Command line", "anonymous": "Anonymous"}


def list_events(
    session: Session, principal: Principal, page: PageParams, filters: AuditEventFilters
) -> tuple[list[AuditEventRead], int]:
    """Newest first (the reverse of the chain's order); an event is listed once it is linked,
    normally before the response to the request that wrote it."""
    AdminPolicy().authorize_read(principal)
    stmt = select(AuditEvent).where(col(AuditEvent.seq).is_not(None))
    for name in ("resource", "resource_id", "principal", "action", "request_id"):
        value = getattr(filters, name)
        if value is not None:
            stmt = stmt.where(getattr(AuditEvent, name) == value)
    if filters.at_after is not None:
        stmt = stmt.where(col(AuditEvent.at) >= filters.at_after)
    if filters.at_before is not None:
        stmt = stmt.where(col(AuditEvent.at) <= filters.at_before)
    rows, total = paginate(session, stmt.order_by(col(AuditEvent.seq).desc()), page)
    return readable(session, rows), total


def get_event(session: Session, principal: Principal, event_id: int) -> AuditEventRead:
    AdminPolicy().authorize_read(principal)
    event = session.get(AuditEvent, event_id)
    if event is None or event.seq is None:  # not linked yet: not in the trail yet
        raise NotFound(f"No audit event with id {event_id}")
    return readable(session, [event])[0]


def facets(session: Session, principal: Principal) -> AuditFacets:
    """Every resource, action and principal the trail holds, for the viewer's filters."""
    AdminPolicy().authorize_read(principal)

    def distinct(column: Any) -> list[str]:
        return list(session.scalars(select(column).distinct().order_by(column)))

    labels = distinct(AuditEvent.principal)
    names = principal_names(session, labels)
    principals = [PrincipalName(principal=label, name=names[label]) for label in labels]
    return AuditFacets(
        resources=distinct(AuditEvent.resource),
        actions=distinct(AuditEvent.action),
        principals=sorted(principals, key=lambda p: (p.name.casefold(), p.principal)),
    )


def readable(session: Session, rows: Sequence[AuditEvent]) -> list[AuditEventRead]:
    """Events as the API shows them, each principal with its name."""
    names = principal_names(session, {row.principal for row in rows})
    return [AuditEventRead(**row.model_dump(), principal_name=names[row.principal]) for row in rows]


def principal_names(session: Session, labels: Iterable[str]) -> dict[str, str]:
    """A name for each principal label (``user:3`` → the user's name, ``api_key:<prefix>`` →
    the key's name); a label whose user or key no longer exists stays as it is."""
    parts = {label: label.partition(":")[::2] for label in labels}
    user_ids = {int(rest) for kind, rest in parts.values() if kind == "user" and rest.isdigit()}
    prefixes = {rest for kind, rest in parts.values() if kind == "api_key"}
    users: dict[int, str] = {}
    keys: dict[str, str] = {}
    if user_ids:
        found = session.execute(select(User.id, User.name).where(col(User.id).in_(user_ids)))
        users = dict(found.all())
    if prefixes:
        found = session.execute(
            select(ApiKey.prefix, ApiKey.name).where(col(ApiKey.prefix).in_(prefixes))
        )
        keys = dict(found.all())
    return {label: _name(label, users, keys) for label in parts}


def _name(label: str, users: dict[int, str], keys: dict[str, str]) -> str:
    kind, _, rest = label.partition(":")
    if kind == "user" and rest.isdigit() and int(rest) in users:
        return users[int(rest)]
    if kind == "api_key" and rest in keys:
        return f"{keys[rest]} (API key)"
    if kind == "cli" and rest:
        return f"Command line ({rest})"
    return NAMED_PRINCIPALS.get(label, label)
