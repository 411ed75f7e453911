"""GET /api/v1/report-index: the performance reports and strategy progress one may read."""

from fastapi.testclient import TestClient
from sqlalchemy import Connection, text

INDEX = "/api/v1/report-index"


def index(client: TestClient) -> dict:
    r = client.get(INDEX)
    assert r.status_code == 200, r.text
    return dict(r.json())


class TestReportIndex:
    def test_the_county_finds_every_report_and_strategy(self, as_role, db: Connection) -> None:  # type: ignore[no-untyped-def]
        found = index(as_role("county"))
        every = db.execute(text("SELECT id, name FROM partnership ORDER BY name, id")).all()
        assert [(p["partnership_id"], p["name"]) for p in found["partnerships"]] == [
            tuple(row) for row in every
        ]
        with_plans = {
            row[0] for row in db.execute(text("SELECT DISTINCT partnership_id FROM action_plan"))
        }
        leaders = {
            row[0]
            for row in db.execute(
                text(
                    "SELECT lead_partnership_id FROM outcome WHERE lead_partnership_id IS NOT NULL"
                )
            )
        }
        assert {p["partnership_id"] for p in found["partnerships"] if p["has_action_plan"]} == (
            with_plans
        )
        assert {p["partnership_id"] for p in found["partnerships"] if p["leads_outcomes"]} == (
            leaders
        )
        strategies = db.execute(text("SELECT id, title FROM strategy ORDER BY id")).all()
        assert [(s["strategy_id"], s["title"]) for s in found["strategies"]] == [
            tuple(row) for row in strategies
        ]

    def test_every_listed_report_opens(self, as_role) -> None:  # type: ignore[no-untyped-def]
        county = as_role("county")
        found = index(county)
        for link in found["partnerships"]:
            if link["has_action_plan"]:
                r = county.get(f"/api/v1/partnerships/{link['partnership_id']}/performance-report")
                assert r.status_code == 200, link
        for strategy in found["strategies"]:
            r = county.get(f"/api/v1/strategies/{strategy['strategy_id']}/progress")
            assert r.status_code == 200

    def test_a_member_finds_only_their_partnerships(self, as_role) -> None:  # type: ignore[no-untyped-def]
        member = as_role("member")
        mine = {m["partnership_id"] for m in member.get("/api/v1/me").json()["memberships"]}
        listed = {p["partnership_id"] for p in index(member)["partnerships"]}
        assert listed == mine and mine

    def test_partner_keys_read_no_reports(self, as_role, anon: TestClient) -> None:  # type: ignore[no-untyped-def]
        assert as_role("partner").get(INDEX).status_code == 403
        assert anon.get(INDEX).status_code == 401

    def test_a_fixed_number_of_queries(self, client: TestClient, query_counter: list[str]) -> None:
        index(client)
        selects = [q for q in query_counter if q.lstrip().upper().startswith("SELECT")]
        assert len(selects) == 3, selects  # the credential, the partnerships, the strategies
