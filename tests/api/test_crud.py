"""The CRUD conventions of DESIGN §4, exercised through HTTP on the demo data."""

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.core import clock

PROBLEM = "application/problem+json"
OPENAPI = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def sorted_lists() -> list[tuple[str, str, int]]:
    """Each list with a ``sort`` parameter: its path, first sortable field and maxLength."""
    found = []
    for path, operations in json.loads(OPENAPI.read_text())["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter["name"] == "sort":
                text = next(s for s in parameter["schema"]["anyOf"] if s.get("type") == "string")
                field = re.match(r"\^-\?\((\w+)", text["pattern"])
                assert field is not None, text["pattern"]
                found.append((path, field.group(1), text["maxLength"]))
    return found


RESOURCES = [
    "organisations",
    "people",
    "partnerships",
    "memberships",
    "meetings",
    "agenda-items",
    "strategies",
    "principles",
    "priorities",
    "outcomes",
    "action-plans",
    "actions",
    "tasks",
    "indicators",
]


def first(client: TestClient, path: str, **params: object) -> dict:
    r = client.get(f"/api/v1/{path}", params={"limit": 1, **params})
    assert r.status_code == 200, r.text
    return r.json()["items"][0]


def new_task_body(client: TestClient, **extra: object) -> dict:
    action = first(client, "actions")
    return {"action_id": action["id"], "ref": "z", "title": "Open a new drop-in centre", **extra}


class TestLists:
    @pytest.mark.parametrize("path", RESOURCES)
    def test_every_list_is_a_page(self, client: TestClient, path: str) -> None:
        r = client.get(f"/api/v1/{path}", params={"limit": 3})
        assert r.status_code == 200
        body = r.json()
        assert set(body) == {"items", "total", "limit", "offset"}
        assert body["limit"] == 3 and body["offset"] == 0
        assert len(body["items"]) == min(3, body["total"])
        assert body["total"] > 0, f"demo data has no {path}"

    def test_limit_over_500_is_refused_not_clamped(self, client: TestClient) -> None:
        r = client.get("/api/v1/tasks", params={"limit": 501})
        assert r.status_code == 422
        assert r.headers["content-type"] == PROBLEM
        assert r.json()["errors"][0]["loc"] == ["query", "limit"]

    def test_pages_are_disjoint_and_ordered(self, client: TestClient) -> None:
        total = client.get("/api/v1/tasks", params={"limit": 1}).json()["total"]
        seen: list[int] = []
        for offset in range(0, total, 20):
            page = client.get("/api/v1/tasks", params={"limit": 20, "offset": offset}).json()
            seen += [t["id"] for t in page["items"]]
        assert len(seen) == len(set(seen)) == total

    @pytest.mark.parametrize("sort", [None, "-deadline,title", "rag,-ref"])
    def test_a_page_past_an_offset_is_that_slice_of_the_list(
        self, client: TestClient, sort: str | None
    ) -> None:
        """Past an offset the owners' names are looked up around the page, not in it
        (``list_records``): each page is still the same slice of the whole list, every field."""
        params = {"sort": sort} if sort else {}
        whole = client.get("/api/v1/tasks", params={**params, "limit": 500}).json()
        assert whole["total"] == len(whole["items"]) > 60
        assert sum(1 for t in whole["items"] if t["owner_name"]) > 10
        for offset in (0, 1, 7, 40, whole["total"] - 5):
            r = client.get("/api/v1/tasks", params={**params, "limit": 13, "offset": offset})
            assert r.status_code == 200, r.text
            items, expected = r.json()["items"], whole["items"][offset : offset + 13]
            assert items == expected
            assert [list(item) for item in items] == [list(item) for item in expected]  # order
            assert r.json()["total"] == whole["total"]

    def test_sort_descending_with_id_tiebreak(self, client: TestClient) -> None:
        items = client.get("/api/v1/tasks", params={"sort": "-deadline", "limit": 500}).json()[
            "items"
        ]
        keys = [(t["deadline"], -t["id"]) for t in items]
        assert keys == sorted(keys, reverse=True)

    def test_unknown_sort_field_names_the_parameter(self, client: TestClient) -> None:
        r = client.get("/api/v1/tasks", params={"sort": "password"})
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["query", "sort"]

    @pytest.mark.parametrize(("path", "field", "longest"), sorted_lists())
    def test_sort_is_accepted_up_to_its_length_and_refused_past_it(
        self, client: TestClient, path: str, field: str, longest: int
    ) -> None:
        """The boundaries the contract tests' coverage phase leaves out (see
        tests/hardening/test_schemathesis.py): a valid sort of exactly ``maxLength``
        characters, and one character more."""
        at_limit = field
        while len(at_limit) + 1 + len(field) <= longest:
            at_limit += "," + field
        terms = at_limit.split(",")
        for i in range(longest - len(at_limit)):  # a "-" on as many terms as lack characters
            terms[i] = "-" + terms[i]
        at_limit = ",".join(terms)
        assert len(at_limit) == longest
        r = client.get(path, params={"sort": at_limit, "limit": 1})
        assert r.status_code == 200, (path, at_limit, r.text)
        r = client.get(path, params={"sort": at_limit + "," + field, "limit": 1})
        assert r.status_code == 422
        assert r.json()["errors"] == [
            {"loc": ["query", "sort"], "msg": f"String should have at most {longest} characters"}
        ]

    def test_task_filters(self, client: TestClient) -> None:
        reds = client.get("/api/v1/tasks", params={"rag": "red", "limit": 500}).json()
        assert reds["total"] > 0
        assert all(t["rag"] == "red" for t in reds["items"])
        cutoff = clock.today().isoformat()
        overdue = client.get("/api/v1/tasks", params={"deadline_before": cutoff}).json()
        assert all(t["deadline"] <= cutoff for t in overdue["items"])
        unrated = client.get("/api/v1/tasks", params={"not_rated": True, "limit": 500}).json()
        assert unrated["total"] > 0 and all(t["rag"] is None for t in unrated["items"])

    def test_tasks_by_partnership_and_outcome(self, client: TestClient) -> None:
        plan = first(client, "action-plans")
        by_partnership = client.get(
            "/api/v1/tasks", params={"partnership_id": plan["partnership_id"], "limit": 500}
        ).json()
        by_plan = client.get(
            "/api/v1/tasks", params={"action_plan_id": plan["id"], "limit": 500}
        ).json()
        assert by_partnership["total"] == by_plan["total"] > 0
        action_ids = {
            a["id"]
            for a in client.get(
                "/api/v1/actions", params={"action_plan_id": plan["id"], "limit": 500}
            ).json()["items"]
        }
        assert {t["action_id"] for t in by_plan["items"]} <= action_ids

    def test_text_search_is_case_insensitive_and_literal(self, client: TestClient) -> None:
        hits = client.get("/api/v1/organisations", params={"q": "riverside college"}).json()
        assert [o["name"] for o in hits["items"]] == ["Riverside College"]
        assert client.get("/api/v1/organisations", params={"q": "%"}).json()["total"] == 0

    def test_current_memberships_filter(self, client: TestClient) -> None:
        current = client.get("/api/v1/memberships", params={"current": True, "limit": 500}).json()
        assert current["total"] > 0
        assert all(m["ended_on"] is None for m in current["items"])


class TestCreate:
    def test_created_with_location_and_etag(self, client: TestClient) -> None:
        r = client.post(
            "/api/v1/organisations",
            json={"name": "Northside Food Bank", "sector": "voluntary_community"},
        )
        assert r.status_code == 201, r.text
        body = r.json()
        assert r.headers["location"] == f"/api/v1/organisations/{body['id']}"
        assert r.headers["etag"] == '"1"'
        assert body["slug"] == "northside-food-bank" and body["version"] == 1
        assert client.get(r.headers["location"]).json()["name"] == "Northside Food Bank"

    def test_unique_clash_is_409(self, client: TestClient) -> None:
        existing = first(client, "people")
        r = client.post(
            "/api/v1/people", json={"name": "Someone Else", "email": existing["email"].upper()}
        )
        assert r.status_code == 409
        assert r.headers["content-type"] == PROBLEM
        assert r.json()["type"] == "/problems/duplicate"

    def test_missing_reference_is_422_naming_the_field(self, client: TestClient) -> None:
        r = client.post("/api/v1/tasks", json=new_task_body(client, lead_organisation_id=999999))
        assert r.status_code == 422
        assert r.json()["errors"] == [
            {"loc": ["body", "lead_organisation_id"], "msg": "no organisation with id 999999"}
        ]

    def test_bad_enum_and_unknown_fields_are_422(self, client: TestClient) -> None:
        r = client.post("/api/v1/organisations", json={"name": "X", "sector": "pirates"})
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "sector"]
        r = client.post(
            "/api/v1/organisations", json={"name": "X", "sector": "other", "version": 9}
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "version"]

    def test_naive_meeting_time_is_refused(self, client: TestClient) -> None:
        partnership = first(client, "partnerships")
        body = {
            "partnership_id": partnership["id"],
            "title": "Extra",
            "starts_at": "2026-01-01T10:00",
        }
        r = client.post("/api/v1/meetings", json=body)
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "starts_at"]
        body["starts_at"] = "2026-01-01T10:00:00+00:00"
        assert client.post("/api/v1/meetings", json=body).status_code == 201

    def test_one_open_membership_per_person_per_partnership(self, client: TestClient) -> None:
        m = first(client, "memberships", current=True)
        clone = {
            "person_id": m["person_id"],
            "partnership_id": m["partnership_id"],
            "started_on": clock.today().isoformat(),
        }
        assert client.post("/api/v1/memberships", json=clone).status_code == 409


