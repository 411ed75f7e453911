"""A task's current fields are its latest status update, whichever path wrote it.

Reports as of today read the task's own columns instead of looking up each task's latest
update (api.reports.performance.is_current). That is right only while every write keeps the
task equal to its history; these tests write through every path — a task created with and
without a status, PATCH, status updates on, before and after the latest date, the task
import — then check the invariant over every task and that every report as of today is the
one the history gives.
"""

import importlib.util
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text

from api.core import clock
from api.reports import performance
from tests.api.governance_fixtures import ok
from tests.api.test_imports import new_task, to_csv, upload

TODAY = clock.today()

# Tasks whose fields differ from their latest update, or that have a last_reported_on and no
# update (or an update and no last_reported_on). ``IS DISTINCT FROM`` on both databases.
DRIFT = text(
    """
    SELECT t.id FROM task t
    LEFT JOIN status_update s ON s.id = (
        SELECT u.id FROM status_update u WHERE u.task_id = t.id
        ORDER BY u.reported_on DESC, u.id DESC LIMIT 1)
    WHERE (s.id IS NULL AND t.last_reported_on IS NOT NULL)
       OR (s.id IS NOT NULL AND (
            t.last_reported_on IS DISTINCT FROM s.reported_on
            OR t.rag IS DISTINCT FROM s.rag
            OR t.position IS DISTINCT FROM s.position
            OR t.planned_improvement IS DISTINCT FROM s.planned_improvement
            OR t.deadline IS DISTINCT FROM s.deadline))
    ORDER BY t.id
    """
)


def history(client: TestClient, task_id: int) -> list[dict[str, Any]]:
    return ok(client.get(f"/api/v1/tasks/{task_id}/status-updates"))["items"]


@pytest.fixture
def action_id(client: TestClient) -> int:
    return int(ok(client.get("/api/v1/actions", params={"limit": 1}))["items"][0]["id"])


def create(client: TestClient, action_id: int, ref: str, **fields: Any) -> Any:
    body = {"action_id": action_id, "ref": ref, "title": f"Current status {ref}", **fields}
    return client.post("/api/v1/tasks", json=body)


class TestTaskCreation:
    def test_a_status_given_on_creation_is_its_first_update(
        self, client: TestClient, action_id: int
    ) -> None:
        day = TODAY - timedelta(days=30)
        task = ok(create(client, action_id, "cs1", rag="amber", position="Started",
                         last_reported_on=day.isoformat()), 201)  # fmt: skip
        assert task["last_reported_on"] == day.isoformat()
        [first] = history(client, task["id"])
        assert (first["rag"], first["position"], first["reported_on"]) == (
            "amber",
            "Started",
            day.isoformat(),
        )

    def test_a_status_without_a_date_is_reported_today(
        self, client: TestClient, action_id: int
    ) -> None:
        task = ok(create(client, action_id, "cs2", rag="green"), 201)
        assert task["last_reported_on"] == TODAY.isoformat()
        assert [u["rag"] for u in history(client, task["id"])] == ["green"]

    def test_no_status_no_update(self, client: TestClient, action_id: int) -> None:
        deadline = (TODAY + timedelta(days=90)).isoformat()
        task = ok(create(client, action_id, "cs3", deadline=deadline), 201)
        assert task["last_reported_on"] is None
        assert history(client, task["id"]) == []

    def test_a_future_report_date_is_refused(
        self, client: TestClient, action_id: int, db: Connection
    ) -> None:
        tomorrow = (TODAY + timedelta(days=1)).isoformat()
        r = create(client, action_id, "cs4", rag="green", last_reported_on=tomorrow)
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["loc"] == ["body", "last_reported_on"]
        assert db.execute(text("SELECT count(*) FROM task WHERE ref = 'cs4'")).scalar() == 0


class TestImport:
    def test_a_change_dated_before_the_latest_update_is_refused(
        self, client: TestClient, safer_slug: str
    ) -> None:
        day = TODAY - timedelta(days=10)
        row = new_task("cs-i1", partnership=safer_slug, rag="green", reported_on=day.isoformat())
        assert ok(upload(client, "tasks", to_csv([row])))["created"] == 1
        row.update(rag="amber", reported_on=(day - timedelta(days=5)).isoformat())
        refused = upload(client, "tasks", to_csv([row]))
        assert refused.status_code == 422, refused.text
        error = refused.json()["errors"][0]
        assert error["column"] == "reported_on"
        assert day.isoformat() in error["message"]

    def test_a_future_date_is_refused(self, client: TestClient, safer_slug: str) -> None:
        row = new_task(
            "cs-i2",
            partnership=safer_slug,
            rag="green",
            reported_on=(TODAY + timedelta(days=1)).isoformat(),
        )
        refused = upload(client, "tasks", to_csv([row]))
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["column"] == "reported_on"

    def test_the_same_day_or_later_is_taken(self, client: TestClient, safer_slug: str) -> None:
        day = TODAY - timedelta(days=10)
        row = new_task("cs-i3", partnership=safer_slug, rag="green", reported_on=day.isoformat())
        assert ok(upload(client, "tasks", to_csv([row])))["created"] == 1
        row.update(rag="amber")
        assert ok(upload(client, "tasks", to_csv([row])))["updated"] == 1
        row.update(rag="red", planned_improvement="Recover", reported_on="")
        assert ok(upload(client, "tasks", to_csv([row])))["updated"] == 1


