"""GET /api/v1/dashboard: the caller's partnerships and what needs attention."""

from fastapi.testclient import TestClient
from sqlalchemy import Connection, select

from api.core import clock
from api.core.db import SessionLocal
from api.plans.models import Action, Task
from tests.api.test_decade_queries import all_items, partnership_of_task


def data_queries(statements: list[str]) -> list[str]:
    return [q for q in statements if "SAVEPOINT" not in q.upper()]


class TestContent:
    def test_admin_sees_every_partnership(self, client: TestClient) -> None:
        body = client.get("/api/v1/dashboard").json()
        everyone = client.get("/api/v1/partnerships", params={"limit": 100}).json()
        assert {p["id"] for p in body["partnerships"]} == {p["id"] for p in everyone["items"]}
        assert body["as_of"] == clock.today().isoformat()

    def test_rag_per_outcome_adds_up_to_all_tasks(self, client: TestClient) -> None:
        body = client.get("/api/v1/dashboard").json()
        total = 0
        for row in body["rag_by_outcome"]:
            s = row["summary"]
            assert s["green"] + s["amber"] + s["red"] + s["complete"] + s["not_rated"] == s["total"]
            total += s["total"]
        assert total == client.get("/api/v1/tasks").json()["total"]
        reds = client.get("/api/v1/tasks", params={"rag": "red"}).json()["total"]
        assert sum(r["summary"]["red"] for r in body["rag_by_outcome"]) == reds

    def test_stale_and_overdue_match_the_task_filters(self, client: TestClient) -> None:
        body = client.get("/api/v1/dashboard").json()
        stale = client.get("/api/v1/tasks", params={"stale": True, "limit": 500}).json()
        assert body["stale"]["total"] == stale["total"] > 0
        assert {t["id"] for t in body["stale"]["items"]} <= {t["id"] for t in stale["items"]}
        today = clock.today().isoformat()
        overdue = [
            t
            for t in client.get("/api/v1/tasks", params={"limit": 500}).json()["items"]
            if t["deadline"] and t["deadline"] < today and t["rag"] != "complete"
        ]
        assert body["overdue"]["total"] == len(overdue) > 0
        deadlines = [t["deadline"] for t in body["overdue"]["items"]]
        assert deadlines == sorted(deadlines) and all(d < today for d in deadlines)

    def test_lists_are_the_first_stale_and_overdue_tasks_in_order(self, client: TestClient) -> None:
        body = client.get("/api/v1/dashboard").json()
        partnership_of = partnership_of_task(client)
        tasks = all_items(client, "/api/v1/tasks")
        stale = all_items(client, "/api/v1/tasks", stale=True)
        today = clock.today().isoformat()
        overdue = [
            t for t in tasks if t["deadline"] and t["deadline"] < today and t["rag"] != "complete"
        ]
        never_first = sorted(stale, key=lambda t: (t["last_reported_on"] or "", t["id"]))
        by_report = [t for t in never_first if t["last_reported_on"] is None] + [
            t for t in never_first if t["last_reported_on"] is not None
        ]
        by_deadline = sorted(overdue, key=lambda t: (t["deadline"], t["id"]))
        for listed, expected in (
            (body["stale"]["items"], by_report[:20]),
            (body["overdue"]["items"], by_deadline[:20]),
        ):
            assert [t["id"] for t in listed] == [t["id"] for t in expected]
            for item, task in zip(listed, expected, strict=True):
                assert item["partnership_id"] == partnership_of[task["id"]]
                assert item["rag"] == task["rag"] and item["deadline"] == task["deadline"]
                assert item["last_reported_on"] == task["last_reported_on"]
        complete = client.get("/api/v1/tasks", params={"rag": "complete"}).json()["total"]
        assert sum(r["summary"]["complete"] for r in body["rag_by_outcome"]) == complete > 0

    def test_next_meetings_are_future_and_in_order(self, client: TestClient) -> None:
        meetings = client.get("/api/v1/dashboard").json()["next_meetings"]
        starts = [m["starts_at"] for m in meetings]
        assert meetings and starts == sorted(starts)
        assert all(m["starts_at"][:10] >= clock.today().isoformat() for m in meetings)

    def test_governance_findings_for_admins_and_officers(self, client: TestClient, as_role) -> None:  # type: ignore[no-untyped-def]
        admin = client.get("/api/v1/dashboard").json()["governance_findings"]
        assert isinstance(admin, int) and admin > 0  # the demo has an overdue partnership
        checks = client.get("/api/v1/governance")
        if checks.status_code == 200:
            assert admin == len(checks.json()["findings"])
        assert isinstance(
            as_role("officer").get("/api/v1/dashboard").json()["governance_findings"], int
        )
        assert as_role("member").get("/api/v1/dashboard").json()["governance_findings"] is None


class TestScope:
    def test_member_sees_only_their_partnerships(self, client: TestClient, as_role) -> None:  # type: ignore[no-untyped-def]
        body = as_role("member").get("/api/v1/dashboard").json()
        mine = {p["id"] for p in body["partnerships"]}
        assert mine and all(p["role"] is not None for p in body["partnerships"])
        everyone = client.get("/api/v1/partnerships", params={"limit": 100}).json()["total"]
        assert len(mine) < everyone
        assert {r["partnership_id"] for r in body["rag_by_outcome"]} <= mine
        assert {m["partnership_id"] for m in body["next_meetings"]} <= mine

    def test_partner_key_sees_only_tasks_its_organisation_leads(self, as_role) -> None:  # type: ignore[no-untyped-def]
        partner = as_role("partner")
        body = partner.get("/api/v1/dashboard").json()
        led = partner.get("/api/v1/tasks", params={"limit": 500}).json()
        assert sum(r["summary"]["total"] for r in body["rag_by_outcome"]) == led["total"]
        led_ids = {t["id"] for t in led["items"]}
        for t in body["overdue"]["items"] + body["stale"]["items"]:
            assert t["id"] in led_ids

    def test_county_gets_an_empty_dashboard(self, as_role) -> None:  # type: ignore[no-untyped-def]
        body = as_role("county").get("/api/v1/dashboard").json()
        assert body["partnerships"] == [] and body["rag_by_outcome"] == []
        assert body["governance_findings"] is None

    def test_anonymous_is_401(self, anon: TestClient) -> None:
        assert anon.get("/api/v1/dashboard").status_code == 401


class TestQueryBudget:
    def test_query_count_does_not_grow_with_the_data(
        self, client: TestClient, db: Connection, query_counter: list[str]
    ) -> None:
        client.get("/api/v1/dashboard")
        query_counter.clear()
        before = client.get("/api/v1/dashboard").json()
        baseline = len(data_queries(query_counter))
        with SessionLocal() as s, s.begin():
            actions = s.scalars(select(Action)).all()
            s.add_all(
                Task(action_id=actions[i % len(actions)].id, ref=f"q{i}", title=f"More {i}")  # type: ignore[arg-type]
                for i in range(300)
            )
        query_counter.clear()
        after = client.get("/api/v1/dashboard").json()
        assert len(data_queries(query_counter)) == baseline <= 16, query_counter
        assert after["stale"]["total"] == before["stale"]["total"] + 300  # never reported
        assert len(after["stale"]["items"]) == 20
