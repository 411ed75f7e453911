"""The agenda pack (issue 16 parts 2 and 3): the agenda with its papers and the performance
report as of the meeting's date; publishing it; minutes allotted to items."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Connection

from api.core.events import _handlers, subscribe
from api.meetings.events import AgendaPublished
from tests import papers_files as files
from tests.api.governance_fixtures import API, ok
from tests.api.test_papers_files import (
    a_meeting,
    foreign_partnership,
    new_paper,
    on_agenda,
    own_partnership,
    upload,
)

STANDARD_OPENING = (
    "Apologies",
    "Minutes of the last meeting",
    "Performance report",
    "Any other business",
)


def opening(client: TestClient, meeting: int) -> list[int]:
    ids = []
    for position, title in enumerate(STANDARD_OPENING, 1):
        body = {"meeting_id": meeting, "title": title, "position": position, "minutes_allotted": 5}
        ids.append(ok(client.post(f"{API}/agenda-items", json=body), 201)["id"])
    return ids


class TestPack:
    def test_agenda_papers_and_the_performance_report(
        self, client: TestClient, db: Connection
    ) -> None:
        pid = own_partnership(db)
        meeting = a_meeting(client, pid)
        items = opening(client, meeting)
        paper = new_paper(client, pid, title="Minutes of 4 February", public=True)
        ok(client.patch(f"{API}/agenda-items/{items[1]}", json={"report_id": paper}))
        upload(client, paper, files.pdf(), "minutes.pdf")
        made = client.post(f"{API}/meetings/{meeting}/performance-report-paper", json={})
        assert made.status_code == 201, made.text
        # The standard opening's "Performance report" item takes the paper.
        assert made.json()["id"] == items[2]
        assert made.json()["paper"]["performance_as_of"] == "2030-03-04"
        pack = ok(client.get(f"{API}/meetings/{meeting}/agenda-pack"))
        assert [i["title"] for i in pack["items"]] == list(STANDARD_OPENING)
        assert pack["total_minutes"] == 20
        assert pack["items"][1]["paper"]["title"] == "Minutes of 4 February"
        assert pack["items"][1]["paper"]["public"] is True
        assert pack["items"][1]["paper"]["file"]["name"] == "minutes.pdf"
        assert pack["items"][0]["paper"] is None
        report = pack["performance_report"]
        assert report is not None and report["as_of"] == "2030-03-04"
        assert pack["agenda_published_at"] is None

    def test_a_second_performance_paper_goes_on_a_new_item(
        self, client: TestClient, db: Connection
    ) -> None:
        meeting = a_meeting(client, own_partnership(db))
        opening(client, meeting)
        ok(client.post(f"{API}/meetings/{meeting}/performance-report-paper", json={}), 201)
        again = ok(client.post(f"{API}/meetings/{meeting}/performance-report-paper", json={}), 201)
        assert again["position"] == 5 and again["title"] == "Performance report"

    def test_the_named_item_must_be_of_the_meeting_and_free(
        self, client: TestClient, db: Connection
    ) -> None:
        pid = own_partnership(db)
        meeting, other = a_meeting(client, pid), a_meeting(client, pid)
        items = opening(client, meeting)
        stranger = opening(client, other)[0]
        r = client.post(
            f"{API}/meetings/{meeting}/performance-report-paper",
            json={"agenda_item_id": stranger},
        )
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "agenda_item_id"]
        body = {"agenda_item_id": items[3]}
        ok(client.post(f"{API}/meetings/{meeting}/performance-report-paper", json=body), 201)
        r = client.post(f"{API}/meetings/{meeting}/performance-report-paper", json=body)
        assert r.status_code == 409 and r.json()["type"] == "/problems/agenda-item-has-paper"

    def test_papers_the_reader_may_not_see_are_left_out(
        self, client: TestClient, db: Connection, as_role: Any
    ) -> None:
        """A public meeting of another partnership: its public papers show, others do not."""
        foreign = foreign_partnership(db)
        meeting = a_meeting(client, foreign)
        ok(client.patch(f"{API}/meetings/{meeting}", json={"public": True}))
        private, public = new_paper(client, foreign), new_paper(client, foreign, public=True)
        on_agenda(client, meeting, private, "Private paper")
        on_agenda(client, meeting, public, "Public paper")
        pack = ok(as_role("member").get(f"{API}/meetings/{meeting}/agenda-pack"))
        assert [i["paper"] and i["paper"]["id"] for i in pack["items"]] == [None, public]
        partner = ok(as_role("partner").get(f"{API}/meetings/{meeting}/agenda-pack"))
        assert [i["paper"] and i["paper"]["id"] for i in partner["items"]] == [None, public]

    def test_a_meeting_the_reader_may_not_see_is_404(
        self, client: TestClient, db: Connection, as_role: Any
    ) -> None:
        meeting = a_meeting(client, foreign_partnership(db))
        r = as_role("member").get(f"{API}/meetings/{meeting}/agenda-pack")
        assert r.status_code == 404


class TestPublish:
    def test_officer_publishes_and_the_event_is_emitted(
        self, client: TestClient, db: Connection, as_role: Any
    ) -> None:
        meeting = a_meeting(client, own_partnership(db))
        seen: list[int] = []

        def handler(session: Any, event: AgendaPublished) -> None:
            seen.append(event.meeting_id)

        subscribe(AgendaPublished, handler)
        try:
            r = as_role("officer").post(f"{API}/meetings/{meeting}/agenda-pack/publication")
            assert r.status_code == 409 and r.json()["type"] == "/problems/empty-agenda"
            assert seen == []
            opening(client, meeting)
            r = as_role("member").post(f"{API}/meetings/{meeting}/agenda-pack/publication")
            assert r.status_code == 403 and seen == []
            # What the pack says one may do agrees with what happens on trying.
            assert ok(as_role("member").get(f"{API}/meetings/{meeting}/agenda-pack"))["can"] == {
                "update": False,
                "delete": False,
            }
            assert ok(as_role("officer").get(f"{API}/meetings/{meeting}/agenda-pack"))["can"][
                "update"
            ]
            pack = ok(as_role("officer").post(f"{API}/meetings/{meeting}/agenda-pack/publication"))
            assert pack["agenda_published_at"] is not None
            assert seen == [meeting]
            got = ok(client.get(f"{API}/meetings/{meeting}"))
            assert got["agenda_published_at"] == pack["agenda_published_at"]
        finally:
            _handlers[AgendaPublished].remove(handler)

    def test_a_cancelled_meeting_is_not_published(self, client: TestClient, db: Connection) -> None:
        meeting = a_meeting(client, own_partnership(db))
        opening(client, meeting)
        ok(
            client.patch(
                f"{API}/meetings/{meeting}",
                json={"status": "cancelled", "cancellation_reason": "The venue is closed"},
            )
        )
        r = client.post(f"{API}/meetings/{meeting}/agenda-pack/publication")
        assert r.status_code == 409 and r.json()["type"] == "/problems/meeting-cancelled"


class TestMinutesAllotted:
    def test_bounds(self, client: TestClient, db: Connection) -> None:
        meeting = a_meeting(client, own_partnership(db))
        base = {"meeting_id": meeting, "title": "Item"}
        for bad in (0, 601):
            r = client.post(f"{API}/agenda-items", json={**base, "minutes_allotted": bad})
            assert r.status_code == 422, bad
        got = ok(client.post(f"{API}/agenda-items", json={**base, "minutes_allotted": 600}), 201)
        assert got["minutes_allotted"] == 600
