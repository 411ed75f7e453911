"""GET /me/tasks: the tasks one's organisation leads, grouped (issue 17 item 2)."""

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.core import clock
from tests.api.plan_fixtures import Plan, plan_fixture  # noqa: F401

API = "/api/v1"


def make_task(client: TestClient, action: int, ref: str, **fields: Any) -> int:
    r = client.post(f"{API}/tasks", json={"action_id": action, "ref": ref, "title": ref, **fields})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def report(client: TestClient, task: int, **body: Any) -> None:
    r = client.post(f"{API}/tasks/{task}/status-updates", json=body)
    assert r.status_code == 201, r.text


def groups_of(client: TestClient) -> dict[str, list[int]]:
    r = client.get(f"{API}/me/tasks")
    assert r.status_code == 200, r.text
    return {g["key"]: [t["id"] for t in g["items"]] for g in r.json()["groups"]}


def where(groups: dict[str, list[int]], task: int) -> set[str]:
    return {key for key, ids in groups.items() if task in ids}


class TestGroups:
    def test_each_task_is_in_the_groups_its_dates_and_status_put_it(
        self, client: TestClient, as_role: Any, plan: Plan
    ) -> None:
        today = clock.today()
        day = lambda n: (today + timedelta(days=n)).isoformat()  # noqa: E731
        lead = {"lead_organisation_id": plan.member_org}
        due = make_task(client, plan.action, "w1", deadline=day(10), **lead)
        report(client, due, rag="green", position="On track")
        stale = make_task(client, plan.action, "w2", deadline=day(300), **lead)
        late = make_task(client, plan.action, "w3", **lead)
        report(client, late, rag="amber", position="Slipping", deadline=day(-5))
        red = make_task(client, plan.action, "w4", deadline=day(300), **lead)
        report(client, red, rag="red", planned_improvement="Recruit")
        done = make_task(client, plan.action, "w5", **lead)
        report(client, done, rag="complete", position="Done", deadline=day(-30))
        fine = make_task(client, plan.action, "w6", deadline=day(300), **lead)
        report(client, fine, rag="green", position="Fine")

        groups = groups_of(as_role("member"))
        assert where(groups, due) == {"due_this_cycle"}
        assert where(groups, stale) == {"not_updated"}
        assert where(groups, late) == {"overdue"}
        assert where(groups, red) == {"red"}
        assert where(groups, done) == {"other"}
        assert where(groups, fine) == {"other"}

    def test_a_status_update_takes_a_task_out_of_not_updated(
        self, client: TestClient, as_role: Any, plan: Plan
    ) -> None:
        task = make_task(client, plan.action, "w7", lead_organisation_id=plan.member_org)
        member = as_role("member")
        assert "not_updated" in where(groups_of(member), task)
        report(member, task, rag="amber", position="Started")
        assert "not_updated" not in where(groups_of(member), task)

    def test_the_cycle_is_the_partnerships_reporting_cycle(
        self, client: TestClient, as_role: Any, plan: Plan
    ) -> None:
        task = make_task(
            client,
            plan.action,
            "w8",
            lead_organisation_id=plan.member_org,
            deadline=(clock.today() + timedelta(days=80)).isoformat(),
        )
        member = as_role("member")
        assert "due_this_cycle" not in where(groups_of(member), task)  # two months
        r = client.put(
            f"{API}/partnerships/{plan.partnership}/terms-of-reference",
            json={"reporting_cycle_months": 3},
        )
        assert r.status_code == 200, r.text
        assert "due_this_cycle" in where(groups_of(member), task)

    def test_items_carry_where_they_sit(self, client: TestClient, as_role: Any, plan: Plan) -> None:
        task = make_task(client, plan.action, "w9", lead_organisation_id=plan.member_org)
        body = as_role("member").get(f"{API}/me/tasks").json()
        assert body["organisation_id"] == plan.member_org
        item = next(t for g in body["groups"] for t in g["items"] if t["id"] == task)
        assert item["partnership_id"] == plan.partnership
        assert item["action_id"] == plan.action
        assert item["stale"] is True and item["overdue"] is False
        assert item["can"] == {"update": False, "update_status": True, "delete": False}
        ids = {t["id"] for g in body["groups"] for t in g["items"]}
        assert body["total"] == len(ids)


