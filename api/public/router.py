"""The residents' site: server-rendered pages and feeds under /public, open to anyone.

Permission: public (no credentials read). Everything answers 404 when ``LSPHUB_PUBLIC_SITE``
is false. Every page and feed carries ETag, Last-Modified and Cache-Control and answers 304 to
a repeat request, so browsers and nginx (deploy/nginx.conf) keep copies.
"""

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import StreamingResponse
from markupsafe import Markup, escape

from api.core.clock import LONDON
from api.core.errors import NotFound, invalid
from api.core.settings import get_settings
from api.core.web.deps import SessionDep
from api.meetings.models import DecisionResult, MeetingStatus
from api.papers import service as papers
from api.papers.models import PaperFile
from api.partnerships.models import MembershipRole, Partnership
from api.public import feeds, service, subscriptions

if TYPE_CHECKING:
    from jinja2 import Environment

HERE = Path(__file__).parent
CSS = (HERE / "static" / "public.css").read_bytes()
CSS_VERSION = hashlib.sha256(CSS).hexdigest()[:12]
PAGE_CACHE = "public, max-age=60, stale-while-revalidate=300"
FEED_CACHE = "public, max-age=300, stale-while-revalidate=600"
HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"


def site_enabled() -> None:
    """The whole site, feeds included, is a 404 when LSPHUB_PUBLIC_SITE is false."""
    if not get_settings().public_site:
        raise NotFound("The public site is turned off")


router = APIRouter(prefix="/public", include_in_schema=False, dependencies=[Depends(site_enabled)])


# -- templates ---------------------------------------------------------------------------------


def _local(at: datetime | None, fmt: str = "%-d %B %Y, %-I:%M%p") -> str:
    if at is None:
        return ""
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(LONDON)
    return local.strftime(fmt).replace("AM", "am").replace("PM", "pm")


def _day(d: date | datetime | None) -> str:
    if d is None:
        return ""
    if isinstance(d, datetime):
        d = d.astimezone(LONDON).date()
    return f"{d.day} {d:%B %Y}"


def _paragraphs(text: str | None) -> Markup:
    """Plain text (markdown as written) as escaped paragraphs; contact details withheld."""
    blocks = [b.strip() for b in service.redact(text).replace("\r\n", "\n").split("\n\n")]
    return Markup("".join(f"<p>{escape(b)}</p>".replace("\n", "<br>") for b in blocks if b))


def _label(value: Any) -> str:
    text = str(value.value if hasattr(value, "value") else value).replace("_", " ")
    return text[:1].upper() + text[1:]


