"""The query shapes behind a decade of data (issue 21, DESIGN §9), through HTTP.

Staleness is worked out against each action's reporting cutoff (one row per action, joined on
the task) by the task list's ``stale`` filter, the dashboard and the freshness table: here
they must agree with the rule computed in Python task by task, with partnerships on different
reporting cycles. ``q=`` must keep matching substrings of title, target and position whatever
the case, with ``%`` and ``_`` taken literally. On PostgreSQL the statements must be able to
use the indexes of migration 0014.
"""

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event

from api.core import clock
from api.core.calendar import add_months


def all_items(client: TestClient, path: str, **params: object) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        r = client.get(path, params={"limit": 500, "offset": len(items), **params})
        assert r.status_code == 200, r.text
        body = r.json()
        items += body["items"]
        if len(items) >= body["total"]:
            return items


def partnership_of_task(client: TestClient) -> dict[int, int]:
    plans = {p["id"]: p["partnership_id"] for p in all_items(client, "/api/v1/action-plans")}
    actions = {a["id"]: plans[a["action_plan_id"]] for a in all_items(client, "/api/v1/actions")}
    return {t["id"]: actions[t["action_id"]] for t in all_items(client, "/api/v1/tasks")}


def expected_stale(client: TestClient) -> list[dict[str, Any]]:
    """Stale tasks by the rule itself: open, and not reported since the cycle began."""
    cycles = {
        p["id"]: p["reporting_cycle_months"] for p in all_items(client, "/api/v1/partnerships")
    }
    partnership = partnership_of_task(client)
    today = clock.today()
    stale = []
    for t in all_items(client, "/api/v1/tasks"):
        cutoff = add_months(today, -cycles[partnership[t["id"]]]).isoformat()
        last = t["last_reported_on"]
        if t["rag"] != "complete" and (last is None or last < cutoff):
            stale.append(t)
    return stale


@pytest.fixture
def mixed_cycles(client: TestClient) -> list[dict[str, Any]]:
    """Two partnerships on other cycles than the demo's two months, a task never reported,
    and one reported just inside a one-month cycle; returns the partnerships."""
    partnerships = all_items(client, "/api/v1/partnerships")
    with_tasks = set(partnership_of_task(client).values())
    chosen = [p for p in partnerships if p["id"] in with_tasks][:2]
    assert len(chosen) == 2
    for p, months in zip(chosen, (1, 6), strict=True):
        r = client.patch(f"/api/v1/partnerships/{p['id']}", json={"reporting_cycle_months": months})
        assert r.status_code == 200, r.text
    task = all_items(client, "/api/v1/tasks", partnership_id=chosen[0]["id"])[0]
    r = client.post(
        "/api/v1/tasks",
        json={"action_id": task["action_id"], "ref": "z9", "title": "Never reported"},
    )
    assert r.status_code == 201, r.text
    inside = clock.today() - timedelta(days=20)
    r = client.post(
        f"/api/v1/tasks/{task['id']}/status-updates",
        json={"note": "Checked", "reported_on": inside.isoformat()},
    )
    assert r.status_code == 201, r.text
    return chosen


