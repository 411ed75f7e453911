"""Residents' e-mail subscriptions on the public site: double opt-in, one-click unsubscribe in
every message, and the address deleted on unsubscribe."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, func
from sqlmodel import col, select

from api.core import clock
from api.core.audit import AuditEvent
from api.core.db import SessionLocal
from api.core.events import emit
from api.meetings.events import MinutesApproved
from api.meetings.models import Decision, Meeting
from api.notifications.models import OutboxMessage
from api.partnerships.models import Partnership
from api.public.models import PublicSubscription

ADDRESS = "zq7.resident@example.org"
SLUG = "safer-communities"


def messages(to: str = ADDRESS) -> list[OutboxMessage]:
    with SessionLocal() as s:
        return list(
            s.scalars(
                select(OutboxMessage)
                .where(col(OutboxMessage.to_address) == to)
                .order_by(col(OutboxMessage.id))
            )
        )


def link_in(message: OutboxMessage, purpose: str) -> str:
    found = re.search(rf"(/public/subscriptions/{purpose}\?token=[\w.-]+)", message.text_body)
    assert found, message.text_body
    return found.group(1)


def partnership_id(slug: str = SLUG) -> int:
    with SessionLocal() as s:
        found = s.scalar(select(Partnership.id).where(col(Partnership.slug) == slug))
    assert found is not None
    return found


def new_meeting(client: TestClient, *, public: bool = True, title: str = "Zq7 new meeting") -> int:
    r = client.post(
        "/api/v1/meetings",
        json={
            "partnership_id": partnership_id(),
            "title": title,
            "starts_at": (clock.now() + timedelta(days=30)).isoformat(),
            "public": public,
        },
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def subscribed(anon: TestClient) -> str:
    """Subscribe and confirm ADDRESS; the unsubscribe path of its first notice is returned
    by the caller's own steps."""
    r = anon.post(f"/public/partnerships/{SLUG}/subscribe", data={"email": ADDRESS})
    assert r.status_code == 200
    confirm = link_in(messages()[-1], "confirm")
    assert anon.post(confirm).status_code == 200
    return confirm


class TestDoubleOptIn:
    def test_nothing_but_a_confirmation_until_confirmed(
        self, anon: TestClient, client: TestClient, db: Connection
    ) -> None:
        r = anon.post(f"/public/partnerships/{SLUG}/subscribe", data={"email": ADDRESS.upper()})
        assert r.status_code == 200 and "Check your e-mail" in r.text
        assert r.headers["cache-control"] == "no-store"
        [confirmation] = messages()
        assert "Confirm" in confirmation.subject
        assert confirmation.unsubscribe_url is None
        new_meeting(client)
        assert len(messages()) == 1, "an unconfirmed address gets no notices"

        url = link_in(confirmation, "confirm")
        page = anon.get(url)  # a mail scanner opening the link confirms nothing
        assert page.status_code == 200 and '<form method="post"' in page.text
        with SessionLocal() as s:
            row = s.scalars(select(PublicSubscription)).one()
            assert row.email == ADDRESS and row.confirmed_at is None
        assert anon.post(url).status_code == 200
        with SessionLocal() as s:
            assert s.scalars(select(PublicSubscription)).one().confirmed_at is not None

    def test_bad_address_is_422_naming_the_field(self, anon: TestClient, db: Connection) -> None:
        r = anon.post(f"/public/partnerships/{SLUG}/subscribe", data={"email": "not an address"})
        assert r.status_code == 422
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["errors"][0]["loc"][-1] == "email"
        with SessionLocal() as s:
            assert s.scalar(select(func.count()).select_from(PublicSubscription)) == 0

    def test_subscribing_again_reveals_nothing_and_sends_nothing(
        self, anon: TestClient, db: Connection
    ) -> None:
        subscribed(anon)
        before = len(messages())
        again = anon.post(f"/public/partnerships/{SLUG}/subscribe", data={"email": ADDRESS})
        assert again.status_code == 200 and "Check your e-mail" in again.text
        assert len(messages()) == before

    def test_a_forged_or_swapped_link_is_404(self, anon: TestClient, db: Connection) -> None:
        anon.post(f"/public/partnerships/{SLUG}/subscribe", data={"email": ADDRESS})
        confirm = link_in(messages()[-1], "confirm")
        token = confirm.split("token=")[1]
        head = token.split(".")[0]
        for url in (
            f"/public/subscriptions/confirm?token={head}.forged",
            f"/public/subscriptions/unsubscribe?token={token}",  # a confirm token
            "/public/subscriptions/confirm?token=999999.x",
        ):
            assert anon.post(url).status_code == 404, url
        with SessionLocal() as s:
            assert s.scalars(select(PublicSubscription)).one().confirmed_at is None

    def test_hidden_partnerships_take_no_subscriptions(
        self, anon: TestClient, db: Connection
    ) -> None:
        with SessionLocal() as s, s.begin():
            s.get_one(Partnership, partnership_id()).public = False
        r = anon.post(f"/public/partnerships/{SLUG}/subscribe", data={"email": ADDRESS})
        assert r.status_code == 404 and not messages()