class TestUpdateAndDelete:
    def test_patch_changes_only_given_fields_and_bumps_version(self, client: TestClient) -> None:
        org = first(client, "organisations")
        r = client.patch(
            f"/api/v1/organisations/{org['id']}", json={"website": "https://x.example.org"}
        )
        assert r.status_code == 200
        assert r.json()["website"] == "https://x.example.org"
        assert r.json()["name"] == org["name"]
        assert r.json()["version"] == org["version"] + 1
        assert r.headers["etag"] == f'"{org["version"] + 1}"'

    def test_null_clears_optional_but_not_required_fields(self, client: TestClient) -> None:
        org = first(client, "organisations")
        r = client.patch(f"/api/v1/organisations/{org['id']}", json={"short_name": None})
        assert r.status_code == 200 and r.json()["short_name"] is None
        r = client.patch(f"/api/v1/organisations/{org['id']}", json={"name": None})
        assert r.status_code == 422

    def test_stale_if_match_is_412(self, client: TestClient) -> None:
        task = first(client, "tasks")
        etag = client.get(f"/api/v1/tasks/{task['id']}").headers["etag"]
        ok = client.patch(
            f"/api/v1/tasks/{task['id']}", json={"title": "A"}, headers={"If-Match": etag}
        )
        assert ok.status_code == 200
        stale = client.patch(
            f"/api/v1/tasks/{task['id']}", json={"title": "B"}, headers={"If-Match": etag}
        )
        assert stale.status_code == 412
        assert stale.headers["content-type"] == PROBLEM
        assert client.get(f"/api/v1/tasks/{task['id']}").json()["title"] == "A"

    def test_delete_is_204_then_404(self, client: TestClient) -> None:
        created = client.post("/api/v1/tasks", json=new_task_body(client)).json()
        r = client.delete(f"/api/v1/tasks/{created['id']}", headers={"If-Match": '"1"'})
        assert r.status_code == 204 and r.content == b""
        r = client.get(f"/api/v1/tasks/{created['id']}")
        assert r.status_code == 404 and r.headers["content-type"] == PROBLEM

    def test_deleting_a_referenced_row_is_409(self, client: TestClient) -> None:
        org = first(client, "organisations")
        r = client.delete(f"/api/v1/organisations/{org['id']}")
        assert r.status_code == 409
        assert r.json()["type"] == "/problems/in-use"
        assert client.get(f"/api/v1/organisations/{org['id']}").status_code == 200

    @pytest.mark.parametrize("bad_id", ["0", "-1", "abc", "99999999999"])
    def test_bad_ids_are_422_and_missing_are_404(self, client: TestClient, bad_id: str) -> None:
        assert client.get(f"/api/v1/tasks/{bad_id}").status_code == 422
        assert client.get("/api/v1/tasks/2147483647").status_code == 404


