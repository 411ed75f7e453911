"""Rules on status updates and staleness (issue 6), through HTTP on the demo data."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from fastapi.testclient import TestClient

from api.core import clock
from api.core.calendar import add_months
from api.core.clock import LONDON

SERVER_ZONE = ZoneInfo("UTC")  # the zone servers and containers usually run in


def on_the_server_clock(london_time: datetime) -> time_machine.travel:
    """Freeze time at ``london_time`` with the process running in UTC, as servers do."""
    return time_machine.travel(london_time.astimezone(SERVER_ZONE), tick=False)


def a_task(client: TestClient, **params: object) -> dict:
    r = client.get("/api/v1/tasks", params={"limit": 1, **params})
    assert r.status_code == 200, r.text
    return r.json()["items"][0]


def post_update(client: TestClient, task_id: int, body: dict) -> object:
    return client.post(f"/api/v1/tasks/{task_id}/status-updates", json=body)


def history_total(client: TestClient, task_id: int) -> int:
    return client.get(f"/api/v1/tasks/{task_id}/status-updates").json()["total"]


class TestSomethingMustChange:
    def test_repeating_the_current_status_without_a_note_is_422(self, client: TestClient) -> None:
        task = a_task(client, rag="amber")
        before = history_total(client, task["id"])
        r = post_update(client, task["id"], {"rag": "amber", "position": task["position"]})
        assert r.status_code == 422
        assert r.json()["type"] == "/problems/no-change"
        assert history_total(client, task["id"]) == before

    def test_an_empty_update_is_422(self, client: TestClient) -> None:
        task = a_task(client)
        r = post_update(client, task["id"], {})
        assert r.status_code == 422 and r.json()["type"] == "/problems/no-change"

    def test_a_blank_note_does_not_count(self, client: TestClient) -> None:
        task = a_task(client)
        r = post_update(client, task["id"], {"note": "   "})
        assert r.json()["type"] == "/problems/no-change"

    def test_a_note_alone_is_accepted_and_keeps_the_status(self, client: TestClient) -> None:
        task = a_task(client, rag="green")
        r = post_update(client, task["id"], {"note": "Discussed at the meeting; no change"})
        assert r.status_code == 201, r.text
        assert (r.json()["rag"], r.json()["position"]) == ("green", task["position"])
        now = client.get(f"/api/v1/tasks/{task['id']}").json()
        assert now["last_reported_on"] == clock.today().isoformat()

    def test_a_new_deadline_alone_is_a_change(self, client: TestClient) -> None:
        task = a_task(client, rag="green")
        later = (date.fromisoformat(task["deadline"]) + timedelta(days=30)).isoformat()
        r = post_update(client, task["id"], {"deadline": later})
        assert r.status_code == 201 and r.json()["deadline"] == later


class TestCompleteNeedsAPosition:
    def test_complete_without_position_is_422_naming_position(self, client: TestClient) -> None:
        task = a_task(client, rag="amber")
        r = post_update(client, task["id"], {"rag": "complete"})
        assert r.status_code == 422
        body = r.json()
        assert body["type"] == "/problems/position-required"
        assert body["errors"][0]["loc"] == ["body", "position"]
        assert client.get(f"/api/v1/tasks/{task['id']}").json()["rag"] == "amber"

    def test_inheriting_the_old_position_is_not_enough(self, client: TestClient) -> None:
        task = a_task(client, rag="green")
        assert task["position"]
        r = post_update(client, task["id"], {"rag": "complete", "position": ""})
        assert r.json()["type"] == "/problems/position-required"

    def test_complete_with_position_is_accepted(self, client: TestClient) -> None:
        task = a_task(client, rag="amber")
        r = post_update(
            client, task["id"], {"rag": "complete", "position": "Centre opened in March"}
        )
        assert r.status_code == 201
        assert client.get(f"/api/v1/tasks/{task['id']}").json()["rag"] == "complete"

    def test_a_note_on_a_complete_task_needs_no_position(self, client: TestClient) -> None:
        task = a_task(client, rag="complete")
        r = post_update(client, task["id"], {"rag": "complete", "note": "Evaluation published"})
        assert r.status_code == 201

    def test_patch_to_complete_follows_the_same_rule(self, client: TestClient) -> None:
        task = a_task(client, rag="amber")
        r = client.patch(f"/api/v1/tasks/{task['id']}", json={"rag": "complete"})
        assert r.status_code == 422 and r.json()["type"] == "/problems/position-required"
        r = client.patch(
            f"/api/v1/tasks/{task['id']}", json={"rag": "complete", "position": "Done"}
        )
        assert r.status_code == 200


class TestRedNeedsAPlannedImprovement:
    def test_red_without_improvement_is_422(self, client: TestClient) -> None:
        task = a_task(client, rag="green")
        r = post_update(client, task["id"], {"rag": "red", "position": "Funding withdrawn"})
        assert r.status_code == 422
        assert r.json()["type"] == "/problems/planned-improvement-required"
        assert r.json()["errors"][0]["loc"] == ["body", "planned_improvement"]

    def test_red_with_improvement_is_accepted(self, client: TestClient) -> None:
        task = a_task(client, rag="green")
        r = post_update(
            client,
            task["id"],
            {"rag": "red", "planned_improvement": "Bid to the lottery fund by June"},
        )
        assert r.status_code == 201 and r.json()["rag"] == "red"

    def test_staying_red_needs_no_new_improvement(self, client: TestClient) -> None:
        task = a_task(client, rag="red")
        r = post_update(client, task["id"], {"rag": "red", "position": "Still waiting"})
        assert r.status_code == 201

    def test_patch_to_red_follows_the_same_rule(self, client: TestClient) -> None:
        task = a_task(client, rag="green")
        r = client.patch(f"/api/v1/tasks/{task['id']}", json={"rag": "red"})
        assert r.status_code == 422
        assert r.json()["type"] == "/problems/planned-improvement-required"

    def test_backdated_move_to_red_is_judged_against_that_date(self, client: TestClient) -> None:
        """The state on the earlier date is what the entry moves from."""
        task = a_task(client, rag="red")
        history = client.get(f"/api/v1/tasks/{task['id']}/status-updates").json()["items"]
        first = min(h["reported_on"] for h in history)
        before_any = (date.fromisoformat(first) - timedelta(days=5)).isoformat()
        r = post_update(client, task["id"], {"rag": "red", "reported_on": before_any})
        assert r.json()["type"] == "/problems/planned-improvement-required"
        r = post_update(
            client,
            task["id"],
            {"rag": "red", "planned_improvement": "Re-plan", "reported_on": before_any},
        )
        assert r.status_code == 201
        assert r.json()["position"] is None  # nothing was reported before that date
        assert client.get(f"/api/v1/tasks/{task['id']}").json()["rag"] == "red"


class TestReportedOn:
    def test_future_date_is_422(self, client: TestClient) -> None:
        task = a_task(client)
        tomorrow = (clock.today() + timedelta(days=1)).isoformat()
        r = post_update(client, task["id"], {"note": "x", "reported_on": tomorrow})
        assert r.status_code == 422
        assert r.json()["type"] == "/problems/future-date"
        assert r.json()["errors"][0]["loc"] == ["body", "reported_on"]

    def test_today_is_accepted(self, client: TestClient) -> None:
        task = a_task(client)
        r = post_update(client, task["id"], {"note": "x", "reported_on": clock.today().isoformat()})
        assert r.status_code == 201

    def test_londons_today_is_accepted_in_the_first_hour_of_summer_time(
        self, client: TestClient
    ) -> None:
        # 00:30 BST on 15 July is 23:30 UTC on the 14th: the server's own date is a day behind.
        task = a_task(client)
        with on_the_server_clock(datetime(2026, 7, 15, 0, 30, tzinfo=LONDON)):
            body = {"note": "Reported just after midnight", "reported_on": "2026-07-15"}
            r = post_update(client, task["id"], body)
            assert r.status_code == 201, r.text
            assert r.json()["reported_on"] == "2026-07-15"
            r = post_update(client, task["id"], {"note": "Too early", "reported_on": "2026-07-16"})
            assert r.json()["type"] == "/problems/future-date"

    def test_londons_tomorrow_is_future_late_on_a_winter_evening(self, client: TestClient) -> None:
        # 23:30 GMT on 14 January is 23:30 UTC: London's date has not moved on yet.
        task = a_task(client)
        with on_the_server_clock(datetime(2027, 1, 14, 23, 30, tzinfo=LONDON)):
            r = post_update(client, task["id"], {"note": "Too early", "reported_on": "2027-01-15"})
            assert r.json()["type"] == "/problems/future-date"
            r = post_update(client, task["id"], {"note": "On the day"})
            assert r.status_code == 201, r.text
            assert r.json()["reported_on"] == "2027-01-14"


class TestAddMonths:
    @pytest.mark.parametrize(
        ("day", "months", "expected"),
        [
            (date(2026, 3, 31), -1, date(2026, 2, 28)),
            (date(2024, 3, 31), -1, date(2024, 2, 29)),
            (date(2026, 1, 15), -2, date(2025, 11, 15)),
            (date(2026, 12, 31), -12, date(2025, 12, 31)),
            (date(2026, 5, 31), -3, date(2026, 2, 28)),
            (date(2026, 1, 31), 1, date(2026, 2, 28)),
            (date(2028, 1, 31), 1, date(2028, 2, 29)),
            (date(2026, 8, 31), 6, date(2027, 2, 28)),
            (date(2026, 11, 30), 3, date(2027, 2, 28)),
        ],
    )
    def test_clamps_to_month_end(self, day: date, months: int, expected: date) -> None:
        assert add_months(day, months) == expected


class TestStaleFilter:
    def _all(self, client: TestClient, **params: object) -> list[dict]:
        r = client.get("/api/v1/tasks", params={"limit": 500, **params})
        assert r.status_code == 200, r.text
        return r.json()["items"]

    def test_stale_and_fresh_partition_the_tasks(self, client: TestClient) -> None:
        everything = {t["id"] for t in self._all(client)}
        stale = {t["id"] for t in self._all(client, stale=True)}
        fresh = {t["id"] for t in self._all(client, stale=False)}
        assert stale and fresh
        assert stale | fresh == everything and not stale & fresh

    def test_stale_means_no_update_within_the_cycle(self, client: TestClient) -> None:
        cutoff = add_months(clock.today(), -2)  # demo partnerships report every 2 months
        for t in self._all(client, stale=True):
            assert t["rag"] != "complete"
            assert t["last_reported_on"] is None or t["last_reported_on"] < cutoff.isoformat()
        for t in self._all(client, stale=False):
            assert t["rag"] == "complete" or (
                t["last_reported_on"] is not None and t["last_reported_on"] >= cutoff.isoformat()
            )

    def test_an_update_makes_a_stale_task_fresh(self, client: TestClient) -> None:
        task = self._all(client, stale=True)[0]
        r = post_update(client, task["id"], {"note": "Chased by the officer"})
        assert r.status_code == 201
        assert task["id"] not in {t["id"] for t in self._all(client, stale=True)}

    def test_the_cycle_is_the_partnerships(self, client: TestClient) -> None:
        """Lengthen one partnership's cycle: its 100-day-old tasks stop being stale."""
        task = self._all(client, stale=True)[0]
        action = client.get(f"/api/v1/actions/{task['action_id']}").json()
        plan = client.get(f"/api/v1/action-plans/{action['action_plan_id']}").json()
        pid = plan["partnership_id"]
        in_partnership = {t["id"] for t in self._all(client, stale=True, partnership_id=pid)}
        assert task["id"] in in_partnership
        r = client.patch(f"/api/v1/partnerships/{pid}", json={"reporting_cycle_months": 6})
        assert r.status_code == 200, r.text
        still = {t["id"] for t in self._all(client, stale=True, partnership_id=pid)}
        assert task["id"] not in still

    def test_combines_with_other_filters(self, client: TestClient) -> None:
        reds = self._all(client, stale=True, rag="red")
        assert all(t["rag"] == "red" for t in reds)