@lru_cache(maxsize=1)
def environment() -> "Environment":
    """The pages' templates, built with the first page: a worker that serves only the API
    never loads Jinja2 (≈ 9 MiB)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        local=_local, day=_day, paragraphs=_paragraphs, label=_label, redact=service.redact
    )
    env.globals.update(
        css_url=f"/public/static/public.css?v={CSS_VERSION}",
        MeetingStatus=MeetingStatus,
        MembershipRole=MembershipRole,
        chart=service.chart,
        is_upcoming=service.is_upcoming,
    )
    return env


# -- conditional responses ---------------------------------------------------------------------


def _not_modified(request: Request, etag: str, last_modified: datetime) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:  # takes precedence over If-Modified-Since (RFC 9110 §13.2.2)
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since:
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return last_modified.replace(microsecond=0) <= when
    return False


def _stream_file(request: Request, session: SessionDep, stored: PaperFile) -> Response:
    etag = f'"{stored.sha256}"'
    headers = {
        "ETag": etag,
        "Cache-Control": PAGE_CACHE,
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(stored.name, safe='')}",
    }
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        headers.pop("Content-Disposition")
        return Response(status_code=304, headers=headers)
    headers["Content-Length"] = str(stored.size)
    chunks = papers.chunk_count(session, stored.sha256)
    return StreamingResponse(
        papers.iter_blob(stored.sha256, chunks), media_type=stored.content_type, headers=headers
    )


def respond(
    request: Request,
    body: bytes,
    media_type: str,
    last_modified: datetime,
    *,
    cache: str = PAGE_CACHE,
    status: int = 200,
    extra: dict[str, str] | None = None,
) -> Response:
    etag = f'"{hashlib.sha256(body).hexdigest()[:24]}"'
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(last_modified.astimezone(UTC), usegmt=True),
        "Cache-Control": cache,
        "Vary": "Accept-Encoding",
        **(extra or {}),
    }
    if status == 200 and _not_modified(request, etag, last_modified):
        headers.pop("Content-Disposition", None)
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(status_code=status, headers=headers, media_type=media_type)
    return Response(body, status_code=status, media_type=media_type, headers=headers)


def _base() -> str:
    return get_settings().public_base_url.rstrip("/")


def page(
    request: Request,
    session: Any,
    template: str,
    *,
    title: str,
    description: str,
    status: int = 200,
    cache: str = PAGE_CACHE,
    **context: Any,
) -> Response:
    changed = service.last_modified(session)
    body = (
        environment()
        .get_template(template)
        .render(
            title=title,
            description=description,
            base=_base(),
            path=request.url.path,
            **context,
        )
    )
    return respond(request, body.encode(), HTML, changed, status=status, cache=cache)


def not_found_page(request: Request, session: Any, what: str) -> Response:
    return page(
        request,
        session,
        "not_found.html",
        title="Page not found",
        description=f"No public {what} at this address.",
        what=what,
        status=404,
    )


GET = ["GET", "HEAD"]


def route(path: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return router.api_route(path, methods=GET)


# -- pages -------------------------------------------------------------------------------------


@router.api_route("", methods=GET)
def home_without_slash() -> Response:
    return Response(status_code=308, headers={"Location": "/public/"})


@route("/")
def home(request: Request, session: SessionDep) -> Response:
    return page(
        request,
        session,
        "home.html",
        title="Riverside partnerships: meetings, decisions and progress",
        description=(
            "The local strategic partnership in public: who sits on each partnership, "
            "meetings with agendas, papers and minutes, decisions and progress on the "
            "community strategy."
        ),
        partnerships=service.partnerships(session),
        upcoming=service.upcoming_meetings(session, limit=service.UPCOMING_ON_HOME),
        decisions=service.recent_decisions(session),
    )


@route("/partnerships/{slug}")
def partnership(request: Request, session: SessionDep, slug: str) -> Response:
    found = service.partnership_page(session, slug[:80])
    if found is None:
        return not_found_page(request, session, "partnership")
    return page(
        request,
        session,
        "partnership.html",
        title=found.partnership.name,
        description=found.partnership.purpose or f"About {found.partnership.name}.",
        p=found,
    )


@route("/partnerships/{slug}/progress")
def progress(request: Request, session: SessionDep, slug: str) -> Response:
    found = service.progress_page(session, slug[:80])
    if found is None:
        return not_found_page(request, session, "strategy progress")
    return page(
        request,
        session,
        "progress.html",
        title=f"Progress: {found.strategy.title}",
        description=f"Progress on {found.strategy.title}, outcome by outcome.",
        pp=found,
    )


@route("/meetings")
def meetings(request: Request, session: SessionDep) -> Response:
    return page(
        request,
        session,
        "meetings.html",
        title="Meetings",
        description="Upcoming and past public meetings of the partnerships.",
        upcoming=service.upcoming_meetings(session),
        past=service.past_meetings(session, limit=60),
    )


@route("/meetings/{meeting_id}")
def meeting(request: Request, session: SessionDep, meeting_id: int) -> Response:
    found = service.meeting_page(session, meeting_id)
    if found is None:
        return not_found_page(request, session, "meeting")
    m = found.row.meeting
    return page(
        request,
        session,
        "meeting.html",
        title=m.title,
        description=f"{found.row.partnership.name}, {_local(m.starts_at)}: agenda, papers, "
        "minutes and decisions.",
        mp=found,
    )


@route("/papers/{paper_id}")
def paper(request: Request, session: SessionDep, paper_id: int) -> Response:
    found = service.paper_page(session, paper_id)
    if found is None:
        return not_found_page(request, session, "paper")
    return page(
        request,
        session,
        "paper.html",
        title=found.paper.title,
        description=service.redact(found.paper.description) or found.paper.title,
        pp=found,
    )


@route("/papers/{paper_id}/download")
def download_paper(request: Request, session: SessionDep, paper_id: int) -> Response:
    """The paper's file when it has one (streamed), else the paper as plain text."""
    found = service.paper_page(session, paper_id)
    if found is None:
        return not_found_page(request, session, "paper")
    stored = session.get(PaperFile, paper_id)
    if stored is not None:
        return _stream_file(request, session, stored)
    return respond(
        request,
        service.paper_text(found).encode(),
        "text/plain; charset=utf-8",
        service.last_modified(session),
        extra={"Content-Disposition": f'attachment; filename="paper-{paper_id}.txt"'},
    )