class TestScope:
    def test_another_partnerships_tasks_never_appear(
        self, client: TestClient, as_role: Any, plan: Plan
    ) -> None:
        """Even one the member's organisation leads, in a partnership they are not on."""
        foreign = make_task(client, plan.foreign_action, "w1", lead_organisation_id=plan.member_org)
        own = make_task(client, plan.action, "w1", lead_organisation_id=plan.member_org)
        for role in ("member", "partner"):
            ids = {i for ids in groups_of(as_role(role)).values() for i in ids}
            assert own in ids, role
            assert foreign not in ids, role

    def test_tasks_another_organisation_leads_never_appear(
        self, client: TestClient, as_role: Any, plan: Plan
    ) -> None:
        other = client.get(f"{API}/organisations", params={"limit": 500}).json()["items"]
        someone_else = next(o["id"] for o in other if o["id"] != plan.member_org)
        task = make_task(client, plan.action, "w1", lead_organisation_id=someone_else)
        unled = make_task(client, plan.action, "w2")
        ids = {i for ids in groups_of(as_role("member")).values() for i in ids}
        assert task not in ids and unled not in ids

    def test_every_task_listed_is_led_by_the_callers_organisation(
        self, as_role: Any, plan: Plan
    ) -> None:
        for role in ("member", "partner", "officer"):
            body = as_role(role).get(f"{API}/me/tasks").json()
            leads = {t["lead_organisation_id"] for g in body["groups"] for t in g["items"]}
            assert leads <= {body["organisation_id"]}, role

    def test_a_principal_without_an_organisation_has_an_empty_list(
        self, client: TestClient
    ) -> None:
        body = client.get(f"{API}/me/tasks").json()  # the demo admin works for no organisation
        assert body["organisation_id"] is None and body["total"] == 0

    @pytest.mark.parametrize(("role", "status"), [("county", 403)])
    def test_the_county_has_no_worklist(self, as_role: Any, role: str, status: int) -> None:
        r = as_role(role).get(f"{API}/me/tasks")
        assert r.status_code == status
        assert r.headers["content-type"] == "application/problem+json"

    def test_signed_out_is_401(self, anon: TestClient) -> None:
        assert anon.get(f"{API}/me/tasks").status_code == 401


class TestCan:
    @pytest.mark.parametrize("role", ["admin", "officer", "member", "partner"])
    def test_can_update_status_agrees_with_a_real_update(
        self, client: TestClient, as_role: Any, plan: Plan, role: str
    ) -> None:
        """For each task listed, ``can.update_status`` is true exactly when a status update
        succeeds. Each role's organisation is made to lead tasks in the own partnership and
        in every partnership it reads, so the list is never empty."""
        caller = as_role(role)
        org = caller.get(f"{API}/me").json()["organisation_id"]
        if org is None:  # the demo admin: give the account an organisation's tasks to see
            org = plan.member_org
            me = caller.get(f"{API}/me").json()
            r = client.patch(f"{API}/users/{me['id']}", json={"organisation_id": org})
            assert r.status_code == 200, r.text
        for task in client.get(f"{API}/tasks", params={"limit": 500}).json()["items"][::7]:
            client.patch(f"{API}/tasks/{task['id']}", json={"lead_organisation_id": org})
        make_task(client, plan.action, "c1", lead_organisation_id=org)
        items = [t for g in caller.get(f"{API}/me/tasks").json()["groups"] for t in g["items"]]
        assert items, f"{role} has no tasks to check"
        outcomes = set()
        for item in {t["id"]: t for t in items}.values():
            r = caller.post(f"{API}/tasks/{item['id']}/status-updates", json={"note": "Checked"})
            assert r.status_code in (201, 403, 404), r.text
            assert (r.status_code == 201) == item["can"]["update_status"], (
                role,
                item["id"],
                r.text,
            )
            outcomes.add(r.status_code)
        assert 201 in outcomes, f"{role} may update none of its tasks"
