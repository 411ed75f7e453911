"""Logins (``/auth/token``, ``/auth/logout``), ``/me``, ``/users`` and ``/api-keys``."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import ValidationError

from api.accounts import password_links, service
from api.accounts.schemas import (
    AdministratorRead,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyFilters,
    ApiKeyRead,
    LoginRequest,
    MeRead,
    PasswordLinkRead,
    PasswordSet,
    PasswordSetRead,
    TokenRead,
    UserCreate,
    UserCreated,
    UserFilters,
    UserRead,
    UserUpdate,
)
from api.auth.deps import PrincipalDep, bearer
from api.auth.throttle import Throttled
from api.core.errors import Unprocessable, field_error
from api.core.models import Id
from api.core.pagination import Page
from api.core.web.deps import PageDep, SessionDep
from api.core.web.problems import problem_response
from api.crud.router import (
    PROBLEM_RESPONSES,
    VERSIONED_WRITE_RESPONSES,
    WRITE_RESPONSES,
    IfMatch,
    etag,
    parse_if_match,
)

router = APIRouter(responses=PROBLEM_RESPONSES)

_PASSWORD = {"type": "string", "maxLength": 256, "format": "password"}
_LOGIN_JSON = {
    "type": "object",
    "required": ["email", "password"],
    "properties": {"email": {"type": "string", "maxLength": 254}, "password": _PASSWORD},
    "additionalProperties": False,
}
_LOGIN_FORM = {
    "type": "object",
    "required": ["username", "password"],
    "properties": {
        "username": {"type": "string", "maxLength": 254, "description": "The e-mail"},
        "password": _PASSWORD,
    },
}


async def login_body(request: Request) -> LoginRequest:
    """JSON ``{email, password}`` or an OAuth2-style form ``username=…&password=…``."""
    content_type = request.headers.get("content-type", "")
    raw: Any
    is_form = content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))
    if is_form:
        form = await request.form()
        raw = {"email": form.get("username"), "password": form.get("password")}
    else:
        try:
            raw = await request.json()
        except ValueError:
            raise Unprocessable(
                "Send JSON {email, password} or a form with username and password",
                errors=[field_error(["body"], "not JSON or a form")],
            ) from None
        if isinstance(raw, dict) and "username" in raw and "email" not in raw:
            raw = {**raw, "email": raw.pop("username")}
    try:
        return LoginRequest.model_validate(raw)
    except ValidationError as exc:
        rename = {"email": "username"} if is_form else {}
        errors = [
            field_error(["body", *(rename.get(str(p), str(p)) for p in e["loc"])], e["msg"])
            for e in exc.errors()
        ]
        raise Unprocessable(f"{errors[0]['loc'][-1]}: {errors[0]['msg']}", errors=errors) from None


@router.post(
    "/auth/token",
    operation_id="create_token",
    tags=["auth"],
    summary="Log in: exchange an e-mail and password for a bearer token",
    response_model=TokenRead,
    responses={
        401: {"description": "Wrong e-mail or password"},
        429: {"description": "Too many failed logins (see Retry-After)"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": _LOGIN_JSON},
                "application/x-www-form-urlencoded": {"schema": _LOGIN_FORM},
            },
        }
    },
)
def create_token(
    request: Request, session: SessionDep, body: Annotated[LoginRequest, Depends(login_body)]
) -> TokenRead | Response:
    """Wrong e-mail and wrong password get the same 401; repeated failures from one client
    a 429 for that client only."""
    result = service.login(session, body, request.client.host if request.client else None)
    if isinstance(result, Throttled):
        return problem_response(
            429,
            slug="rate-limited",
            title="Too many requests",
            detail=f"Too many failed logins; try again in {result.retry_after} seconds",
            headers={"Retry-After": str(result.retry_after)},
        )
    if isinstance(result, service.LoginFailed):
        # Returned, not raised: the failed attempt must be committed to count.
        return problem_response(
            401,
            slug="unauthorized",
            title="Authentication required",
            detail="Wrong e-mail or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return result


@router.post("/auth/logout", operation_id="logout", tags=["auth"], status_code=204)
def logout(
    session: SessionDep,
    principal: PrincipalDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Response:
    """Revoke the token this request carries."""
    service.logout(session, principal, credentials.credentials if credentials else "")
    return Response(status_code=204)


@router.post(
    "/auth/set-password",
    operation_id="set_password",
    tags=["auth"],
    summary="Choose a password with a one-time link's token",
)
def set_password(body: PasswordSet, session: SessionDep) -> PasswordSetRead:
    """No login needed: the token is the credential. It works once; the user's sessions end
    and they sign in with the new password. A used or expired token is a 422 naming
    ``token``."""
    return password_links.set_password(session, body)


@router.get("/me", operation_id="get_me", tags=["auth"])
def get_me(session: SessionDep, principal: PrincipalDep) -> MeRead:
    """The caller: kind, role, organisation, person and current memberships."""
    return service.me(session, principal)


# -- users -------------------------------------------------------------------------------------


@router.get("/administrators", operation_id="list_administrators", tags=["users"])
def list_administrators(
    session: SessionDep, principal: PrincipalDep, page: PageDep
) -> Page[AdministratorRead]:
    """The active administrators' names (nothing else), for any principal: whom to ask for
    access to a screen or a change only administrators make."""
    names, total = service.list_administrators(session, principal, page)
    items = [AdministratorRead(name=name) for name in names]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/users", operation_id="list_users", tags=["users"])
def list_users(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    filters: Annotated[UserFilters, Query()],
) -> Page[UserRead]:
    rows, total = service.list_users(session, principal, page, filters)
    items = [UserRead.model_validate(r, from_attributes=True) for r in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/users",
    operation_id="create_user",
    tags=["users"],
    status_code=201,
    responses=WRITE_RESPONSES,
)
def create_user(
    body: UserCreate, session: SessionDep, principal: PrincipalDep, response: Response
) -> UserCreated:
    """Create a user; without ``password`` the response carries a one-time link for them to
    choose one (shown only here)."""
    user, link = service.create_user(session, principal, body)
    response.headers["Location"] = f"/api/v1/users/{user.id}"
    response.headers["ETag"] = etag(user)
    if link is not None:
        response.headers["Cache-Control"] = "no-store"
    read = UserRead.model_validate(user, from_attributes=True)
    return UserCreated(**read.model_dump(), password_link=link)


@router.get("/users/{user_id}", operation_id="get_user", tags=["users"])
def get_user(
    user_id: Id, session: SessionDep, principal: PrincipalDep, response: Response
) -> UserRead:
    user = service.get_user(session, principal, user_id)
    response.headers["ETag"] = etag(user)
    return UserRead.model_validate(user, from_attributes=True)


@router.patch(
    "/users/{user_id}",
    operation_id="update_user",
    tags=["users"],
    responses=VERSIONED_WRITE_RESPONSES,
)
def update_user(
    user_id: Id,
    body: UserUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    if_match: IfMatch = None,
) -> UserRead:
    """Change a user; ``password`` resets it and ends the user's sessions."""
    user = service.update_user(session, principal, user_id, body, parse_if_match(if_match))
    response.headers["ETag"] = etag(user)
    return UserRead.model_validate(user, from_attributes=True)


