"""Logins, users and API keys. Every write here is audited like any other."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, or_, update
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col, select

from api.accounts import password_links
from api.accounts.keys import issue_api_key
from api.accounts.schemas import (
    ApiKeyCreate,
    ApiKeyFilters,
    ApiKeyRead,
    LoginRequest,
    MembershipBrief,
    MeRead,
    PasswordLinkRead,
    TokenRead,
    UserCreate,
    UserFilters,
    UserUpdate,
)
from api.auth import cache as principal_cache
from api.auth.models import ApiKey, AuthToken, User
from api.auth.security import hash_password, new_token, sha256_hex, verify_password
from api.auth.throttle import (
    Throttled,
    client_key,
    forget_failures,
    record_failure,
    throttled,
)
from api.core import audit, clock
from api.core.errors import Conflict, Forbidden, field_error
from api.core.pagination import PageParams, paginate
from api.core.permissions import require_role, require_scope
from api.core.policy import AdminPolicy, Policy, not_found
from api.core.principal import Principal, Role, Scope
from api.core.settings import get_settings
from api.crud import service as crud
from api.partnerships.access import managed_partnership_ids, organisation_sits_on
from api.partnerships.models import Membership, Partnership

ANONYMOUS = "anonymous"
log = logging.getLogger("lsphub.auth")


ADMIN = AdminPolicy()


def require_admin(principal: Principal, scope: Scope = Scope.read) -> None:
    require_role(principal, Role.admin)
    require_scope(principal, scope)


# -- logins ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginFailed:
    """Wrong e-mail or password: the same answer for both (recorded for rate limiting)."""


def login(
    session: Session, body: LoginRequest, client_host: str | None
) -> TokenRead | LoginFailed | Throttled:
    """Check the password and issue an opaque token (only its hash is stored).

    A failure or a refusal is returned, not raised, so that what it records is committed.
    A throttled attempt is refused before the password is checked and writes nothing.
    """
    email = body.email.strip().lower()
    client = client_key(client_host)
    now = clock.now()
    wait = throttled(session, email, client, now)
    if wait is not None:
        log.info("login refused: %s from %s must wait %ss", email, client, wait.retry_after)
        return wait
    user = session.scalar(select(User).where(col(User.email) == email))  # stored lower-case
    # verify_password checks a dummy hash for unknown e-mails: both failures take as long.
    ok = verify_password(body.password, user.password_hash if user else None)
    if user is None or not ok or not user.active:
        attempt = {"email": email, "client": client}
        audit.record(session, ANONYMOUS, "login_failed", "user", None, after=attempt)
        wait = record_failure(session, email, client, now)
        if wait is not None:
            after = {**attempt, "retry_after": wait.retry_after, "reason": wait.reason}
            audit.record(session, ANONYMOUS, "login_throttled", "user", None, after=after)
        return LoginFailed()
    assert user.id is not None
    token = new_token()
    expires_at = now + timedelta(minutes=get_settings().token_ttl_minutes)
    row = AuthToken(token_hash=sha256_hex(token), user_id=user.id, expires_at=expires_at)
    session.add(row)
    # A plain UPDATE: logging in is not an edit of the user, so the version stays.
    session.execute(update(User).where(col(User.id) == user.id).values(last_login_at=now))
    forget_failures(session, email, client)
    session.flush()
    audit.record(
        session,
        f"user:{user.id}",
        "login",
        "auth_token",
        row.id,
        after={"user_id": user.id, "expires_at": expires_at.isoformat(), "client": client},
    )
    return TokenRead(access_token=token, expires_at=expires_at)


def logout(session: Session, principal: Principal, token: str) -> None:
    """Revoke the login token the request was made with."""
    if principal.kind != "user":
        raise Forbidden("API keys are not logged out; revoke them at /api/v1/api-keys")
    row = session.scalar(
        select(AuthToken).where(
            col(AuthToken.token_hash) == sha256_hex(token),
            col(AuthToken.user_id) == principal.id,
        )
    )
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = clock.now()
    session.flush()
    principal_cache.forget_all()
    audit.record(session, principal, "logout", "auth_token", row.id)


def me(session: Session, principal: Principal) -> MeRead:
    name, email = principal.label, None
    if principal.kind == "user":
        user = session.get_one(User, principal.id)
        name, email = user.name, user.email
        where = col(Membership.person_id) == principal.person_id
    else:
        key = session.get_one(ApiKey, principal.id)
        name = key.name
        where = col(Membership.on_behalf_of_id) == principal.organisation_id
    memberships: list[MembershipBrief] = []
    if principal.person_id is not None or (
        principal.kind == "api_key" and principal.organisation_id is not None
    ):
        today = clock.today()
        rows = session.execute(
            select(Membership.id, Membership.partnership_id, Partnership.name, Membership.role)
            .join(Partnership, col(Partnership.id) == col(Membership.partnership_id))
            .where(
                where,
                col(Membership.started_on) <= today,
                or_(col(Membership.ended_on).is_(None), col(Membership.ended_on) >= today),
            )
            .order_by(col(Partnership.name), col(Membership.id))
        ).all()
        memberships = [
            MembershipBrief(id=i, partnership_id=p, partnership_name=n, role=r)
            for i, p, n, r in rows
        ]
    return MeRead(
        kind="user" if principal.kind == "user" else "api_key",
        id=principal.id,
        name=name,
        email=email,
        role=principal.role,
        organisation_id=principal.organisation_id,
        person_id=principal.person_id,
        memberships=memberships,
    )


# -- users -------------------------------------------------------------------------------------


def _user_query(filters: UserFilters) -> Select[Any]:
    stmt = select(User)
    if filters.role is not None:
        stmt = stmt.where(col(User.role) == filters.role)
    if filters.active is not None:
        stmt = stmt.where(col(User.active) == filters.active)
    if filters.organisation_id is not None:
        stmt = stmt.where(col(User.organisation_id) == filters.organisation_id)
    if filters.q:
        pattern = f"%{crud._escape_like(filters.q)}%"
        stmt = stmt.where(
            or_(
                col(User.name).ilike(pattern, escape="\\"),
                col(User.email).ilike(pattern, escape="\\"),
            )
        )
    return stmt


def list_users(
    session: Session, principal: Principal, page: PageParams, filters: UserFilters
) -> tuple[Sequence[User], int]:
    ADMIN.authorize_read(principal)
    stmt = _user_query(filters).order_by(col(User.email), col(User.id))
    return paginate(session, stmt, page)


def list_administrators(
    session: Session, principal: Principal, page: PageParams
) -> tuple[Sequence[str], int]:
    """Names of the active administrators, for anyone signed in: whom to ask for access."""
    stmt = (
        select(User.name)
        .where(col(User.role) == Role.admin, col(User.active).is_(True))
        .order_by(col(User.name), col(User.id))
    )
    return paginate(session, stmt, page)


def get_user(session: Session, principal: Principal, user_id: int) -> User:
    ADMIN.authorize_read(principal)
    user = session.get(User, user_id)
    if user is None:
        raise not_found("user", user_id)
    return user


def _email_taken(session: Session, email: str, except_id: int | None = None) -> None:
    stmt = select(User.id).where(col(User.email) == email)
    if except_id is not None:
        stmt = stmt.where(col(User.id) != except_id)
    if session.scalar(stmt) is not None:
        raise Conflict(f"A user with e-mail {email} already exists", slug="duplicate")


def create_user(
    session: Session, principal: Principal, body: UserCreate
) -> tuple[User, PasswordLinkRead | None]:
    """A new user, and a one-time link to choose a password when ``body`` has none."""
    require_admin(principal, Scope.write_all)
    user = add_user(session, principal, body)
    if body.password is not None:
        return user, None
    return user, password_links.issue(session, principal, user)


def add_user(session: Session, actor: Principal | str, body: UserCreate) -> User:
    """Store a user with an argon2 hash of the password, or of a random one nobody knows when
    none is given (also used by ``lsphub create-user``)."""
    data = body.model_dump(exclude={"password"})
    data["email"] = data["email"].strip().lower()
    crud.check_references(session, User, data)
    _email_taken(session, data["email"])
    password_hash = (
        password_links.unusable_password_hash()
        if body.password is None
        else hash_password(body.password)
    )
    user = User(**data, password_hash=password_hash)
    session.add(user)
    session.flush()
    audit.record(session, actor, "create", "user", user.id, after=audit.snapshot(user))
    return user


def update_user(
    session: Session,
    principal: Principal,
    user_id: int,
    body: UserUpdate,
    expected_version: int | None,
) -> User:
    require_admin(principal, Scope.write_all)
    user = get_user(session, principal, user_id)
    crud.check_version(user, expected_version)
    changes = body.model_dump(exclude_unset=True)
    crud.check_references(session, User, changes)
    if "email" in changes:
        changes["email"] = changes["email"].strip().lower()
        _email_taken(session, changes["email"], user_id)
    if user_id == principal.user_id and (
        changes.get("active") is False or changes.get("role", Role.admin) != Role.admin
    ):
        raise Conflict("You cannot demote or deactivate yourself", slug="self-lockout")
    before = audit.snapshot(user)
    password = changes.pop("password", None)
    for key, value in changes.items():
        setattr(user, key, value)
    if password:
        user.password_hash = hash_password(password)
    if password or changes.get("active") is False:
        password_links.end_sessions(session, user_id)
    if changes.get("active") is False:
        password_links.void_open_links(session, user_id)
    if not session.is_modified(user):
        return user
    session.flush()
    principal_cache.forget_all()
    after = audit.snapshot(user)
    if password and after is not None:
        after["password_changed"] = True
    audit.record(session, principal, "update", "user", user_id, before=before, after=after)
    return user


def _revoke_tokens(session: Session, user_id: int) -> None:
    session.execute(
        update(AuthToken)
        .where(col(AuthToken.user_id) == user_id, col(AuthToken.revoked_at).is_(None))
        .values(revoked_at=clock.now())
    )


def reset_password(session: Session, principal: Principal, user_id: int) -> PasswordLinkRead:
    """The user's password stops working and their sessions end; the returned one-time link
    lets them choose a new one."""
    require_admin(principal, Scope.write_all)
    user = get_user(session, principal, user_id)
    if user_id == principal.user_id:
        raise Conflict("Change your own password instead of resetting it", slug="self-lockout")
    return password_links.reset(session, principal, user)


def deactivate_user(
    session: Session, principal: Principal, user_id: int, expected_version: int | None
) -> None:
    """Users are never deleted (their names stay on the history they wrote)."""
    update_user(session, principal, user_id, UserUpdate(active=False), expected_version)


# -- API keys ----------------------------------------------------------------------------------


def _key_query(filters: ApiKeyFilters) -> Select[Any]:
    stmt = select(ApiKey)
    if filters.prefix:
        stmt = stmt.where(col(ApiKey.prefix) == filters.prefix.removeprefix("lsp_"))
    if filters.role is not None:
        stmt = stmt.where(col(ApiKey.role) == filters.role)
    if filters.organisation_id is not None:
        stmt = stmt.where(col(ApiKey.organisation_id) == filters.organisation_id)
    if filters.revoked is not None:
        revoked = col(ApiKey.revoked_at)
        stmt = stmt.where(revoked.is_not(None) if filters.revoked else revoked.is_(None))
    return stmt


class ApiKeyPolicy(Policy):
    """Admins manage every key. Officers issue partner keys (``read``, ``write:status``) to
    organisations that sit on a partnership they manage, and see and revoke those keys."""

    read_roles = frozenset({Role.admin, Role.officer})
    officer_scopes = frozenset({Scope.read, Scope.write_status})

    def visible(self, session: Session, principal: Principal, stmt: Select[Any]) -> Select[Any]:
        self.authorize_read(principal)
        if principal.is_admin:
            return stmt
        return stmt.where(col(ApiKey.created_by_user_id) == principal.user_id)

    def authorize_create(
        self, session: Session, principal: Principal, data: dict[str, Any]
    ) -> None:
        require_scope(principal, Scope.write_all)
        if principal.is_admin:
            return
        require_role(principal, Role.officer)
        if principal.user_id is None or data["role"] != Role.partner:
            raise Forbidden("Officers may issue partner keys only")
        if data["scopes"] and not set(data["scopes"]) <= self.officer_scopes:
            raise Forbidden("Officers may grant only the 'read' and 'write:status' scopes")
        if not organisation_sits_on(
            session, data["organisation_id"], managed_partnership_ids(session, principal)
        ):
            raise Forbidden(
                "The organisation does not sit on a partnership you manage",
                errors=[field_error("organisation_id", "not on a partnership you manage")],
            )

    def authorize_delete(self, session: Session, principal: Principal, row: SQLModel) -> None:
        require_scope(principal, Scope.write_all)
        require_role(principal, Role.officer)  # the key is visible to them: they issued it


API_KEYS = ApiKeyPolicy()


def list_api_keys(
    session: Session, principal: Principal, page: PageParams, filters: ApiKeyFilters
) -> tuple[Sequence[ApiKey], int]:
    stmt = API_KEYS.visible(session, principal, _key_query(filters))
    return paginate(session, stmt.order_by(col(ApiKey.id)), page)


def get_api_key(session: Session, principal: Principal, key_id: int) -> ApiKey:
    stmt = API_KEYS.visible(session, principal, select(ApiKey))
    key = session.scalar(stmt.where(col(ApiKey.id) == key_id))
    if key is None:
        raise not_found("api_key", key_id)
    return key


def create_api_key(
    session: Session, principal: Principal, body: ApiKeyCreate
) -> tuple[ApiKey, str]:
    API_KEYS.authorize_create(session, principal, body.model_dump())
    crud.check_references(session, ApiKey, {"organisation_id": body.organisation_id})
    row, key = issue_api_key(
        session,
        principal,
        role=body.role,
        name=body.name,
        organisation_id=body.organisation_id,
        scopes=[s.value for s in body.scopes] if body.scopes else None,
        created_by_user_id=principal.user_id,
        expires_at=body.expires_at,
    )
    return row, key


def revoke_api_key(session: Session, principal: Principal, key_id: int) -> None:
    key = get_api_key(session, principal, key_id)
    API_KEYS.authorize_delete(session, principal, key)
    if key.revoked_at is not None:
        return
    before = audit.snapshot(key)
    key.revoked_at = clock.now()
    session.flush()
    principal_cache.forget_all()
    audit.record(
        session, principal, "revoke", "api_key", key_id, before=before, after=audit.snapshot(key)
    )


def key_read(row: ApiKey) -> ApiKeyRead:
    return ApiKeyRead.model_validate(row, from_attributes=True)