class TestStalenessAgrees:
    def test_the_task_list(self, client: TestClient, mixed_cycles: list[dict]) -> None:
        expected = {t["id"] for t in expected_stale(client)}
        stale = {t["id"] for t in all_items(client, "/api/v1/tasks", stale=True)}
        fresh = {t["id"] for t in all_items(client, "/api/v1/tasks", stale=False)}
        everything = {t["id"] for t in all_items(client, "/api/v1/tasks")}
        assert stale == expected
        assert fresh == everything - expected
        r = client.get("/api/v1/tasks", params={"stale": True, "limit": 1})
        assert r.json()["total"] == len(expected)

    def test_combined_with_a_partnership(
        self, client: TestClient, mixed_cycles: list[dict]
    ) -> None:
        pid = mixed_cycles[1]["id"]
        partnership = partnership_of_task(client)
        expected = {t["id"] for t in expected_stale(client) if partnership[t["id"]] == pid}
        listed = all_items(client, "/api/v1/tasks", stale=True, partnership_id=pid)
        assert {t["id"] for t in listed} == expected

    def test_the_dashboard(self, client: TestClient, mixed_cycles: list[dict]) -> None:
        expected = expected_stale(client)
        body = client.get("/api/v1/dashboard").json()
        assert body["stale"]["total"] == len(expected)
        assert sum(o["summary"]["stale"] for o in body["rag_by_outcome"]) == len(expected)
        # Never reported first, then the oldest report, then by id.
        stalest = sorted(
            expected,
            key=lambda t: (t["last_reported_on"] is not None, t["last_reported_on"] or "", t["id"]),
        )
        shown = body["stale"]["items"]
        assert [t["id"] for t in shown] == [t["id"] for t in stalest[: len(shown)]]
        assert shown[0]["title"] == "Never reported" and shown[0]["last_reported_on"] is None

    def test_the_dashboard_counts_by_outcome(
        self, client: TestClient, mixed_cycles: list[dict]
    ) -> None:
        tasks = all_items(client, "/api/v1/tasks")
        body = client.get("/api/v1/dashboard").json()
        assert sum(o["summary"]["total"] for o in body["rag_by_outcome"]) == len(tasks)
        today = clock.today().isoformat()
        overdue = [
            t
            for t in tasks
            if t["deadline"] is not None and t["deadline"] < today and t["rag"] != "complete"
        ]
        assert body["overdue"]["total"] == len(overdue)
        assert sum(o["overdue"] for o in body["rag_by_outcome"]) == len(overdue)

    def test_freshness(self, client: TestClient, mixed_cycles: list[dict]) -> None:
        expected: dict[int | None, int] = {}
        for t in expected_stale(client):
            org = t["lead_organisation_id"]
            expected[org] = expected.get(org, 0) + 1
        body = client.get("/api/v1/freshness").json()
        assert {o["organisation_id"]: o["stale"] for o in body["organisations"] if o["stale"]} == (
            expected
        )
        led: dict[int | None, int] = {}
        for t in all_items(client, "/api/v1/tasks"):
            if t["rag"] != "complete":
                led[t["lead_organisation_id"]] = led.get(t["lead_organisation_id"], 0) + 1
        assert {o["organisation_id"]: o["led_tasks"] for o in body["organisations"]} == led

    def test_freshness_of_one_partnership(
        self, client: TestClient, mixed_cycles: list[dict]
    ) -> None:
        pid = mixed_cycles[0]["id"]
        partnership = partnership_of_task(client)
        stale = [t for t in expected_stale(client) if partnership[t["id"]] == pid]
        body = client.get("/api/v1/freshness", params={"partnership_id": pid}).json()
        assert sum(o["stale"] for o in body["organisations"]) == len(stale)


SEARCHED = {
    "title": "Kestrel survey 100% booked",
    "target": "A kestrel_nest count by spring",
    "position": "KESTREL boxes ordered",
}


@pytest.fixture
def searchable(client: TestClient) -> dict[str, int]:
    action = all_items(client, "/api/v1/actions")[0]
    ids = {}
    for n, (field, text) in enumerate(SEARCHED.items()):
        body = {"action_id": action["id"], "ref": f"k{n}", "title": f"Owl task {n}", field: text}
        r = client.post("/api/v1/tasks", json=body)
        assert r.status_code == 201, r.text
        ids[field] = r.json()["id"]
    return ids


def matches(client: TestClient, q: str) -> set[int]:
    return {t["id"] for t in all_items(client, "/api/v1/tasks", q=q)}


class TestSearchFilter:
    def test_any_of_the_three_fields_in_any_case(
        self, client: TestClient, searchable: dict[str, int]
    ) -> None:
        assert matches(client, "kestrel") == set(searchable.values())
        assert matches(client, "KesTrel BOX") == {searchable["position"]}

    def test_wildcards_are_literal(self, client: TestClient, searchable: dict[str, int]) -> None:
        assert matches(client, "100%") == {searchable["title"]}
        assert matches(client, "l_n") == {searchable["target"]}
        assert matches(client, "%") >= {searchable["title"]}
        assert searchable["position"] not in matches(client, "%")

    def test_same_as_filtering_every_task(
        self, client: TestClient, searchable: dict[str, int]
    ) -> None:
        tasks = all_items(client, "/api/v1/tasks")
        for q in ("venue", "an", "Kestrel", "ZZZ-nothing"):
            expected = {
                t["id"]
                for t in tasks
                if any(q.lower() in (t[f] or "").lower() for f in ("title", "target", "position"))
            }
            assert matches(client, q) == expected, q

    def test_total_and_order_unchanged(
        self, client: TestClient, searchable: dict[str, int]
    ) -> None:
        body = client.get("/api/v1/tasks", params={"q": "kestrel", "sort": "-title"}).json()
        assert body["total"] == 3
        titles = [t["title"] for t in body["items"]]
        assert titles == sorted(titles, reverse=True)


# -- PostgreSQL: the statements can use migration 0014's indexes ---------------------------------


def plans_of(
    engine: Engine, db: Connection, client: TestClient, path: str, params: dict[str, Any]
) -> str:
    """EXPLAIN every SELECT the request ran, with sequential scans switched off so the plan
    shows whether an index fits the statement at all (demo-size tables would be scanned)."""
    seen: list[tuple[str, Any]] = []

    def keep(conn, cursor, statement, parameters, *_):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        r = client.get(path, params=params)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert r.status_code == 200, r.text
    db.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plans = []
    for statement, parameters in seen:
        rows = db.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        plans.append("\n".join(str(row[0]) for row in rows))
    db.exec_driver_sql("SET LOCAL enable_seqscan = on")
    return "\n".join(plans)