@router.post(
    "/users/{user_id}/password-reset",
    operation_id="reset_user_password",
    tags=["users"],
    status_code=201,
    responses={409: {"description": "The user is deactivated, or is you"}},
)
def reset_user_password(
    user_id: Id, session: SessionDep, principal: PrincipalDep, response: Response
) -> PasswordLinkRead:
    """The user's password stops working and their sessions end; the response is the only
    place the one-time link to choose a new one appears."""
    link = service.reset_password(session, principal, user_id)
    response.headers["Cache-Control"] = "no-store"
    return link


@router.delete(
    "/users/{user_id}",
    operation_id="deactivate_user",
    tags=["users"],
    status_code=204,
    responses=VERSIONED_WRITE_RESPONSES,
)
def deactivate_user(
    user_id: Id, session: SessionDep, principal: PrincipalDep, if_match: IfMatch = None
) -> Response:
    """Deactivate a user and end their sessions; users are never deleted."""
    service.deactivate_user(session, principal, user_id, parse_if_match(if_match))
    return Response(status_code=204)


# -- API keys ----------------------------------------------------------------------------------


@router.get("/api-keys", operation_id="list_api_keys", tags=["api keys"])
def list_api_keys(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    filters: Annotated[ApiKeyFilters, Query()],
) -> Page[ApiKeyRead]:
    """Keys by prefix; the keys themselves are never shown again after creation."""
    rows, total = service.list_api_keys(session, principal, page, filters)
    items = [service.key_read(r) for r in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("/api-keys", operation_id="create_api_key", tags=["api keys"], status_code=201)
def create_api_key(
    body: ApiKeyCreate, session: SessionDep, principal: PrincipalDep, response: Response
) -> ApiKeyCreated:
    """Create a key; the response is the only place ``key`` ever appears."""
    row, key = service.create_api_key(session, principal, body)
    response.headers["Location"] = f"/api/v1/api-keys/{row.id}"
    response.headers["Cache-Control"] = "no-store"
    return ApiKeyCreated(**service.key_read(row).model_dump(), key=key)


@router.get("/api-keys/{key_id}", operation_id="get_api_key", tags=["api keys"])
def get_api_key(key_id: Id, session: SessionDep, principal: PrincipalDep) -> ApiKeyRead:
    return service.key_read(service.get_api_key(session, principal, key_id))


@router.delete(
    "/api-keys/{key_id}", operation_id="revoke_api_key", tags=["api keys"], status_code=204
)
def revoke_api_key(key_id: Id, session: SessionDep, principal: PrincipalDep) -> Response:
    """Revoke a key at once; it stays listed with ``revoked_at``."""
    service.revoke_api_key(session, principal, key_id)
    return Response(status_code=204)