class TestStatusUpdates:
    def test_update_appends_history_and_moves_the_task(self, client: TestClient) -> None:
        task = first(client, "tasks", rag="amber")
        before = client.get(f"/api/v1/tasks/{task['id']}/status-updates").json()["total"]
        r = client.post(
            f"/api/v1/tasks/{task['id']}/status-updates",
            json={"rag": "green", "position": "Back on track", "note": "Funding agreed"},
        )
        assert r.status_code == 201, r.text
        assert r.json()["rag"] == "green"
        assert r.json()["planned_improvement"] == task["planned_improvement"]
        now = client.get(f"/api/v1/tasks/{task['id']}").json()
        assert (now["rag"], now["position"]) == ("green", "Back on track")
        assert now["version"] == task["version"] + 1
        history = client.get(f"/api/v1/tasks/{task['id']}/status-updates").json()
        assert history["total"] == before + 1
        assert history["items"][0]["id"] == r.json()["id"]
        dates = [h["reported_on"] for h in history["items"]]
        assert dates == sorted(dates, reverse=True)

    def test_backdated_update_keeps_the_current_state(self, client: TestClient) -> None:
        task = first(client, "tasks", rag="green")
        old_day = (date.fromisoformat(task["last_reported_on"]) - timedelta(days=30)).isoformat()
        r = client.post(
            f"/api/v1/tasks/{task['id']}/status-updates",
            json={"rag": "red", "planned_improvement": "Recover", "reported_on": old_day},
        )
        assert r.status_code == 201
        assert client.get(f"/api/v1/tasks/{task['id']}").json()["rag"] == "green"

    def test_patching_status_fields_records_history(self, client: TestClient) -> None:
        task = first(client, "tasks", rag="green")
        before = client.get(f"/api/v1/tasks/{task['id']}/status-updates").json()["total"]
        client.patch(f"/api/v1/tasks/{task['id']}", json={"rag": "amber"})
        after = client.get(f"/api/v1/tasks/{task['id']}/status-updates").json()
        assert after["total"] == before + 1 and after["items"][0]["rag"] == "amber"

    def test_updates_cannot_be_edited_or_deleted(self, client: TestClient) -> None:
        task = first(client, "tasks")
        path = f"/api/v1/tasks/{task['id']}/status-updates"
        assert client.put(path, json={}).status_code == 405
        assert client.delete(path).status_code == 405

    def test_update_on_missing_task_is_404(self, client: TestClient) -> None:
        r = client.post("/api/v1/tasks/2147483647/status-updates", json={"rag": "green"})
        assert r.status_code == 404


