"""Search (issue 17): one query across tasks, actions, outcomes, decisions, minutes, papers'
titles, people and organisations; only what the caller may read; ranked, with snippets; the
index kept in step with every write. Runs on SQLite (FTS5) and PostgreSQL (tsvector + GIN)."""

from itertools import count
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text

from api.search.index import SOURCES
from tests.api.governance_fixtures import API, Group, held_meeting, make_group, make_meeting, ok

SEARCH = f"{API}/search"
_codes = count(1)


def find(client: TestClient, q: str, **params: Any) -> list[dict[str, Any]]:
    return ok(client.get(SEARCH, params={"q": q, **params}))["items"]


def keys(items: list[dict[str, Any]]) -> set[tuple[str, int]]:
    return {(i["kind"], i["id"]) for i in items}


def make_task(client: TestClient, group: Group, title: str, **fields: Any) -> dict[str, Any]:
    strategy = ok(client.get(f"{API}/strategies", params={"limit": 1}))["items"][0]
    plan = ok(
        client.post(f"{API}/action-plans", json={"partnership_id": group.id, "title": "Plan"}),
        201,
    )
    outcome = ok(
        client.post(
            f"{API}/outcomes",
            json={
                "strategy_id": strategy["id"],
                "code": f"8.{next(_codes)}",
                "title": "Cleaner air",
                "lead_partnership_id": group.id,
            },
        ),
        201,
    )
    action = ok(
        client.post(
            f"{API}/actions",
            json={
                "action_plan_id": plan["id"],
                "outcome_id": outcome["id"],
                "ref": "8.1.1",
                "title": "Plant street trees",
            },
        ),
        201,
    )
    body = {
        "action_id": action["id"],
        "ref": "a",
        "title": title,
        "lead_organisation_id": group.organisation_id,
        **fields,
    }
    return ok(client.post(f"{API}/tasks", json=body), 201)


def private_minutes(client: TestClient, group: Group, minutes: str) -> dict[str, Any]:
    meeting = make_meeting(client, group, public=False, status="held")
    return ok(client.patch(f"{API}/meetings/{meeting['id']}", json={"minutes": minutes}))


def member_person_id(as_role: Any) -> int:
    return int(ok(as_role("member").get(f"{API}/me"))["person_id"])


@pytest.fixture
def foreign(client: TestClient) -> Group:
    """A partnership none of the demo officer, member or partner belongs to."""
    return make_group(client, voting=1, non_voting=0)


class TestPermissions:
    def test_admin_finds_private_minutes_and_tasks(
        self, client: TestClient, foreign: Group
    ) -> None:
        meeting = private_minutes(client, foreign, "The quokka census was discussed at length.")
        task = make_task(client, foreign, "Count every quokka in the borough")
        assert {("minutes", meeting["id"]), ("task", task["id"])} <= keys(find(client, "quokka"))

    @pytest.mark.parametrize("role", ["officer", "member", "partner"])
    def test_others_never_find_a_foreign_partnerships_private_minutes_or_tasks(
        self, client: TestClient, as_role: Any, foreign: Group, role: str
    ) -> None:
        private_minutes(client, foreign, "The quokka census was discussed at length.")
        make_task(client, foreign, "Count every quokka in the borough")
        assert find(as_role(role), "quokka") == []
        assert find(as_role(role), "quokka", kind="task") == []

    def test_a_member_finds_them_once_they_join(
        self, client: TestClient, as_role: Any, foreign: Group
    ) -> None:
        meeting = private_minutes(client, foreign, "The quokka census was discussed at length.")
        task = make_task(client, foreign, "Count every quokka in the borough")
        body = {
            "person_id": member_person_id(as_role),
            "partnership_id": foreign.id,
            "started_on": "2025-01-01",
        }
        ok(client.post(f"{API}/memberships", json=body), 201)
        found = keys(find(as_role("member"), "quokka"))
        assert {("minutes", meeting["id"]), ("task", task["id"])} <= found

    def test_a_task_led_by_the_members_organisation_is_found(
        self, client: TestClient, as_role: Any, foreign: Group
    ) -> None:
        me = ok(as_role("member").get(f"{API}/me"))
        task = make_task(
            client, foreign, "Quokka signage", lead_organisation_id=me["organisation_id"]
        )
        assert keys(find(as_role("member"), "quokka")) == {("task", task["id"])}

    def test_public_meetings_decisions_are_found_by_every_staff_role(
        self, client: TestClient, as_role: Any
    ) -> None:
        group = make_group(client)
        meeting = held_meeting(client, group, 6)
        body = {"text": "To fund the wombat hedgerow survey.", "method": "simple_majority"}
        decision = ok(
            client.post(f"{API}/meetings/{meeting['id']}/decisions", json={**body, "votes_for": 6}),
            201,
        )
        for role in ("admin", "officer", "member", "partner"):
            hits = find(as_role(role), "wombat", kind="decision")
            assert keys(hits) == {("decision", decision["id"])}, role
            assert hits[0]["parent_id"] == meeting["id"]

    def test_the_county_reads_papers_only(self, client: TestClient, as_role: Any) -> None:
        make_task(client, make_group(client, voting=1, non_voting=0), "Platypus survey")
        paper = ok(client.post(f"{API}/reports", json={"title": "Platypus report 2026"}), 201)
        assert keys(find(as_role("county"), "platypus")) == {("paper", paper["id"])}

    def test_anonymous_is_401(self, anon: TestClient) -> None:
        r = anon.get(SEARCH, params={"q": "plan"})
        assert r.status_code == 401
        assert r.headers["content-type"] == "application/problem+json"


