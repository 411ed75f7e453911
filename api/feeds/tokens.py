"""Private meeting feeds: a random secret per person, stored as its SHA-256.

The feed address works without a login (calendar clients cannot send one), so the secret is
the only protection: 256 random bits, shown once when issued, replaced when the person asks
for a new address and gone when they revoke it.
"""

from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.auth.security import new_token, sha256_hex
from api.core import audit, clock
from api.core.errors import NotFound, Unprocessable
from api.core.principal import Principal
from api.core.settings import get_settings
from api.feeds.models import CalendarToken

RESOURCE = "calendar_token"


def _person_id(principal: Principal) -> int:
    if principal.person_id is None:
        raise Unprocessable(
            "Only a user linked to a person (a member) has a personal meeting feed",
            slug="no-person",
        )
    return principal.person_id


def feed_url(token: str) -> str:
    base = get_settings().public_base_url.rstrip("/")
    return f"{base}/api/v1/calendars/{token}.ics"


def current_token(session: Session, principal: Principal) -> CalendarToken | None:
    """The caller's feed secret (its hash and when it was issued), if they have one."""
    person_id = _person_id(principal)
    return session.scalar(select(CalendarToken).where(col(CalendarToken.person_id) == person_id))


def issue_token(session: Session, principal: Principal) -> tuple[CalendarToken, str]:
    """A new feed secret for the caller, replacing any earlier one; returns it in clear once."""
    row = current_token(session, principal)
    before = audit.snapshot(row)
    token = new_token()
    if row is None:
        row = CalendarToken(person_id=_person_id(principal), token_hash=sha256_hex(token))
        session.add(row)
    else:
        row.token_hash = sha256_hex(token)
        row.created_at = clock.now()
    session.flush()
    action = "create" if before is None else "rotate"
    audit.record(
        session, principal, action, RESOURCE, row.id, before=before, after=audit.snapshot(row)
    )
    return row, token


def revoke_token(session: Session, principal: Principal) -> None:
    """Delete the caller's feed secret: the address stops working at once."""
    row = current_token(session, principal)
    if row is None:
        raise NotFound("You have no calendar feed to revoke")
    before = audit.snapshot(row)
    session.delete(row)
    session.flush()
    audit.record(session, principal, "revoke", RESOURCE, row.id, before=before)


def person_for_token(session: Session, token: str) -> int:
    """The person a feed secret belongs to; an unknown, revoked or replaced one is a 404."""
    person_id = session.scalar(
        select(CalendarToken.person_id).where(col(CalendarToken.token_hash) == sha256_hex(token))
    )
    if person_id is None:
        raise NotFound("No calendar feed at this address")
    return person_id
