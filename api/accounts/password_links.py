"""One-time links to set a password: how a new user gets their first one, and how an
administrator's reset gives a user a new one.

The token travels in the URL fragment (``/set-password#token=…``), which browsers never send
to a server, so it stays out of access logs; the database keeps only its SHA-256. A link works
once, until it expires; a newer link, a password set with it, or deactivation voids the rest.
"""

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, update
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.accounts.events import PasswordLinkIssued
from api.accounts.schemas import PasswordLinkRead, PasswordSet, PasswordSetRead
from api.auth import cache as principal_cache
from api.auth.models import AuthToken, PasswordLink, User
from api.auth.security import hash_password, sha256_hex
from api.core import audit, clock
from api.core.errors import Conflict, invalid
from api.core.events import emit
from api.core.principal import Principal
from api.core.settings import get_settings

LINK_LIFETIME = timedelta(days=7)
SET_PASSWORD_PATH = "/set-password"
# In a message waiting to be sent, the token's place: the sender derives the token itself
# (:func:`link_token`), so an outbox row never holds it.
TOKEN_SLOT = re.compile(r"\[\[password-link:(\d+):([0-9T:.+-]+)\]\]")


def link_token(user_id: int, expires_at: datetime) -> str:
    """The token of ``user_id``'s link expiring at ``expires_at``: keyed by the secret key, so
    the database (which keeps only its SHA-256) cannot give it away; whoever sends the e-mail
    derives it again from the slot."""
    secret = get_settings().secret_key
    assert secret is not None, "settings guarantee a secret key"
    message = f"password-link:{user_id}:{expires_at.isoformat()}".encode()
    digest = hmac.new(secret.get_secret_value().encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_slot(user_id: int, expires_at: datetime) -> str:
    return f"[[password-link:{user_id}:{expires_at.isoformat()}]]"


def fill_token_slots(text: str) -> str:
    """``text`` with each :func:`token_slot` replaced by its token."""
    return TOKEN_SLOT.sub(
        lambda m: link_token(int(m.group(1)), datetime.fromisoformat(m.group(2))), text
    )


def unusable_password_hash() -> str:
    """The hash of a random password nobody knows: the account has no usable password, yet
    a login attempt costs as long as any other."""
    return hash_password(secrets.token_urlsafe(32))


def issue(
    session: Session,
    actor: Principal | str,
    user: User,
    reason: Literal["new_user", "reset"] = "new_user",
) -> PasswordLinkRead:
    """A new one-time link for ``user``; their earlier unused links stop working. The link is
    announced (:class:`PasswordLinkIssued`) so it can be e-mailed to the user."""
    _require_active(user)
    assert user.id is not None
    void_open_links(session, user.id)
    expires_at = clock.now() + LINK_LIFETIME
    token = link_token(user.id, expires_at)
    link = PasswordLink(token_hash=sha256_hex(token), user_id=user.id, expires_at=expires_at)
    session.add(link)
    session.flush()
    audit.record(
        session,
        actor,
        "issue_password_link",
        "user",
        user.id,
        after={"password_link_id": link.id, "expires_at": link.expires_at.isoformat()},
    )
    path = f"{SET_PASSWORD_PATH}#token={token}"
    read = PasswordLinkRead(
        user_id=user.id,
        url=get_settings().public_base_url.rstrip("/") + path,
        path=path,
        expires_at=link.expires_at,
    )
    emit(
        session,
        PasswordLinkIssued(
            user_id=user.id,
            email=user.email,
            name=user.name,
            url=read.url,
            expires_at=expires_at,
            reason=reason,
        ),
    )
    return read


def reset(session: Session, actor: Principal, user: User) -> PasswordLinkRead:
    """An administrator's reset: the current password stops working, the user's sessions end,
    and a one-time link lets them choose a new password."""
    _require_active(user)
    assert user.id is not None
    before = audit.snapshot(user)
    user.password_hash = unusable_password_hash()
    end_sessions(session, user.id)
    session.flush()
    audit.record(
        session,
        actor,
        "reset_password",
        "user",
        user.id,
        before=before,
        after=audit.snapshot(user),
    )
    return issue(session, actor, user, reason="reset")


def _require_active(user: User) -> None:
    if not user.active:
        raise Conflict(
            "The user is deactivated: reactivate them before sending a link", slug="inactive-user"
        )


def set_password(session: Session, body: PasswordSet) -> PasswordSetRead:
    """Spend a link: set the password, void the user's other links and end their sessions."""
    now = clock.now()
    found = session.execute(
        select(PasswordLink, User)
        .join(User, col(User.id) == col(PasswordLink.user_id))
        .where(col(PasswordLink.token_hash) == sha256_hex(body.token))
    ).one_or_none()
    if found is None or not _usable(found[0], found[1], now):
        raise invalid(
            "token",
            "this link has expired or has already been used; ask an administrator for a new one",
            detail="The link to set a password does not work any more",
        )
    link, user = found
    assert user.id is not None
    link.used_at = now
    user.password_hash = hash_password(body.password)
    end_sessions(session, user.id)
    session.flush()
    void_open_links(session, user.id)
    audit.record(
        session,
        f"user:{user.id}",
        "set_password",
        "user",
        user.id,
        after={"password_link_id": link.id, "password_changed": True},
    )
    return PasswordSetRead(email=user.email)


def _usable(link: PasswordLink, user: User, now: datetime) -> bool:
    return link.used_at is None and link.expires_at > now and user.active


def end_sessions(session: Session, user_id: int) -> None:
    """Revoke every open login token of the user (at once in this process; the others within
    LSPHUB_AUTH_CACHE_SECONDS)."""
    session.execute(
        update(AuthToken)
        .where(col(AuthToken.user_id) == user_id, col(AuthToken.revoked_at).is_(None))
        .values(revoked_at=clock.now())
    )
    principal_cache.forget_all()


def void_open_links(session: Session, user_id: int) -> None:
    """No unused link of the user works any more (a newer link, a password set, deactivation)."""
    session.execute(
        delete(PasswordLink).where(
            col(PasswordLink.user_id) == user_id, col(PasswordLink.used_at).is_(None)
        )
    )
