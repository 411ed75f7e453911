"""The residents' site (/public): nothing private ever appears, feeds parse, repeat requests
get 304, and LSPHUB_PUBLIC_SITE=false turns it all off.

The no-leak walk plants private records carrying unique marker strings (a private meeting, a
partnership that is not public, draft minutes, a paper not marked public, contact details),
then follows every link from the home page, the sitemap and the feeds and asserts that no
marker and no e-mail address appears in any page or feed.
"""

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

import feedparser
import pytest
import time_machine
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlmodel import col, select

from api.core import clock
from api.core.db import SessionLocal
from api.core.settings import get_settings
from api.meetings.models import AgendaItem, Decision, DecisionResult, Meeting, MeetingStatus
from api.partnerships.models import Membership, MembershipRole, Partnership, PartnershipKind
from api.people.models import Person
from api.reports.models import Report
from tests.papers_files import pdf

MARKERS = {
    "private meeting": "Zq7PrivateMeetingTitle",
    "private agenda": "Zq7PrivateAgendaItem",
    "private decision": "Zq7PrivateDecisionText",
    "draft minutes": "Zq7DraftMinutesText",
    "private paper": "Zq7PrivatePaperTitle",
    "private paper body": "Zq7PrivatePaperNarrative",
    "paper contact": "Zq7PaperContactLine",
    "hidden partnership": "Zq7HiddenPartnershipName",
    "hidden partnership meeting": "Zq7HiddenPartnershipMeeting",
    "hidden partnership decision": "Zq7HiddenPartnershipDecision",
    "member e-mail": "zq7.member.mail@example.org",
    "member phone": "01632 960417",
    "typed e-mail": "zq7.typed@example.org",
}
PUBLIC_PAPER = "Zq7PublicPaperTitle"
PUBLIC_MEETING = "Zq7PublicMeetingTitle"
PUBLIC_DECISION = "Zq7PublicDecisionText"
MEMBER_NAME = "Zq7 Resident Member"

# Every route of the site; a new route fails test_every_route_is_walked until it is listed.
ROUTES = {
    "/public",
    "/public/",
    "/public/partnerships/{slug}",
    "/public/partnerships/{slug}/progress",
    "/public/meetings",
    "/public/meetings/{meeting_id}",
    "/public/papers/{paper_id}",
    "/public/papers/{paper_id}/download",
    "/public/decisions",
    "/public/decisions/{decision_id}",
    "/public/indicators",
    "/public/indicators/{indicator_id}",
    "/public/meetings.rss",
    "/public/meetings.atom",
    "/public/decisions.rss",
    "/public/decisions.atom",
    "/public/partnerships/{slug}/meetings.rss",
    "/public/partnerships/{slug}/meetings.atom",
    "/public/partnerships/{slug}/decisions.rss",
    "/public/partnerships/{slug}/decisions.atom",
    "/public/sitemap.xml",
    "/public/static/public.css",
    "/public/{rest:path}",
    # E-mail subscriptions: tests/api/test_public_subscriptions.py
    "/public/partnerships/{slug}/subscribe",
    "/public/subscriptions/confirm",
    "/public/subscriptions/unsubscribe",
}


@dataclass
class Planted:
    public_meeting_id: int
    private_meeting_id: int
    hidden_meeting_id: int
    hidden_decision_id: int
    private_decision_id: int
    public_decision_id: int
    private_paper_id: int
    public_paper_id: int
    partnership_slug: str
    partnership_id: int
    hidden_partnership_id: int


def _at(days: int) -> object:
    return clock.now() + timedelta(days=days)


