"""Creating API keys: the only place a key exists in clear is the value returned here."""

from datetime import datetime

from sqlalchemy.orm import Session
from sqlmodel import select

from api.auth.models import ApiKey
from api.auth.security import new_api_key, sha256_hex
from api.core import audit, clock
from api.core.errors import invalid
from api.core.principal import DEFAULT_SCOPES, Principal, Role, Scope
from api.organisations.models import Organisation


def create_api_key(
    session: Session,
    *,
    role: Role | str,
    name: str,
    organisation: str | None = None,
    organisation_id: int | None = None,
    scopes: list[str] | None = None,
    created_by_user_id: int | None = None,
) -> str:
    """Store a new key (hashed) and return it in clear, once (command line and demo data)."""
    return issue_api_key(
        session,
        "cli",
        role=role,
        name=name,
        organisation=organisation,
        organisation_id=organisation_id,
        scopes=scopes,
        created_by_user_id=created_by_user_id,
    )[1]


def issue_api_key(
    session: Session,
    actor: Principal | str,
    *,
    role: Role | str,
    name: str,
    organisation: str | None = None,
    organisation_id: int | None = None,
    scopes: list[str] | None = None,
    created_by_user_id: int | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Store a new key (hashed); return the row and the key in clear, which exists only here."""
    try:
        role = Role(role)
    except ValueError:
        raise invalid("role", f"unknown role '{role}'") from None
    try:
        chosen = tuple(Scope(s) for s in scopes) if scopes else DEFAULT_SCOPES[role]
    except ValueError as exc:
        raise invalid("scopes", str(exc)) from None
    if organisation is not None:
        organisation_id = session.scalar(
            select(Organisation.id).where(Organisation.slug == organisation)
        )
        if organisation_id is None:
            raise invalid("organisation", f"no organisation with slug '{organisation}'")
    if role == Role.partner and organisation_id is None:
        raise invalid("organisation_id", "a partner key must belong to an organisation")
    if expires_at is not None and expires_at <= clock.now():
        raise invalid("expires_at", "must be in the future")
    prefix, key = new_api_key()
    row = ApiKey(
        name=name,
        prefix=prefix,
        key_hash=sha256_hex(key),
        role=role,
        scopes=" ".join(s.value for s in chosen),
        organisation_id=organisation_id,
        created_by_user_id=created_by_user_id,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", "api_key", row.id, after=audit.snapshot(row))
    return row, key
