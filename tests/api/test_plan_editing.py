"""Editing the plan: outcomes, actions and tasks (issue 17 item 1), through HTTP."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from api.core import clock
from tests.api.plan_fixtures import Plan, plan_fixture  # noqa: F401

API = "/api/v1"


def outcome_body(plan: Plan, code: str = "7.1", **extra: Any) -> dict[str, Any]:
    return {
        "strategy_id": plan.strategy,
        "code": code,
        "title": "Fewer empty homes",
        "lead_partnership_id": plan.partnership,
        **extra,
    }


def audit_actions(client: TestClient, resource: str, resource_id: int) -> list[str]:
    r = client.get(
        f"{API}/audit-events", params={"resource": resource, "resource_id": str(resource_id)}
    )
    assert r.status_code == 200, r.text
    return [e["action"] for e in r.json()["items"]]


class TestOutcomes:
    def test_an_officer_adds_edits_and_deletes_an_outcome_their_partnership_leads(
        self, client: TestClient, as_role: Any, plan: Plan
    ) -> None:
        officer = as_role("officer")
        r = officer.post(f"{API}/outcomes", json=outcome_body(plan))
        assert r.status_code == 201, r.text
        outcome = r.json()
        r = officer.patch(
            f"{API}/outcomes/{outcome['id']}",
            json={"title": "Fewer long-term empty homes"},
            headers={"If-Match": r.headers["ETag"]},
        )
        assert r.status_code == 200, r.text
        r = officer.delete(
            f"{API}/outcomes/{outcome['id']}", headers={"If-Match": r.headers["ETag"]}
        )
        assert r.status_code == 204, r.text
        assert officer.get(f"{API}/outcomes/{outcome['id']}").status_code == 404
        assert audit_actions(client, "outcome", outcome["id"]) == ["delete", "update", "create"]

    def test_an_officer_may_not_add_an_outcome_another_partnership_leads(
        self, as_role: Any, plan: Plan
    ) -> None:
        officer = as_role("officer")
        r = officer.post(
            f"{API}/outcomes", json=outcome_body(plan, lead_partnership_id=plan.foreign)
        )
        assert r.status_code == 403
        r = officer.post(f"{API}/outcomes", json=outcome_body(plan, lead_partnership_id=None))
        assert r.status_code == 403

    def test_an_officer_may_not_hand_an_outcome_to_a_partnership_they_do_not_manage(
        self, client: TestClient, as_role: Any, plan: Plan
    ) -> None:
        r = as_role("officer").patch(
            f"{API}/outcomes/{plan.outcome}", json={"lead_partnership_id": plan.foreign}
        )
        assert r.status_code == 403
        lead = client.get(f"{API}/outcomes/{plan.outcome}").json()["lead_partnership_id"]
        assert lead == plan.partnership

    def test_the_strategy_must_be_the_lead_partnerships_own_or_above_it(
        self, client: TestClient, as_role: Any, plan: Plan
    ) -> None:
        """A strategy of an unrelated partnership is not the officer's to add outcomes to."""
        r = client.post(
            f"{API}/strategies", json={"title": "Elsewhere", "partnership_id": plan.foreign}
        )
        assert r.status_code == 201, r.text
        body = outcome_body(plan, strategy_id=r.json()["id"])
        assert as_role("officer").post(f"{API}/outcomes", json=body).status_code == 403
        assert client.post(f"{API}/outcomes", json=body).status_code == 201

    def test_an_outcome_still_served_by_actions_is_not_deleted(
        self, client: TestClient, plan: Plan
    ) -> None:
        r = client.delete(f"{API}/outcomes/{plan.outcome}")
        assert r.status_code == 409
        assert r.json()["type"] == "/problems/in-use"

    def test_members_may_not_change_outcomes(self, as_role: Any, plan: Plan) -> None:
        r = as_role("member").patch(f"{API}/outcomes/{plan.outcome}", json={"title": "Mine"})
        assert r.status_code == 403