@pytest.fixture
def planted(db: Connection) -> Planted:
    with SessionLocal() as s, s.begin():
        group = s.scalars(select(Partnership).where(col(Partnership.slug) == "strategic")).one()
        hidden = Partnership(
            name=MARKERS["hidden partnership"],
            slug="zq7-hidden",
            kind=PartnershipKind.thematic,
            public=False,
            purpose=MARKERS["hidden partnership"],
        )
        person = Person(
            name=MEMBER_NAME, email=MARKERS["member e-mail"], phone=MARKERS["member phone"]
        )
        s.add_all([hidden, person])
        s.flush()
        s.add(
            Membership(
                person_id=person.id,  # type: ignore[arg-type]
                partnership_id=group.id,  # type: ignore[arg-type]
                role=MembershipRole.member,
                represents="Residents' forum",
                started_on=clock.today() - timedelta(days=30),
            )
        )
        private_paper = Report(
            partnership_id=group.id,
            title=MARKERS["private paper"],
            narrative=MARKERS["private paper body"],
            public=False,
        )
        public_paper = Report(
            partnership_id=group.id,
            title=PUBLIC_PAPER,
            narrative=f"Ask {MARKERS['typed e-mail']} for a printed copy.",
            contact=MARKERS["paper contact"],
            public=True,
        )
        public_meeting = Meeting(
            partnership_id=group.id,  # type: ignore[arg-type]
            title=PUBLIC_MEETING,
            starts_at=clock.now() - timedelta(days=3),
            status=MeetingStatus.held,
            minutes=MARKERS["draft minutes"],  # not approved: never shown
        )
        private_meeting = Meeting(
            partnership_id=group.id,  # type: ignore[arg-type]
            title=MARKERS["private meeting"],
            starts_at=clock.now() + timedelta(days=5),
            public=False,
        )
        hidden_meeting = Meeting(
            partnership_id=hidden.id,  # type: ignore[arg-type]
            title=MARKERS["hidden partnership meeting"],
            starts_at=clock.now() + timedelta(days=6),
        )
        s.add_all([private_paper, public_paper, public_meeting, private_meeting, hidden_meeting])
        s.flush()
        s.add_all(
            [
                AgendaItem(
                    meeting_id=public_meeting.id,  # type: ignore[arg-type]
                    position=1,
                    title="Papers for noting",
                    report_id=private_paper.id,
                ),
                AgendaItem(
                    meeting_id=public_meeting.id,  # type: ignore[arg-type]
                    position=2,
                    title="Public paper",
                    report_id=public_paper.id,
                ),
                AgendaItem(
                    meeting_id=private_meeting.id,  # type: ignore[arg-type]
                    position=1,
                    title=MARKERS["private agenda"],
                ),
            ]
        )
        decisions = [
            Decision(
                meeting_id=public_meeting.id,  # type: ignore[arg-type]
                text=PUBLIC_DECISION,
                result=DecisionResult.carried,
            ),
            Decision(
                meeting_id=private_meeting.id,  # type: ignore[arg-type]
                text=MARKERS["private decision"],
                result=DecisionResult.carried,
            ),
            Decision(
                meeting_id=hidden_meeting.id,  # type: ignore[arg-type]
                text=MARKERS["hidden partnership decision"],
                result=DecisionResult.lost,
            ),
        ]
        s.add_all(decisions)
        s.flush()
        ids = [d.id for d in decisions]
        assert all(isinstance(i, int) for i in ids)
        return Planted(
            public_meeting_id=public_meeting.id,  # type: ignore[arg-type]
            private_meeting_id=private_meeting.id,  # type: ignore[arg-type]
            hidden_meeting_id=hidden_meeting.id,  # type: ignore[arg-type]
            public_decision_id=ids[0],  # type: ignore[arg-type]
            private_decision_id=ids[1],  # type: ignore[arg-type]
            hidden_decision_id=ids[2],  # type: ignore[arg-type]
            private_paper_id=private_paper.id,  # type: ignore[arg-type]
            public_paper_id=public_paper.id,  # type: ignore[arg-type]
            partnership_slug=group.slug,
            partnership_id=group.id,  # type: ignore[arg-type]
            hidden_partnership_id=hidden.id,  # type: ignore[arg-type]
        )


HREF = re.compile(r"""(?:href|src)="([^"]+)\"""")
LOC = re.compile(r"<(?:loc|link)>([^<]+)</(?:loc|link)>|<link [^>]*href=\"([^\"]+)\"")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
ICAL_UID = re.compile(r"^meeting-\d+@")  # iCalendar UIDs look like addresses


def _local(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != urlsplit(get_settings().public_base_url).netloc:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return (
        path
        if path.startswith(("/public", "/api/v1/meetings.ics", "/api/v1/partnerships/"))
        else None
    )


def walk(client: TestClient, limit: int = 2000) -> dict[str, tuple[int, str, bytes]]:
    """Every page and feed reachable from /public/, the sitemap and the feeds."""
    seen: dict[str, tuple[int, str, bytes]] = {}
    queue = deque(["/public/", "/public/sitemap.xml", "/robots.txt"])
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        r = client.get(path)
        seen[path] = (r.status_code, r.headers.get("content-type", ""), r.content)
        if r.status_code != 200 or not r.headers.get("content-type", "").startswith(
            ("text/html", "application/", "text/plain")
        ):
            continue
        text = r.text
        found = list(HREF.findall(text)) + [a or b for a, b in LOC.findall(text)]
        found += re.findall(r"Sitemap: (\S+)", text)
        for link in found:
            local = _local(link.replace("&amp;", "&"))
            if local and local not in seen:
                queue.append(local)
    return seen


class TestNoLeak:
    def test_the_walk_shows_nothing_private(self, anon: TestClient, planted: Planted) -> None:
        pages = walk(anon)
        assert len(pages) > 80, "the walk should reach the whole site"
        # Positive controls: the walk reaches the planted public records.
        assert f"/public/meetings/{planted.public_meeting_id}" in pages
        assert f"/public/papers/{planted.public_paper_id}/download" in pages
        assert f"/public/decisions/{planted.public_decision_id}" in pages
        everything = b"\n".join(body for _, _, body in pages.values()).decode()
        assert PUBLIC_PAPER in everything and PUBLIC_DECISION in everything
        assert MEMBER_NAME in everything and "Residents&#39; forum" in everything
        for label, marker in MARKERS.items():
            for path, (_, _, body) in pages.items():
                assert marker.encode() not in body, f"{label} appears on {path}"
        for path, (status, _, body) in pages.items():
            assert status == 200, path
            addresses = [a for a in EMAIL.findall(body.decode()) if not ICAL_UID.match(a)]
            assert not addresses, f"an e-mail address appears on {path}"
            assert len(body) < 50_000, f"{path} is {len(body)} bytes"
        # Every demo person's contact details, not just the planted ones.
        with SessionLocal() as s:
            contacts = [
                c
                for e, p in s.execute(select(col(Person.email), col(Person.phone)))
                for c in (e, p)
                if c
            ]
        assert len(contacts) > 50
        for contact in contacts:
            assert contact not in everything

    def test_private_records_are_not_found(self, anon: TestClient, planted: Planted) -> None:
        for path in (
            f"/public/meetings/{planted.private_meeting_id}",
            f"/public/meetings/{planted.hidden_meeting_id}",
            f"/public/decisions/{planted.private_decision_id}",
            f"/public/decisions/{planted.hidden_decision_id}",
            f"/public/papers/{planted.private_paper_id}",
            f"/public/papers/{planted.private_paper_id}/download",
            "/public/partnerships/zq7-hidden",
            "/public/partnerships/zq7-hidden/progress",
            "/public/partnerships/zq7-hidden/meetings.rss",
            "/public/partnerships/zq7-hidden/decisions.atom",
            f"/api/v1/partnerships/{planted.hidden_partnership_id}/meetings.ics",
            "/public/indicators/999999",
        ):
            r = anon.get(path)
            assert r.status_code == 404, path
            assert not any(m.encode() in r.content for m in MARKERS.values()), path

    def test_signed_in_callers_see_the_same_site(
        self, app: FastAPI, credentials: dict[str, str], planted: Planted
    ) -> None:
        """The site reads no credentials: an administrator's token shows nothing more."""
        admin = TestClient(app, headers={"Authorization": f"Bearer {credentials['admin']}"})
        r = admin.get(f"/public/meetings/{planted.private_meeting_id}")
        assert r.status_code == 404
        r = admin.get(f"/public/meetings/{planted.public_meeting_id}")
        assert r.status_code == 200 and MARKERS["draft minutes"] not in r.text

    def test_the_public_calendar_leaves_out_hidden_partnerships(
        self, anon: TestClient, planted: Planted
    ) -> None:
        body = anon.get("/api/v1/meetings.ics").text
        assert MARKERS["hidden partnership meeting"] not in body
        assert MARKERS["private meeting"] not in body

    def test_approved_minutes_appear(self, anon: TestClient, planted: Planted) -> None:
        with SessionLocal() as s, s.begin():
            meeting = s.get_one(Meeting, planted.public_meeting_id)
            meeting.minutes = "Zq7ApprovedMinutes were agreed."
            meeting.minutes_approved_at = clock.now()
        r = anon.get(f"/public/meetings/{planted.public_meeting_id}")
        assert "Zq7ApprovedMinutes were agreed." in r.text

    def test_every_route_is_walked(self, app: FastAPI) -> None:
        paths = {getattr(r, "path", "") for r in app.routes}
        assert {p for p in paths if p.startswith("/public")} == ROUTES


class TestFeeds:
    @pytest.mark.parametrize(
        "path",
        [
            "/public/meetings.rss",
            "/public/decisions.rss",
            "/public/partnerships/strategic/meetings.rss",
            "/public/partnerships/strategic/decisions.rss",
        ],
    )
    def test_rss_has_the_required_elements(
        self, anon: TestClient, planted: Planted, path: str
    ) -> None:
        r = anon.get(path)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/rss+xml")
        feed = feedparser.parse(r.content)
        assert not feed.bozo, feed.get("bozo_exception")
        assert feed.version == "rss20"
        assert feed.feed.title and feed.feed.link and feed.feed.description
        assert feed.entries
        for entry in feed.entries:
            assert entry.title and entry.link.startswith("http") and entry.id
            assert entry.published_parsed is not None

    @pytest.mark.parametrize(
        "path",
        [
            "/public/meetings.atom",
            "/public/decisions.atom",
            "/public/partnerships/strategic/meetings.atom",
            "/public/partnerships/strategic/decisions.atom",
        ],
    )
    def test_atom_has_the_required_elements(
        self, anon: TestClient, planted: Planted, path: str
    ) -> None:
        r = anon.get(path)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/atom+xml")
        feed = feedparser.parse(r.content)
        assert not feed.bozo, feed.get("bozo_exception")
        assert feed.version == "atom10"
        assert feed.feed.id and feed.feed.title and feed.feed.updated_parsed
        assert any(link.rel == "self" for link in feed.feed.links)
        assert feed.entries
        for entry in feed.entries:
            assert entry.id and entry.title and entry.updated_parsed and entry.link

    def test_meeting_feed_lists_upcoming_public_meetings_only(
        self, anon: TestClient, planted: Planted
    ) -> None:
        feed = feedparser.parse(anon.get("/public/meetings.rss").content)
        titles = " ".join(e.title for e in feed.entries)
        assert PUBLIC_MEETING not in titles  # three days ago: not upcoming
        assert MARKERS["private meeting"] not in titles
        today = clock.today()
        for entry in feed.entries:
            assert date(*entry.published_parsed[:3]) <= today

    def test_decision_feed_carries_the_new_decision(
        self, anon: TestClient, planted: Planted
    ) -> None:
        feed = feedparser.parse(anon.get("/public/decisions.atom").content)
        assert any(PUBLIC_DECISION in e.summary for e in feed.entries)

    def test_sitemap_and_robots(self, anon: TestClient, planted: Planted) -> None:
        sitemap = anon.get("/public/sitemap.xml")
        assert sitemap.status_code == 200
        assert f"/public/meetings/{planted.public_meeting_id}</loc>" in sitemap.text
        assert f"/public/meetings/{planted.private_meeting_id}</loc>" not in sitemap.text
        robots = anon.get("/robots.txt").text
        assert "Allow: /public/" in robots and "Sitemap: " in robots


PAGES = [
    "/public/",
    "/public/meetings",
    "/public/decisions?q=performance",
    "/public/partnerships/strategic",
    "/public/partnerships/strategic/progress",
    "/public/indicators",
    "/public/meetings.rss",
    "/public/decisions.atom",
    "/public/sitemap.xml",
    "/public/static/public.css",
]


class TestCaching:
    @pytest.mark.parametrize("path", PAGES)
    def test_a_repeat_request_is_304(self, anon: TestClient, path: str) -> None:
        first = anon.get(path)
        assert first.status_code == 200
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert first.headers["cache-control"].startswith("public, max-age=")
        again = anon.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        by_date = anon.get(path, headers={"If-Modified-Since": modified})
        assert by_date.status_code == 304

    def test_a_change_gives_a_new_page(
        self, anon: TestClient, client: TestClient, planted: Planted
    ) -> None:
        path = f"/public/meetings/{planted.public_meeting_id}"
        first = anon.get(path)
        with time_machine.travel(clock.now() + timedelta(seconds=2), tick=False):
            r = client.patch(
                f"/api/v1/meetings/{planted.public_meeting_id}",
                json={"location": "Zq7 Village Hall"},
            )
            assert r.status_code == 200, r.text
        both = anon.get(
            path,
            headers={
                "If-None-Match": first.headers["etag"],
                "If-Modified-Since": first.headers["last-modified"],
            },
        )
        assert both.status_code == 200 and "Zq7 Village Hall" in both.text
        assert both.headers["etag"] != first.headers["etag"]
        by_date = anon.get(path, headers={"If-Modified-Since": first.headers["last-modified"]})
        assert by_date.status_code == 200, "the change moved Last-Modified on"

    def test_a_stale_etag_gets_the_page(self, anon: TestClient) -> None:
        r = anon.get("/public/", headers={"If-None-Match": '"stale"'})
        assert r.status_code == 200 and r.content


class TestSiteOff:
    @pytest.fixture
    def off(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        monkeypatch.setattr(get_settings(), "public_site", False)
        yield

    @pytest.mark.parametrize(
        "path",
        [
            "/public",
            "/public/",
            "/public/meetings",
            "/public/meetings/1",
            "/public/decisions",
            "/public/partnerships/strategic",
            "/public/partnerships/strategic/progress",
            "/public/partnerships/strategic/meetings.rss",
            "/public/meetings.rss",
            "/public/decisions.atom",
            "/public/sitemap.xml",
            "/public/static/public.css",
            "/public/indicators",
            "/public/papers/1/download",
            "/public/anything/else",
        ],
    )
    def test_everything_is_404(self, anon: TestClient, off: None, path: str) -> None:
        r = anon.get(path, follow_redirects=False)
        assert r.status_code == 404

    def test_subscriptions_are_off_too(self, anon: TestClient, off: None) -> None:
        r = anon.post("/public/partnerships/strategic/subscribe", data={"email": "a@example.org"})
        assert r.status_code == 404
        assert anon.post("/public/subscriptions/unsubscribe?token=1.x").status_code == 404

    def test_robots_turns_crawlers_away(self, anon: TestClient, off: None) -> None:
        assert "Disallow: /\n" in anon.get("/robots.txt").text
        assert "Allow" not in anon.get("/robots.txt").text


class TestPages:
    def test_decisions_search_and_filters(self, anon: TestClient, planted: Planted) -> None:
        link = f'href="/public/decisions/{planted.public_decision_id}"'

        def search(**params: str) -> str:
            r = anon.get("/public/decisions", params={"q": PUBLIC_DECISION, **params})
            assert r.status_code == 200
            return r.text

        found = anon.get("/public/decisions", params={"q": PUBLIC_DECISION.lower()}).text
        assert link in found and "1 decision." in found
        assert 'class="tag tag-carried"' in found, "the result's colour class"
        assert link in search(result="carried")
        assert link not in search(result="lost")
        assert link not in search(partnership="executive")
        assert link in search(partnership="strategic")
        today = clock.today()
        assert link in search(**{"from": (today - timedelta(days=5)).isoformat()})
        assert link not in search(to=(today - timedelta(days=10)).isoformat())
        assert link not in search(**{"from": (today + timedelta(days=1)).isoformat()})
        blank = anon.get("/public/decisions", params={"q": "", "from": "", "result": ""})
        assert blank.status_code == 200

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"from": "yesterday"}, "from"),
            ({"to": "2026-13-40"}, "to"),
            ({"result": "maybe"}, "result"),
            ({"partnership": "no-such-group"}, "partnership"),
            ({"page": "0"}, "page"),
        ],
    )
    def test_bad_filters_are_422_naming_the_field(
        self, anon: TestClient, params: dict[str, str], field: str
    ) -> None:
        r = anon.get("/public/decisions", params=params)
        assert r.status_code == 422
        assert r.headers["content-type"] == "application/problem+json"
        assert [e["loc"][-1] for e in r.json()["errors"]] == [field]

    def test_the_meeting_page_offers_public_papers_only(
        self, anon: TestClient, planted: Planted
    ) -> None:
        r = anon.get(f"/public/meetings/{planted.public_meeting_id}")
        assert f"/public/papers/{planted.public_paper_id}/download" in r.text
        assert f"/public/papers/{planted.private_paper_id}" not in r.text
        assert "published here once the partnership has approved them" in r.text

    def test_a_paper_with_a_file_downloads_the_file(
        self, client: TestClient, anon: TestClient, planted: Planted
    ) -> None:
        document = pdf("Public paper file")
        for paper_id in (planted.public_paper_id, planted.private_paper_id):
            r = client.put(
                f"/api/v1/reports/{paper_id}/file",
                files={"file": ("paper.pdf", document, "application/pdf")},
            )
            assert r.status_code == 201, r.text
        r = anon.get(f"/public/papers/{planted.public_paper_id}/download")
        assert r.status_code == 200
        assert r.content == document
        assert r.headers["content-type"] == "application/pdf"
        assert "paper.pdf" in r.headers["content-disposition"]
        again = anon.get(
            f"/public/papers/{planted.public_paper_id}/download",
            headers={"If-None-Match": r.headers["etag"]},
        )
        assert again.status_code == 304
        assert anon.get(f"/public/papers/{planted.private_paper_id}/download").status_code == 404

    def test_a_paper_downloads_without_its_contact_line(
        self, anon: TestClient, planted: Planted
    ) -> None:
        r = anon.get(f"/public/papers/{planted.public_paper_id}/download")
        assert r.status_code == 200
        assert r.headers["content-disposition"].startswith("attachment;")
        assert PUBLIC_PAPER in r.text
        assert MARKERS["paper contact"] not in r.text
        assert MARKERS["typed e-mail"] not in r.text and "[e-mail withheld]" in r.text

    def test_inactive_partnerships_say_so(self, anon: TestClient) -> None:
        assert "Not currently meeting" in anon.get("/public/").text
        html = anon.get("/public/partnerships/culture-leisure").text
        assert "This partnership is not currently meeting." in html

    def test_open_graph_tags(self, anon: TestClient) -> None:
        html = anon.get("/public/partnerships/strategic").text
        for prop in ("og:title", "og:description", "og:url", "og:type", "og:site_name"):
            assert f'property="{prop}"' in html
        assert "<script" not in html

    def test_members_by_organisation_with_roles(self, anon: TestClient) -> None:
        html = anon.get("/public/partnerships/strategic").text
        assert "Chair" in html and "Members" in html
        assert "@" not in html

    def test_progress_rolls_up_rag(self, anon: TestClient) -> None:
        html = anon.get("/public/partnerships/strategic/progress").text
        assert "What we said we'd achieve" in html
        assert re.search(r'class="rag rag-(green|amber|red|complete)"', html)

    def test_an_indicator_page_draws_its_trend(self, anon: TestClient) -> None:
        listing = anon.get("/public/indicators").text
        first = re.search(r"/public/indicators/(\d+)", listing)
        assert first
        html = anon.get(f"/public/indicators/{first.group(1)}").text
        assert "<svg" in html and "LAA target" in html and "<table>" in html

    def test_bounded_queries(self, anon: TestClient, query_counter: list[str]) -> None:
        for path, most in (("/public/", 6), ("/public/meetings/1", 8), ("/public/decisions", 6)):
            query_counter.clear()
            assert anon.get(path).status_code in (200, 404)
            assert len(query_counter) <= most, (path, len(query_counter))

    def test_without_slash_redirects(self, anon: TestClient) -> None:
        r = anon.get("/public", follow_redirects=False)
        assert r.status_code == 308 and r.headers["location"] == "/public/"


def test_nginx_caches_the_public_site() -> None:
    """deploy/nginx.conf keeps copies of /public for everyone and revalidates them."""
    from tests.live import ROOT

    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    block = conf[conf.index("location /public/ {") :]
    block = block[: block.index("}")]
    for line in (
        "proxy_cache lsphub_public;",
        "proxy_cache_revalidate on;",
        'proxy_set_header Authorization "";',
        "proxy_cache_use_stale",
    ):
        assert line in block
    assert "keys_zone=lsphub_public:" in conf