class TestProblems:
    def test_anonymous_is_401_problem(self, anon: TestClient) -> None:
        r = anon.get("/api/v1/tasks")
        assert r.status_code == 401
        assert r.headers["content-type"] == PROBLEM
        assert r.headers["www-authenticate"] == "Bearer"

    def test_unknown_route_is_404_problem(self, client: TestClient) -> None:
        r = client.get("/api/v1/no-such-thing")
        assert r.status_code == 404 and r.headers["content-type"] == PROBLEM

    def test_malformed_json_is_422_problem(self, client: TestClient) -> None:
        r = client.post(
            "/api/v1/organisations",
            content=b"{not json",
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code == 422 and r.headers["content-type"] == PROBLEM

    def test_oversized_body_is_413(self, client: TestClient) -> None:
        r = client.post(
            "/api/v1/organisations",
            content=b"x" * 2_000_000,
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code == 413 and r.headers["content-type"] == PROBLEM


class TestQueryCounts:
    def test_task_list_is_not_n_plus_one(
        self, client: TestClient, query_counter: list[str]
    ) -> None:
        r = client.get("/api/v1/tasks", params={"limit": 50})
        assert len(r.json()["items"]) == 50
        # principal lookup, count, page (+ SAVEPOINT bookkeeping on the test connection)
        data_queries = [q for q in query_counter if "SAVEPOINT" not in q.upper()]
        assert len(data_queries) <= 4, data_queries

    def test_partnership_members_are_not_n_plus_one(
        self, client: TestClient, query_counter: list[str]
    ) -> None:
        partnership = first(client, "partnerships")
        query_counter.clear()
        r = client.get(
            "/api/v1/memberships", params={"partnership_id": partnership["id"], "limit": 100}
        )
        assert r.json()["total"] >= 9
        data_queries = [q for q in query_counter if "SAVEPOINT" not in q.upper()]
        assert len(data_queries) <= 4, data_queries