class TestActions:
    def test_an_officer_adds_an_action_under_an_outcome_of_the_strategy(
        self, as_role: Any, plan: Plan
    ) -> None:
        officer = as_role("officer")
        outcome = officer.post(f"{API}/outcomes", json=outcome_body(plan)).json()
        r = officer.post(
            f"{API}/actions",
            json={
                "action_plan_id": plan.plan,
                "outcome_id": outcome["id"],
                "ref": "7.1.1",
                "title": "Bring empty homes back into use",
            },
        )
        assert r.status_code == 201, r.text

    def test_an_outcome_of_an_unrelated_strategy_is_422_naming_it(
        self, client: TestClient, plan: Plan
    ) -> None:
        strategy = client.post(
            f"{API}/strategies", json={"title": "Elsewhere", "partnership_id": plan.foreign}
        ).json()
        body = outcome_body(plan, strategy_id=strategy["id"], lead_partnership_id=plan.foreign)
        outcome = client.post(f"{API}/outcomes", json=body).json()
        body = {"action_plan_id": plan.plan, "outcome_id": outcome["id"], "ref": "x", "title": "X"}
        r = client.post(f"{API}/actions", json=body)
        assert r.status_code == 422
        assert r.json()["type"] == "/problems/outcome-outside-strategy"
        assert r.json()["errors"][0]["loc"] == ["body", "outcome_id"]
        r = client.patch(f"{API}/actions/{plan.action}", json={"outcome_id": outcome["id"]})
        assert r.status_code == 422
        assert client.get(f"{API}/actions/{plan.action}").json()["outcome_id"] == plan.outcome

    def test_an_outcome_the_partnership_leads_is_its_own_whatever_the_strategy(
        self, client: TestClient, plan: Plan
    ) -> None:
        strategy = client.post(
            f"{API}/strategies", json={"title": "Elsewhere", "partnership_id": plan.foreign}
        ).json()
        body = outcome_body(plan, strategy_id=strategy["id"])  # led by the plan's partnership
        outcome = client.post(f"{API}/outcomes", json=body).json()
        action = {
            "action_plan_id": plan.plan,
            "outcome_id": outcome["id"],
            "ref": "x",
            "title": "X",
        }
        assert client.post(f"{API}/actions", json=action).status_code == 201