@pytest.fixture
def postgres(dialect: str) -> None:
    if dialect != "postgresql":
        pytest.skip("PostgreSQL indexes (migrations 0014, 0016)")


@pytest.mark.usefixtures("postgres")
class TestIndexesFit:
    def test_q_uses_the_trigram_indexes(
        self, engine: Engine, db: Connection, client: TestClient
    ) -> None:
        plan = plans_of(engine, db, client, "/api/v1/tasks", {"q": "venue"})
        for name in ("ix_task_title_trgm", "ix_task_target_trgm", "ix_task_position_trgm"):
            assert name in plan, plan

    @pytest.mark.parametrize(
        ("path", "params"),
        [
            ("/api/v1/freshness", {}),
            ("/api/v1/tasks", {"stale": True}),
            ("/api/v1/tasks", {"stale": False, "partnership_id": 1}),
        ],
    )
    def test_staleness_needs_no_scan_of_the_tasks(
        self, engine: Engine, db: Connection, client: TestClient, path: str, params: dict
    ) -> None:
        plan = plans_of(engine, db, client, path, params)
        assert "reporting_cutoff" in plan and "Seq Scan on task" not in plan, plan

    def test_the_dashboard_needs_no_scan_of_the_tasks(
        self, engine: Engine, db: Connection, client: TestClient
    ) -> None:
        plan = plans_of(engine, db, client, "/api/v1/dashboard", {})
        assert "reporting_cutoff" in plan and "Seq Scan on task" not in plan, plan

    def test_latest_update_per_task(
        self, engine: Engine, db: Connection, client: TestClient
    ) -> None:
        plan_id = all_items(client, "/api/v1/partnerships")[0]["id"]
        path = f"/api/v1/partnerships/{plan_id}/performance-report"
        yesterday = (clock.today() - timedelta(days=1)).isoformat()
        plan = plans_of(engine, db, client, path, {"as_of": yesterday})
        assert "ix_status_update_task_reported" in plan, plan
        # As of today each task holds its latest update (tests/api/test_current_status.py).
        plan = plans_of(engine, db, client, path, {"as_of": clock.today().isoformat()})
        assert "status_update" not in plan, plan

    def test_a_rag_by_deadline(self, engine: Engine, db: Connection, client: TestClient) -> None:
        # The single-column index on rag fits too, and on demo-size tables whose statistics
        # an earlier test's writes had analysed, the planner took it and sorted the few red
        # tasks; without it (inside the test's transaction, rolled back) the question is
        # only whether the statement can walk the composite index in its order.
        db.exec_driver_sql("DROP INDEX ix_task_rag")
        params = {"rag": "red", "sort": "-deadline"}
        plan = plans_of(engine, db, client, "/api/v1/tasks", params)
        assert "ix_task_rag_deadline" in plan, plan  # migration 0016

    def test_the_dashboard_counts_complete_tasks_from_an_index(
        self, engine: Engine, db: Connection, client: TestClient
    ) -> None:
        plan = plans_of(engine, db, client, "/api/v1/dashboard", {})
        assert "Index Only Scan using ix_task_complete_by_action" in plan, plan  # migration 0016

    def test_strategy_progress_looks_up_each_tasks_latest_update(
        self, engine: Engine, db: Connection, client: TestClient
    ) -> None:
        strategy_id = all_items(client, "/api/v1/strategies")[0]["id"]
        path = f"/api/v1/strategies/{strategy_id}/progress"
        yesterday = (clock.today() - timedelta(days=1)).isoformat()
        plan = plans_of(engine, db, client, path, {"as_of": yesterday})
        # once: the counts and the newest updates read one materialized CTE of the tasks
        assert plan.count("ix_status_update_task_reported") == 1, plan
        assert "CTE task_as_of" in plan, plan
        plan = plans_of(engine, db, client, path, {})  # today: the tasks' own columns
        # and no CTE of every task: counted per action, each action's newest read by index
        # (which indexes a plan takes on these small unvacuumed tables varies; on the decade
        # they are ix_task_open_by_action, ix_task_complete_by_action and, backwards,
        # ix_task_action_reported, read alone: bench/scale_bench.py's EXPLAIN)
        assert "status_update" not in plan and "Seq Scan on task" not in plan, plan
        assert "task_as_of" not in plan, plan

    @pytest.mark.parametrize("path", ["/api/v1/governance", "/api/v1/dashboard"])
    def test_each_partnerships_last_meeting_is_one_index_probe(
        self, engine: Engine, db: Connection, client: TestClient, path: str
    ) -> None:
        plan = plans_of(engine, db, client, path, {})
        # migration 0017: the newest held meeting read backwards from the index, per partnership
        assert "Index Only Scan Backward using ix_meeting_partnership_status_starts" in plan, plan
