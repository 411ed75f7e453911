"""Credentials: users, their login tokens and failed logins, and API keys."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from api.core import clock
from api.core.models import Entity, UTCDateTime, enum_check, enum_column
from api.core.principal import Role


class User(Entity, table=True):
    __table_args__ = (enum_check("role", Role),)

    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=200)
    role: Role = enum_column(Role, default=Role.member, index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    active: bool = True
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuthToken(SQLModel, table=True):
    """An opaque bearer token for a browser session; only its SHA-256 is stored."""

    __tablename__ = "auth_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiKey(Entity, table=True):
    """``lsp_<prefix>_<secret>``: the prefix is public, only the SHA-256 of the key is kept."""

    __tablename__ = "api_key"
    __table_args__ = (enum_check("role", Role),)

    name: str = Field(max_length=200)
    prefix: str = Field(max_length=16, unique=True)
    key_hash: str = Field(max_length=64, unique=True)
    role: Role = enum_column(Role, index=True)
    scopes: str = Field(max_length=200)  # space-separated Scope values
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginAttempt(SQLModel, table=True):
    """Failed logins, counted per e-mail and per client to rate-limit guessing."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    client: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)


class PasswordLink(SQLModel, table=True):
    """A one-time link for a user to choose a password: a new user's first one, or a new one
    after an administrator's reset. Only the SHA-256 of its token is stored."""

    __tablename__ = "password_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