def _date_param(name: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise invalid(name, "Enter a date as YYYY-MM-DD, e.g. 2026-07-15") from None


@route("/decisions")
def decisions(
    request: Request,
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    partnership: Annotated[str | None, Query(max_length=80)] = None,
    result: Annotated[str | None, Query(max_length=20)] = None,
    since: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    until: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
) -> Response:
    if result and result not in {r.value for r in DecisionResult}:
        raise invalid("result", "Choose carried or lost")
    since_day, until_day = _date_param("from", since), _date_param("to", until)
    choices = service.partnerships(session)
    chosen = next((p for p in choices if p.slug == partnership), None)
    if partnership and chosen is None:
        raise invalid("partnership", "No public partnership with this name")
    found = service.search_decisions(
        session,
        q=(q or "").strip() or None,
        partnership_id=chosen.id if chosen else None,
        result=result or None,
        since=since_day,
        until=until_day,
        page=page_no,
    )
    filters = {
        "q": q or "",
        "partnership": partnership or "",
        "result": result or "",
        "from": since or "",
        "to": until or "",
    }
    return page(
        request,
        session,
        "decisions.html",
        title="Decisions",
        description="Search the decisions the partnerships have taken at public meetings.",
        found=found,
        filters=filters,
        query={k: v for k, v in filters.items() if v},
        choices=choices,
        results=[r.value for r in DecisionResult],
    )


@route("/decisions/{decision_id}")
def decision(request: Request, session: SessionDep, decision_id: int) -> Response:
    found = service.decision(session, decision_id)
    if found is None:
        return not_found_page(request, session, "decision")
    return page(
        request,
        session,
        "decision.html",
        title=f"Decision of {found.partnership.name}, {_day(found.meeting.starts_at)}",
        description=service.redact(found.decision.text)[:200],
        d=found,
    )


@route("/indicators")
def indicators(request: Request, session: SessionDep) -> Response:
    return page(
        request,
        session,
        "indicators.html",
        title="Indicators and targets",
        description="The national indicators the partnerships report, against the LAA targets.",
        indicators=service.indicators(session),
    )


@route("/indicators/{indicator_id}")
def indicator(request: Request, session: SessionDep, indicator_id: int) -> Response:
    found = service.indicator_page(session, indicator_id)
    if found is None:
        return not_found_page(request, session, "indicator")
    ind = found.indicator
    return page(
        request,
        session,
        "indicator.html",
        title=f"{ind.code}: {ind.title}",
        description=f"The trend of {ind.code} ({ind.title}) against its LAA target.",
        ip=found,
    )


# -- e-mail subscriptions ----------------------------------------------------------------------

PRIVATE = "no-store"  # pages about one address's subscription: never kept by a cache


@router.post("/partnerships/{slug}/subscribe")
def subscribe(
    request: Request,
    session: SessionDep,
    slug: str,
    email: Annotated[str, Form(max_length=254)],
) -> Response:
    """Double opt-in: a confirmation link goes to the address; nothing else until it is used."""
    p = service.partnership_by_slug(session, slug[:80])
    if p is None:
        return not_found_page(request, session, "partnership")
    subscriptions.subscribe_address(session, p, email)
    return page(
        request,
        session,
        "subscription.html",
        title="Check your e-mail",
        description=f"Confirm your e-mails from {p.name}.",
        cache=PRIVATE,
        state="sent",
        partnership=p,
    )


def _subscription_page(
    request: Request, session: Any, purpose: str, token: str, *, done: bool
) -> Response:
    row = subscriptions.find(session, purpose, token[:100])
    if row is None:
        return not_found_page(request, session, "subscription")
    partnership = session.get(Partnership, row.partnership_id)
    if done and purpose == subscriptions.CONFIRM:
        subscriptions.confirm(session, row)
    elif done:
        subscriptions.unsubscribe(session, row)
    titles = {
        (subscriptions.CONFIRM, False): "Confirm your subscription",
        (subscriptions.CONFIRM, True): "You are subscribed",
        (subscriptions.UNSUBSCRIBE, False): "Stop these e-mails",
        (subscriptions.UNSUBSCRIBE, True): "You are unsubscribed",
    }
    return page(
        request,
        session,
        "subscription.html",
        title=titles[(purpose, done)],
        description="E-mails about a partnership's meetings and decisions.",
        cache=PRIVATE,
        state=f"{purpose}-{'done' if done else 'ask'}",
        partnership=partnership,
        token=token,
    )


@route("/subscriptions/confirm")
def confirm_form(
    request: Request, session: SessionDep, token: Annotated[str, Query(max_length=100)]
) -> Response:
    """A button, not the change itself: mail scanners open links."""
    return _subscription_page(request, session, subscriptions.CONFIRM, token, done=False)


@router.post("/subscriptions/confirm")
def confirm(
    request: Request, session: SessionDep, token: Annotated[str, Query(max_length=100)]
) -> Response:
    return _subscription_page(request, session, subscriptions.CONFIRM, token, done=True)


@route("/subscriptions/unsubscribe")
def unsubscribe_form(
    request: Request, session: SessionDep, token: Annotated[str, Query(max_length=100)]
) -> Response:
    return _subscription_page(request, session, subscriptions.UNSUBSCRIBE, token, done=False)


@router.post("/subscriptions/unsubscribe")
def unsubscribe(
    request: Request, session: SessionDep, token: Annotated[str, Query(max_length=100)]
) -> Response:
    """The form's button and RFC 8058 one-click (``List-Unsubscribe=One-Click``) alike."""
    return _subscription_page(request, session, subscriptions.UNSUBSCRIBE, token, done=True)


# -- feeds -------------------------------------------------------------------------------------


def _meeting_feed(request: Request, session: Any, partnership_id: int | None, name: str) -> Any:
    base = _base()
    rows = service.feed_meetings(session, partnership_id)
    changed = service.last_modified(session)
    items = [
        feeds.FeedItem(
            id=f"{base}/public/meetings/{r.meeting.id}",
            title=f"{r.meeting.title} ({_local(r.meeting.starts_at)})",
            url=f"{base}/public/meetings/{r.meeting.id}",
            summary=(
                f"{r.partnership.name}: {_local(r.meeting.starts_at)}"
                + (f", {service.redact(r.meeting.location)}" if r.meeting.location else "")
                + (" (cancelled)" if r.meeting.status == MeetingStatus.cancelled else "")
            ),
            published=r.meeting.created_at,
            updated=r.meeting.updated_at,
        )
        for r in rows
    ]
    return feeds.Feed(
        id=f"{base}{request.url.path}",
        title=f"Upcoming meetings: {name}",
        description=f"Upcoming public meetings of {name}.",
        url=f"{base}/public/meetings",
        self_url=f"{base}{request.url.path}",
        updated=changed,
        items=items,
    ), changed


def _decision_feed(request: Request, session: Any, partnership_id: int | None, name: str) -> Any:
    base = _base()
    rows = service.feed_decisions(session, partnership_id)
    changed = service.last_modified(session)
    items = [
        feeds.FeedItem(
            id=f"{base}/public/decisions/{r.decision.id}",
            title=f"{r.partnership.name}, {_day(r.meeting.starts_at)}: {_label(r.decision.result)}",
            url=f"{base}/public/decisions/{r.decision.id}",
            summary=service.redact(r.decision.text),
            published=r.decision.created_at,
            updated=r.decision.updated_at,
        )
        for r in rows
    ]
    return feeds.Feed(
        id=f"{base}{request.url.path}",
        title=f"Decisions: {name}",
        description=f"Decisions taken at public meetings of {name}.",
        url=f"{base}/public/decisions",
        self_url=f"{base}{request.url.path}",
        updated=changed,
        items=items,
    ), changed


ALL = "the Riverside partnerships"


@route("/meetings.rss")
def meetings_rss(request: Request, session: SessionDep) -> Response:
    feed, changed = _meeting_feed(request, session, None, ALL)
    return respond(request, feeds.rss(feed), RSS, changed, cache=FEED_CACHE)


@route("/meetings.atom")
def meetings_atom(request: Request, session: SessionDep) -> Response:
    feed, changed = _meeting_feed(request, session, None, ALL)
    return respond(request, feeds.atom(feed), ATOM, changed, cache=FEED_CACHE)


@route("/decisions.rss")
def decisions_rss(request: Request, session: SessionDep) -> Response:
    feed, changed = _decision_feed(request, session, None, ALL)
    return respond(request, feeds.rss(feed), RSS, changed, cache=FEED_CACHE)


@route("/decisions.atom")
def decisions_atom(request: Request, session: SessionDep) -> Response:
    feed, changed = _decision_feed(request, session, None, ALL)
    return respond(request, feeds.atom(feed), ATOM, changed, cache=FEED_CACHE)


def _partnership_feed(request: Request, session: Any, slug: str, kind: str, fmt: str) -> Response:
    p = service.partnership_by_slug(session, slug[:80])
    if p is None:
        return not_found_page(request, session, "partnership")
    build = _meeting_feed if kind == "meetings" else _decision_feed
    feed, changed = build(request, session, p.id, p.name)
    body, media = (feeds.rss(feed), RSS) if fmt == "rss" else (feeds.atom(feed), ATOM)
    return respond(request, body, media, changed, cache=FEED_CACHE)


@route("/partnerships/{slug}/meetings.rss")
def partnership_meetings_rss(request: Request, session: SessionDep, slug: str) -> Response:
    return _partnership_feed(request, session, slug, "meetings", "rss")


@route("/partnerships/{slug}/meetings.atom")
def partnership_meetings_atom(request: Request, session: SessionDep, slug: str) -> Response:
    return _partnership_feed(request, session, slug, "meetings", "atom")


@route("/partnerships/{slug}/decisions.rss")
def partnership_decisions_rss(request: Request, session: SessionDep, slug: str) -> Response:
    return _partnership_feed(request, session, slug, "decisions", "rss")


@route("/partnerships/{slug}/decisions.atom")
def partnership_decisions_atom(request: Request, session: SessionDep, slug: str) -> Response:
    return _partnership_feed(request, session, slug, "decisions", "atom")


@route("/sitemap.xml")
def sitemap(request: Request, session: SessionDep) -> Response:
    body = feeds.sitemap_xml(_base(), service.sitemap(session))
    return respond(request, body, XML, service.last_modified(session), cache=FEED_CACHE)


@route("/static/public.css")
def stylesheet(request: Request) -> Response:
    """The site's one stylesheet; its address carries its hash, so it is cached for a year."""
    return respond(
        request,
        CSS,
        "text/css; charset=utf-8",
        datetime.fromtimestamp((HERE / "static" / "public.css").stat().st_mtime, UTC),
        cache="public, max-age=31536000, immutable",
    )


@route("/{rest:path}")
def unknown(request: Request, session: SessionDep, rest: str) -> Response:
    return not_found_page(request, session, "page")


# Outside /public: the crawlers' file at the root of the site.
robots_router = APIRouter(include_in_schema=False)


@robots_router.api_route("/robots.txt", methods=GET)
def robots(request: Request) -> Response:
    """Crawlers may read the public site (and its sitemap), nothing else."""
    if get_settings().public_site:
        body = (
            f"User-agent: *\nAllow: /public/\nDisallow: /\nSitemap: {_base()}/public/sitemap.xml\n"
        )
    else:
        body = "User-agent: *\nDisallow: /\n"
    return Response(
        body,
        media_type="text/plain; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )
