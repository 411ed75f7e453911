"""Request and response shapes for logins, users and API keys; hashes never appear here."""

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field, field_validator

from api.core.models import EMAIL_PATTERN, STRICT, Id, RecordMeta, StrictBody, partial_model
from api.core.principal import Role, Scope

# -- logins ------------------------------------------------------------------------------------


class LoginRequest(StrictBody):
    """JSON ``{email, password}``; a form sends ``username`` and ``password`` instead."""

    model_config = STRICT

    email: str = Field(max_length=254)
    password: str = Field(max_length=256)


class TokenRead(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


class MembershipBrief(BaseModel):
    id: int
    partnership_id: int
    partnership_name: str
    role: str


class MeRead(BaseModel):
    """Who is calling: a user (browser login) or an API key."""

    kind: Literal["user", "api_key"]
    id: int
    name: str
    email: str | None
    role: Role
    organisation_id: int | None
    person_id: int | None
    memberships: list[MembershipBrief]


# -- users -------------------------------------------------------------------------------------


PASSWORD_RULE = "At least 12 characters"


class UserCreate(StrictBody):
    model_config = STRICT

    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    password: str | None = Field(
        None,
        min_length=12,
        max_length=256,
        description=f"{PASSWORD_RULE}. Leave it out to get a one-time link instead, for the "
        "user to choose their own (`password_link` in the response)",
    )
    role: Role = Role.member
    person_id: Id | None = None
    organisation_id: Id | None = None
    active: bool = True


class UserUpdate(partial_model(UserCreate, "UserFields", exclude=("password",))):  # type: ignore[misc]
    """Fields to change; absent fields keep their value; ``password`` resets it and ends the
    user's sessions, ``active: false`` ends them too. Required fields cannot be cleared."""

    password: str = Field(None, min_length=12, max_length=256, description=PASSWORD_RULE)  # type: ignore[assignment]


class UserRead(RecordMeta):
    email: str
    name: str
    role: Role
    person_id: int | None
    organisation_id: int | None
    active: bool
    last_login_at: datetime | None


class PasswordLinkRead(BaseModel):
    """A one-time link for a user to choose a password; shown once, only its hash is kept.

    Until e-mail delivery arrives, give the link to the user yourself."""

    user_id: int
    url: str = Field(description="`path` on LSPHUB_PUBLIC_BASE_URL")
    path: str = Field(description="The browser app's address, the token in its fragment")
    expires_at: datetime


class UserCreated(UserRead):
    """The new user; ``password_link`` is set when no password was given, and only here."""

    password_link: PasswordLinkRead | None


class PasswordSet(BaseModel):
    """Choose a password with the token of a one-time link."""

    model_config = STRICT

    token: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=12, max_length=256, description=PASSWORD_RULE)


class PasswordSetRead(BaseModel):
    """Whose password was set: sign in with this e-mail and the new password."""

    email: str


class AdministratorRead(BaseModel):
    """An administrator by name only: whom to ask for access (no contact details)."""

    name: str


class UserFilters(BaseModel):
    role: Role | None = None
    active: bool | None = None
    organisation_id: Id | None = None
    q: str | None = Field(None, max_length=100, description="Text in name or e-mail")


# -- API keys ----------------------------------------------------------------------------------


class ApiKeyCreate(StrictBody):
    model_config = STRICT

    name: str = Field(min_length=1, max_length=200, description="Who or what uses the key")
    role: Role
    organisation_id: Id | None = Field(None, description="Required for partner keys")
    scopes: list[Scope] | None = Field(
        None, max_length=len(Scope), description="Defaults from the role"
    )
    expires_at: AwareDatetime | None = None


class ApiKeyRead(RecordMeta):
    name: str
    prefix: str
    role: Role
    scopes: list[Scope]
    organisation_id: int | None
    created_by_user_id: int | None
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @field_validator("scopes", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return value.split() if isinstance(value, str) else value


class ApiKeyCreated(ApiKeyRead):
    """The only response that ever carries ``key``: store it now, it is not shown again."""

    key: str


class ApiKeyFilters(BaseModel):
    prefix: str | None = Field(None, max_length=16)
    role: Role | None = None
    organisation_id: Id | None = None
    revoked: bool | None = None
