"""``/me/notifications`` (a person's preferences), ``/unsubscribe/{token}`` (one-click, no
login) and ``/outbox-messages`` (administrators: what was queued and sent)."""

from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.auth.deps import PrincipalDep
from api.core.models import Id
from api.core.pagination import Page
from api.core.web.deps import PageDep, SessionDep
from api.crud.router import PROBLEM_RESPONSES
from api.notifications import service
from api.notifications.categories import CATEGORIES
from api.notifications.schemas import (
    NotificationPreferences,
    NotificationPreferencesUpdate,
    OutboxMessageBrief,
    OutboxMessageFilters,
    OutboxMessageRead,
    UnsubscribeRead,
)

router = APIRouter(tags=["notifications"], responses=PROBLEM_RESPONSES)

NO_PERSON: dict[int | str, dict[str, Any]] = {
    422: {"description": "The caller is not a person (an API key or a bare login)"}
}


@router.get("/me/notifications", operation_id="get_my_notifications", responses=NO_PERSON)
def get_my_notifications(session: SessionDep, principal: PrincipalDep) -> NotificationPreferences:
    """Which e-mails the caller receives, by category."""
    return service.preferences(session, principal)


@router.put("/me/notifications", operation_id="update_my_notifications", responses=NO_PERSON)
def update_my_notifications(
    body: NotificationPreferencesUpdate, session: SessionDep, principal: PrincipalDep
) -> NotificationPreferences:
    """Switch categories on or off; a required category cannot be switched off (422)."""
    return service.update_preferences(session, principal, body)


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title></head><body><main><h1>{title}</h1>{body}</main></body></html>"""


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        PAGE.format(title=escape(title), body=body), headers={"Cache-Control": "no-store"}
    )


@router.get(
    "/unsubscribe/{token}",
    operation_id="show_unsubscribe",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}}},
)
def show_unsubscribe(token: str, session: SessionDep) -> HTMLResponse:
    """A page with one button that stops the category the link names (a mail client without
    one-click support opens this)."""
    _, category = service.check_unsubscribe_token(session, token[:200])
    label = escape(CATEGORIES[category].label.lower())
    return _page(
        "Stop these e-mails",
        f"<p>Stop e-mails about <strong>{label}</strong>? Required meeting notices still "
        "arrive.</p>"
        '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">'
        '<button type="submit">Stop these e-mails</button></form>',
    )


@router.post("/unsubscribe/{token}", operation_id="unsubscribe")
def unsubscribe(token: str, request: Request, session: SessionDep) -> UnsubscribeRead:
    """RFC 8058 one-click unsubscribe (``List-Unsubscribe=One-Click`` in the body): the signed
    token names the person and category; no login. A browser gets a confirmation page."""
    done = service.unsubscribe(session, token[:200])
    if "text/html" in request.headers.get("accept", ""):
        label = escape(CATEGORIES[done.category].label.lower())
        return _page(  # type: ignore[return-value]
            "Unsubscribed",
            f"<p>You will no longer receive e-mails about <strong>{label}</strong>. "
            "Your other notification settings are in LSP Hub.</p>",
        )
    return done


@router.get("/outbox-messages", operation_id="list_outbox_messages")
def list_outbox_messages(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    filters: Annotated[OutboxMessageFilters, Query()],
) -> Page[OutboxMessageBrief]:
    """Every e-mail queued, sent, failed or suppressed, newest first (administrators)."""
    items, total = service.list_messages(session, principal, page, filters)
    return Page(items=list(items), total=total, limit=page.limit, offset=page.offset)


@router.get("/outbox-messages/{message_id}", operation_id="get_outbox_message")
def get_outbox_message(
    message_id: Id, session: SessionDep, principal: PrincipalDep
) -> OutboxMessageRead:
    """One message as sent: headers, text and HTML bodies, attachments. A password link's body
    is withheld."""
    return service.get_message(session, principal, message_id)