class TestTasks:
    def test_an_officer_adds_a_task_with_a_lead_target_and_deadline(
        self, as_role: Any, plan: Plan
    ) -> None:
        deadline = (clock.today() + timedelta(days=60)).isoformat()
        body = {
            "action_id": plan.action,
            "ref": "q",
            "title": "Survey empty homes",
            "target": "All wards surveyed",
            "lead_organisation_id": plan.member_org,
            "deadline": deadline,
        }
        r = as_role("officer").post(f"{API}/tasks", json=body)
        assert r.status_code == 201, r.text
        assert {k: r.json()[k] for k in body} == body

    def test_an_edit_with_a_stale_if_match_is_412_and_changes_nothing(
        self, as_role: Any, plan: Plan
    ) -> None:
        officer = as_role("officer")
        r = officer.post(f"{API}/tasks", json={"action_id": plan.action, "ref": "q", "title": "A"})
        task, first = r.json(), r.headers["ETag"]
        r = officer.patch(
            f"{API}/tasks/{task['id']}", json={"title": "B"}, headers={"If-Match": first}
        )
        assert r.status_code == 200
        r = officer.patch(
            f"{API}/tasks/{task['id']}", json={"title": "C"}, headers={"If-Match": first}
        )
        assert r.status_code == 412
        assert r.json()["type"] == "/problems/precondition-failed"
        assert officer.get(f"{API}/tasks/{task['id']}").json()["title"] == "B"
        r = officer.delete(f"{API}/tasks/{task['id']}", headers={"If-Match": first})
        assert r.status_code == 412

    def test_a_task_moves_to_another_action_of_the_plan(
        self, client: TestClient, as_role: Any, plan: Plan
    ) -> None:
        officer = as_role("officer")
        task = officer.post(
            f"{API}/tasks", json={"action_id": plan.action, "ref": "q", "title": "Move me"}
        ).json()
        r = officer.patch(
            f"{API}/tasks/{task['id']}",
            json={"action_id": plan.other_action},
            headers={"If-Match": f'"{task["version"]}"'},
        )
        assert r.status_code == 200, r.text
        assert r.json()["action_id"] == plan.other_action
        r = officer.patch(f"{API}/tasks/{task['id']}", json={"action_id": plan.foreign_action})
        assert r.status_code == 403
        assert client.get(f"{API}/tasks/{task['id']}").json()["action_id"] == plan.other_action

    def test_a_move_onto_a_ref_the_action_has_is_409(self, as_role: Any, plan: Plan) -> None:
        officer = as_role("officer")
        for action in (plan.action, plan.other_action):
            officer.post(f"{API}/tasks", json={"action_id": action, "ref": "q", "title": "Q"})
        mine = officer.get(f"{API}/tasks", params={"action_id": plan.action, "q": "Q"}).json()
        task = next(t for t in mine["items"] if t["ref"] == "q")
        r = officer.patch(f"{API}/tasks/{task['id']}", json={"action_id": plan.other_action})
        assert r.status_code == 409

    def test_deleting_a_task_leaves_the_audit_trail(
        self, client: TestClient, as_role: Any, plan: Plan
    ) -> None:
        officer = as_role("officer")
        r = officer.post(
            f"{API}/tasks", json={"action_id": plan.action, "ref": "q", "title": "Gone"}
        )
        task = r.json()
        r = officer.delete(f"{API}/tasks/{task['id']}", headers={"If-Match": r.headers["ETag"]})
        assert r.status_code == 204
        assert audit_actions(client, "task", task["id"]) == ["delete", "create"]

    def test_a_member_changes_no_more_than_the_status_of_a_task_they_lead(
        self, client: TestClient, as_role: Any, plan: Plan
    ) -> None:
        task = client.post(
            f"{API}/tasks",
            json={
                "action_id": plan.action,
                "ref": "q",
                "title": "Theirs",
                "lead_organisation_id": plan.member_org,
            },
        ).json()
        member = as_role("member")
        assert member.patch(f"{API}/tasks/{task['id']}", json={"title": "X"}).status_code == 403
        assert member.delete(f"{API}/tasks/{task['id']}").status_code == 403
        r = member.patch(f"{API}/tasks/{task['id']}", json={"position": "Started"})
        assert r.status_code == 200


class TestTaskFilters:
    def test_overdue_splits_the_tasks_in_two(self, client: TestClient, plan: Plan) -> None:
        today = clock.today().isoformat()
        yesterday = (clock.today() - timedelta(days=1)).isoformat()
        for ref, rag in (("o1", None), ("o2", "complete")):
            body = {"action_id": plan.action, "ref": ref, "title": ref, "deadline": yesterday}
            assert client.post(f"{API}/tasks", json={**body, "rag": rag}).status_code == 201
        params = {"partnership_id": plan.partnership, "limit": 500}
        everything = client.get(f"{API}/tasks", params=params).json()
        late = client.get(f"{API}/tasks", params={**params, "overdue": True}).json()
        rest = client.get(f"{API}/tasks", params={**params, "overdue": False}).json()
        assert late["total"] + rest["total"] == everything["total"]
        assert "o1" in {t["ref"] for t in late["items"]}
        assert "o2" in {t["ref"] for t in rest["items"]}
        for task in late["items"]:
            assert task["deadline"] < today and task["rag"] != "complete"
        for task in rest["items"]:
            assert (
                task["deadline"] is None or task["deadline"] >= today or task["rag"] == "complete"
            )

    def test_filters_combine(self, client: TestClient, plan: Plan) -> None:
        params = {
            "partnership_id": plan.partnership,
            "rag": "red",
            "lead_organisation_id": plan.member_org,
            "stale": False,
            "deadline_after": clock.today().isoformat(),
            "limit": 500,
        }
        r = client.get(f"{API}/tasks", params=params)
        assert r.status_code == 200
        for task in r.json()["items"]:
            assert task["rag"] == "red" and task["lead_organisation_id"] == plan.member_org