class TestNotices:
    def test_a_new_public_meeting_with_one_click_unsubscribe(
        self, anon: TestClient, client: TestClient, db: Connection
    ) -> None:
        subscribed(anon)
        new_meeting(client, public=False, title="Zq7 private")
        meeting_id = new_meeting(client)
        notices = [m for m in messages() if m.unsubscribe_url]
        assert len(notices) == 1, "the private meeting is not announced"
        [notice] = notices
        assert "Zq7 new meeting" in notice.subject and "new meeting" in notice.subject
        assert f"/public/meetings/{meeting_id}" in notice.text_body
        assert notice.unsubscribe_url is not None
        assert notice.unsubscribe_url in notice.text_body
        assert notice.unsubscribe_url in notice.html_body.replace("&amp;", "&")

        # RFC 8058: a POST of List-Unsubscribe=One-Click to the header's address.
        path = notice.unsubscribe_url.split("://", 1)[1].split("/", 1)[1]
        r = anon.post(f"/{path}", data={"List-Unsubscribe": "One-Click"})
        assert r.status_code == 200 and "Your address has been deleted" in r.text
        with SessionLocal() as s:
            assert s.scalar(select(func.count()).select_from(PublicSubscription)) == 0
            trail = " ".join(
                f"{e.before} {e.after}"
                for e in s.scalars(
                    select(AuditEvent).where(col(AuditEvent.resource) == "public_subscription")
                )
            )
        assert ADDRESS not in trail, "the audit log keeps ids only"
        assert messages() == [], "the address is gone from the outbox too"
        new_meeting(client, title="Zq7 after")
        assert messages() == []
        assert anon.post(f"/{path}").status_code == 404

    def test_minutes_approved_sends_the_decisions(self, anon: TestClient, db: Connection) -> None:
        subscribed(anon)
        with SessionLocal() as s, s.begin():
            meeting_id = s.scalar(
                select(Meeting.id)
                .join(Decision, col(Decision.meeting_id) == col(Meeting.id))
                .where(col(Meeting.partnership_id) == partnership_id())
                .limit(1)
            )
            assert meeting_id is not None
            emit(s, MinutesApproved(meeting_id=meeting_id))
        [notice] = [m for m in messages() if m.unsubscribe_url]
        assert "minutes and decisions" in notice.subject
        assert "To note the performance report" in notice.text_body


@pytest.mark.parametrize(
    "path", ["/public/subscriptions/confirm", "/public/subscriptions/unsubscribe"]
)
def test_a_link_without_its_token_is_422(anon: TestClient, path: str) -> None:
    r = anon.get(path)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"][-1] == "token"