def write_through_every_path(client: TestClient, action_id: int, slug: str) -> None:
    """Tasks created with and without a status, then moved by PATCH, by status updates on,
    before and after their latest date, and by the import."""
    week_ago = (TODAY - timedelta(days=7)).isoformat()
    dated = ok(create(client, action_id, "cs-a", rag="amber", position="Started",
                      last_reported_on=week_ago), 201)  # fmt: skip
    bare = ok(create(client, action_id, "cs-b"), 201)
    ok(create(client, action_id, "cs-c", rag="green"), 201)
    updates = f"/api/v1/tasks/{dated['id']}/status-updates"
    late = (TODAY - timedelta(days=20)).isoformat()
    ok(client.post(updates, json={"rag": "red", "planned_improvement": "Recover",
                                  "reported_on": late}), 201)  # fmt: skip
    ok(client.post(updates, json={"note": "Same day", "reported_on": week_ago}), 201)
    ok(client.post(updates, json={"rag": "complete", "position": "Done"}), 201)
    ok(client.patch(f"/api/v1/tasks/{bare['id']}", json={"rag": "green", "position": "Going"}))
    for task in ok(client.get("/api/v1/tasks", params={"limit": 5, "rag": "amber"}))["items"]:
        earlier = (TODAY - timedelta(days=400)).isoformat()
        ok(client.post(f"/api/v1/tasks/{task['id']}/status-updates",
                       json={"rag": "green", "reported_on": earlier}), 201)  # fmt: skip
    row = new_task("cs-i", partnership=slug, rag="green", reported_on=week_ago)
    ok(upload(client, "tasks", to_csv([row])))
    row.update(rag="amber", reported_on="")
    ok(upload(client, "tasks", to_csv([row])))


class TestInvariant:
    def test_every_task_holds_its_latest_update(
        self, client: TestClient, action_id: int, safer_slug: str, db: Connection
    ) -> None:
        assert db.execute(DRIFT).scalars().all() == [], "the demo data"
        write_through_every_path(client, action_id, safer_slug)
        assert db.execute(DRIFT).scalars().all() == []

    def test_the_check_finds_a_task_that_drifted(self, client: TestClient, db: Connection) -> None:
        task = ok(client.get("/api/v1/tasks", params={"limit": 1, "rag": "green"}))["items"][0]
        db.execute(text("UPDATE task SET rag = 'red' WHERE id = :id"), {"id": task["id"]})
        assert db.execute(DRIFT).scalars().all() == [task["id"]]

    def test_migration_0019_repairs_older_data(
        self, client: TestClient, action_id: int, db: Connection
    ) -> None:
        """A task given a late update's values, and one with a report date and no update
        (as the import and task creation could leave them before), are brought into line."""
        drifted = ok(client.get("/api/v1/tasks", params={"limit": 1, "rag": "green"}))["items"][0]
        db.execute(text("UPDATE task SET rag = 'red' WHERE id = :id"), {"id": drifted["id"]})
        dated = ok(create(client, action_id, "cs-m", rag="amber"), 201)
        db.execute(text("DELETE FROM status_update WHERE task_id = :id"), {"id": dated["id"]})
        assert db.execute(DRIFT).scalars().all() == sorted([drifted["id"], dated["id"]])
        path = (
            Path(__file__).parents[2] / "migrations/versions/2026_12_03_task_holds_latest_update.py"
        )
        spec = importlib.util.spec_from_file_location("migration_0019", path)
        assert spec is not None and spec.loader is not None
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        with Operations.context(MigrationContext.configure(db)):
            migration.upgrade()
        assert db.execute(DRIFT).scalars().all() == []
        assert ok(client.get(f"/api/v1/tasks/{drifted['id']}"))["rag"] == "green"
        [first] = history(client, dated["id"])
        assert (first["rag"], first["reported_on"]) == ("amber", TODAY.isoformat())


def reports_as_of_today(client: TestClient) -> dict[str, Any]:
    """Every partnership's and outcome's performance report and every strategy's progress."""
    reports: dict[str, Any] = {}
    paths = [
        *(f"/api/v1/partnerships/{p['id']}/performance-report"
          for p in ok(client.get("/api/v1/partnerships", params={"limit": 100}))["items"]),
        *(f"/api/v1/outcomes/{o['id']}/performance-report"
          for o in ok(client.get("/api/v1/outcomes", params={"limit": 100}))["items"]),
        *(f"/api/v1/strategies/{s['id']}/progress"
          for s in ok(client.get("/api/v1/strategies", params={"limit": 100}))["items"]),
    ]  # fmt: skip
    for path in paths:
        reports[path] = ok(client.get(path))
    return reports


class TestReportsAsOfToday:
    def test_the_tasks_columns_give_the_historys_reports(
        self,
        client: TestClient,
        action_id: int,
        safer_slug: str,
        monkeypatch: pytest.MonkeyPatch,
        query_counter: list[str],
    ) -> None:
        write_through_every_path(client, action_id, safer_slug)
        query_counter.clear()
        from_columns = reports_as_of_today(client)
        assert not any("status_update" in q for q in query_counter), "no history lookup"
        assert len(from_columns) > 10
        monkeypatch.setattr(performance, "is_current", lambda as_of: False)
        query_counter.clear()
        from_history = reports_as_of_today(client)
        assert any("status_update" in q for q in query_counter)
        for path, report in from_columns.items():
            assert report == from_history[path], path

    def test_an_earlier_date_reads_the_history(
        self, client: TestClient, action_id: int, query_counter: list[str]
    ) -> None:
        strategy = ok(client.get("/api/v1/strategies", params={"limit": 1}))["items"][0]
        query_counter.clear()
        yesterday = (TODAY - timedelta(days=1)).isoformat()
        ok(client.get(f"/api/v1/strategies/{strategy['id']}/progress",
                      params={"as_of": yesterday}))  # fmt: skip
        assert any("status_update" in q for q in query_counter)