def person(client: TestClient, name: str, organisation_id: int | None, **extra: Any) -> int:
    body = {"name": name, "organisation_id": organisation_id, **extra}
    r = client.post(f"{API}/people", json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def task_body(plan: Plan, **extra: Any) -> dict[str, Any]:
    return {"action_id": plan.action, "ref": "w", "title": "Owned task", **extra}


def named_fields(problem: dict[str, Any]) -> set[str]:
    return {str(e["loc"][-1]) for e in problem["errors"]}


class TestTaskOwner:
    def test_an_officer_names_the_owner_and_every_read_shows_their_name_only(
        self, client: TestClient, as_role: Any, plan: Plan
    ) -> None:
        owner = person(
            client,
            "Imogen Treadwell",
            plan.member_org,
            email="imogen.treadwell@example.org",
            phone="01632 960123",
        )
        officer = as_role("officer")
        body = task_body(plan, lead_organisation_id=plan.member_org, owner_person_id=owner)
        r = officer.post(f"{API}/tasks", json=body)
        assert r.status_code == 201, r.text
        task = r.json()
        assert task["owner_person_id"] == owner
        assert task["owner_name"] == "Imogen Treadwell"
        reads = [
            officer.get(f"{API}/tasks/{task['id']}"),
            officer.get(f"{API}/tasks", params={"action_id": plan.action, "limit": 500}),
            as_role("member").get(f"{API}/me/tasks"),
        ]
        for read in reads:
            assert read.status_code == 200, read.text
            assert "Imogen Treadwell" in read.text
            assert "imogen.treadwell@example.org" not in read.text
            assert "960123" not in read.text
        listed = next(t for t in reads[1].json()["items"] if t["id"] == task["id"])
        assert listed["owner_name"] == "Imogen Treadwell"
        worklist = [t for g in reads[2].json()["groups"] for t in g["items"]]
        assert {t["owner_name"] for t in worklist if t["id"] == task["id"]} == {"Imogen Treadwell"}

    def test_the_owner_changes_and_null_clears_it(
        self, client: TestClient, as_role: Any, plan: Plan
    ) -> None:
        officer = as_role("officer")
        task = officer.post(f"{API}/tasks", json=task_body(plan)).json()
        assert task["owner_person_id"] is None and task["owner_name"] is None
        r = officer.patch(f"{API}/tasks/{task['id']}", json={"owner_person_id": plan.member_person})
        assert r.status_code == 200, r.text
        assert r.json()["owner_person_id"] == plan.member_person
        assert r.json()["owner_name"]
        r = officer.patch(f"{API}/tasks/{task['id']}", json={"title": "Renamed"})
        assert r.json()["owner_person_id"] == plan.member_person  # absent keeps
        r = officer.patch(f"{API}/tasks/{task['id']}", json={"owner_person_id": None})
        assert r.status_code == 200, r.text
        assert r.json()["owner_person_id"] is None and r.json()["owner_name"] is None
        assert client.get(f"{API}/tasks/{task['id']}").json()["owner_name"] is None
        assert audit_actions(client, "task", task["id"]) == ["update", "update", "update", "create"]

    def test_an_unknown_person_is_422_naming_the_field(self, as_role: Any, plan: Plan) -> None:
        officer = as_role("officer")
        r = officer.post(f"{API}/tasks", json=task_body(plan, owner_person_id=2_000_000))
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["type"] == "/problems/missing-reference"
        assert named_fields(r.json()) == {"owner_person_id"}
        task = officer.post(f"{API}/tasks", json=task_body(plan)).json()
        r = officer.patch(f"{API}/tasks/{task['id']}", json={"owner_person_id": 2_000_000})
        assert r.status_code == 422
        assert named_fields(r.json()) == {"owner_person_id"}

    def test_an_owner_outside_the_lead_organisation_is_422_naming_the_owner(
        self, client: TestClient, as_role: Any, plan: Plan
    ) -> None:
        other_org = client.post(
            f"{API}/organisations",
            json={"name": "Elsewhere Trust", "sector": "voluntary_community"},
        ).json()["id"]
        stranger = person(client, "Rufus Penhallow", other_org)
        officer = as_role("officer")
        body = task_body(plan, lead_organisation_id=plan.member_org, owner_person_id=stranger)
        r = officer.post(f"{API}/tasks", json=body)
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["type"] == "/problems/owner-outside-lead"
        assert named_fields(r.json()) == {"owner_person_id"}
        # Without a lead organisation anyone may own it; a lead the owner is not of is refused,
        # and owner and lead change together.
        task = officer.post(f"{API}/tasks", json=task_body(plan, owner_person_id=stranger)).json()
        assert task["owner_name"] == "Rufus Penhallow"
        url = f"{API}/tasks/{task['id']}"
        r = officer.patch(url, json={"lead_organisation_id": plan.member_org})
        assert r.status_code == 422
        assert named_fields(r.json()) == {"owner_person_id"}
        assert client.get(url).json()["lead_organisation_id"] is None
        r = officer.patch(
            url, json={"lead_organisation_id": plan.member_org, "owner_person_id": None}
        )
        assert r.status_code == 200, r.text
        r = officer.patch(url, json={"owner_person_id": stranger})
        assert r.status_code == 422
        r = officer.patch(
            url, json={"lead_organisation_id": other_org, "owner_person_id": stranger}
        )
        assert r.status_code == 200, r.text

    def test_a_representative_of_the_lead_organisation_may_own_its_tasks(
        self, client: TestClient, as_role: Any, plan: Plan
    ) -> None:
        """Someone employed elsewhere who sits on a partnership on the lead's behalf."""
        other_org = client.post(
            f"{API}/organisations", json={"name": "Shared Services Ltd", "sector": "private"}
        ).json()["id"]
        rep = person(client, "Delphine Oakridge", other_org)
        body = task_body(plan, lead_organisation_id=plan.member_org, owner_person_id=rep)
        assert as_role("officer").post(f"{API}/tasks", json=body).status_code == 422
        r = client.post(
            f"{API}/memberships",
            json={
                "person_id": rep,
                "partnership_id": plan.partnership,
                "on_behalf_of_id": plan.member_org,
                "started_on": (clock.today() - timedelta(days=30)).isoformat(),
            },
        )
        assert r.status_code == 201, r.text
        r = as_role("officer").post(f"{API}/tasks", json=body)
        assert r.status_code == 201, r.text
        assert r.json()["owner_name"] == "Delphine Oakridge"

    def test_members_may_not_change_the_owner(
        self, client: TestClient, as_role: Any, plan: Plan
    ) -> None:
        task = client.post(
            f"{API}/tasks", json=task_body(plan, lead_organisation_id=plan.member_org)
        ).json()
        r = as_role("member").patch(
            f"{API}/tasks/{task['id']}", json={"owner_person_id": plan.member_person}
        )
        assert r.status_code == 403
        assert client.get(f"{API}/tasks/{task['id']}").json()["owner_person_id"] is None

    def test_the_list_filters_by_owner(self, client: TestClient, plan: Plan) -> None:
        for ref, owner in (("w1", plan.member_person), ("w2", None)):
            body = task_body(
                plan, ref=ref, lead_organisation_id=plan.member_org, owner_person_id=owner
            )
            assert client.post(f"{API}/tasks", json=body).status_code == 201
        r = client.get(f"{API}/tasks", params={"owner_person_id": plan.member_person, "limit": 500})
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        assert "w1" in {t["ref"] for t in items} and "w2" not in {t["ref"] for t in items}
        assert {t["owner_person_id"] for t in items} == {plan.member_person}
        r = client.get(f"{API}/tasks", params={"owner_person_id": "x"})
        assert r.status_code == 422
        assert named_fields(r.json()) == {"owner_person_id"}