class TestRankingAndSnippets:
    def test_a_title_match_ranks_above_a_body_match(
        self, client: TestClient, foreign: Group
    ) -> None:
        in_body = make_task(client, foreign, "Survey ponds", target="Find every axolotl pond")
        in_title = make_task(client, foreign, "Axolotl recovery plan")
        hits = find(client, "axolotl", kind="task")
        assert [h["id"] for h in hits] == [in_title["id"], in_body["id"]]
        assert hits[0]["rank"] > hits[1]["rank"]

    def test_snippets_mark_the_matching_words(self, client: TestClient, foreign: Group) -> None:
        make_task(
            client,
            foreign,
            "Survey ponds",
            target="Find every axolotl pond in the river valley before the spring.",
        )
        (hit,) = find(client, "axolotl", kind="task")
        marked = [p["text"] for p in hit["snippet"] if p["match"]]
        assert [m.lower() for m in marked] == ["axolotl"]
        text = "".join(p["text"] for p in hit["snippet"])
        assert "axolotl pond" in text

    def test_words_match_their_other_forms_and_the_last_word_as_a_prefix(
        self, client: TestClient, foreign: Group
    ) -> None:
        task = make_task(client, foreign, "Volunteering in quokka sanctuaries")
        assert keys(find(client, "volunteer", kind="task")) >= {("task", task["id"])}
        assert keys(find(client, "sanctuary quok", kind="task")) == {("task", task["id"])}

    def test_every_word_must_match(self, client: TestClient, foreign: Group) -> None:
        make_task(client, foreign, "Quokka census")
        assert find(client, "quokka census") != []
        assert find(client, "quokka zeppelin") == []

    def test_operators_in_the_query_are_plain_words(
        self, client: TestClient, foreign: Group
    ) -> None:
        task = make_task(client, foreign, "Quokka census")
        for q in ('quokka" OR "x', "quokka & !census | x", "quokka:* NEAR(x)", "(quokka)"):
            r = client.get(SEARCH, params={"q": q})
            assert r.status_code == 200, (q, r.text)
        assert keys(find(client, "(quokka)")) == {("task", task["id"])}


class TestKeptInStep:
    def test_every_source_table_has_its_triggers(self, db: Connection, dialect: str) -> None:
        """SQLite drops a table's triggers when a batch migration rebuilds the table: a later
        migration that does so must create them again (api.search.index.create_statements)."""
        if dialect == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_%'"
            expected = {f"search_index_{s.kind}_{op}" for s in SOURCES for op in ("ai", "au", "ad")}
            expected |= {f"search_entry_{op}" for op in ("ai", "au", "ad")}
        else:
            sql = "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'search_%'"
            expected = {f"search_index_{s.kind}" for s in SOURCES}
        assert set(db.execute(text(sql)).scalars()) == expected

    def test_an_edit_and_a_delete_reach_the_index(self, client: TestClient, foreign: Group) -> None:
        task = make_task(client, foreign, "Quokka census")
        r = client.patch(
            f"{API}/tasks/{task['id']}",
            json={"title": "Numbat census"},
            headers={"If-Match": f'"{task["version"]}"'},
        )
        ok(r)
        assert find(client, "quokka") == []
        assert keys(find(client, "numbat")) == {("task", task["id"])}
        ok(client.delete(f"{API}/tasks/{task['id']}"), 204)
        assert find(client, "numbat") == []

    def test_people_and_organisations_are_found_by_name(self, client: TestClient) -> None:
        org = ok(
            client.post(
                f"{API}/organisations", json={"name": "Zebrafish Trust", "sector": "other"}
            ),
            201,
        )
        person = ok(
            client.post(
                f"{API}/people",
                json={"name": "Ada Zebrafish", "email": "ada.zebrafish@example.org"},
            ),
            201,
        )
        assert keys(find(client, "zebrafish")) == {
            ("organisation", org["id"]),
            ("person", person["id"]),
        }
        assert find(client, "example") == [] or all(
            h["kind"] != "person" for h in find(client, "example")
        ), "contact details are not indexed"


class TestBadInput:
    @pytest.mark.parametrize(
        ("params", "loc"),
        [
            ({}, ["query", "q"]),
            ({"q": ""}, ["query", "q"]),
            ({"q": "  !!! "}, ["query", "q"]),
            ({"q": "x" * 201}, ["query", "q"]),
            ({"q": "plan", "limit": 51}, ["query", "limit"]),
            ({"q": "plan", "kind": "secret"}, ["query", "kind"]),
        ],
    )
    def test_is_a_problem_naming_the_parameter(
        self, client: TestClient, params: dict[str, Any], loc: list[str]
    ) -> None:
        r = client.get(SEARCH, params=params)
        assert r.status_code == 422
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["errors"][0]["loc"] == loc
