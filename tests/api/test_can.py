"""Every record a resource returns says what the caller may do with it (``can``), and the
answer agrees with what happens when the caller tries: for every role, on the demo data,
on both databases.
"""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.crud.service import Resource
from api.directory.organisations import organisations
from api.directory.people import people
from api.indicators.service import indicators, laa_targets, measurements
from api.meetings.service import agenda_items, meetings
from api.partnerships.service import memberships, partnerships
from api.plans.service import (
    action_plans,
    actions,
    outcomes,
    principles,
    priorities,
    strategies,
    tasks,
)
from api.reports.service import reports
from api.webhooks.service import webhooks

RESOURCES = [
    organisations, people, partnerships, memberships, strategies, principles, priorities,
    outcomes, action_plans, actions, tasks, indicators, laa_targets, measurements, meetings,
    agenda_items, reports, webhooks,
]  # fmt: skip
ROLES = ("admin", "officer", "member", "partner", "county")
PER_RESOURCE = 8  # records tried per resource and role: enough to meet both answers

Client = Callable[[str], TestClient]


def sample(client: TestClient, res: Resource[Any]) -> list[dict[str, Any]] | None:
    """Up to PER_RESOURCE visible records, spread over the list; None if the role may not list."""
    response = client.get(f"/api/v1/{res.path}", params={"limit": 500})
    if response.status_code in (403, 404):
        return None
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    step = max(1, len(items) // PER_RESOURCE)
    return items[::step][:PER_RESOURCE]


def refused(status: int) -> bool:
    return status in (403, 404)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("res", RESOURCES, ids=lambda res: res.path)
def test_can_agrees_with_the_outcome(as_role: Client, res: Resource[Any], role: str) -> None:
    client = as_role(role)
    items = sample(client, res)
    if items is None:
        return
    for item in items:
        url = f"/api/v1/{res.path}/{item['id']}"
        can = item["can"]
        one = client.get(url)
        assert one.status_code == 200, one.text
        assert one.json()["can"] == can, "a record says the same in a list and alone"

        # A task's ``update`` is the task itself (its lead may PATCH only the status fields).
        patched = client.patch(url, json={"title": item["title"]} if res is tasks else {})
        assert patched.status_code == 200 if can["update"] else refused(patched.status_code), (
            f"{role} {res.path}/{item['id']}: can.update={can['update']} but PATCH gave "
            f"{patched.status_code} {patched.text}"
        )
        if patched.status_code == 200:
            assert patched.json()["can"] == can

        if res is tasks:
            update = client.post(f"{url}/status-updates", json={"note": "can: checked"})
            expected = can["update_status"]
            assert (update.status_code == 201) if expected else refused(update.status_code), (
                f"{role} task {item['id']}: can.update_status={expected} but the status update "
                f"gave {update.status_code} {update.text}"
            )

        deleted = client.delete(url)
        # 409: allowed, but the record is still referenced (the policy has said yes).
        assert (
            deleted.status_code in (204, 409) if can["delete"] else refused(deleted.status_code)
        ), (
            f"{role} {res.path}/{item['id']}: can.delete={can['delete']} but DELETE gave "
            f"{deleted.status_code} {deleted.text}"
        )


@pytest.mark.parametrize("res", RESOURCES, ids=lambda res: res.path)
def test_admins_may_do_everything_and_the_county_nothing(
    as_role: Client, res: Resource[Any]
) -> None:
    admin = sample(as_role("admin"), res)
    assert admin, f"the demo data has {res.path}"
    # A meeting's steps (adjourn, decide, ...) depend on its state too: only its permissions
    # are everything for an administrator (tests/api/test_meeting_can.py checks the steps).
    permissions = ("update", "delete") if res is meetings else None
    assert all(
        all(v for k, v in item["can"].items() if permissions is None or k in permissions)
        for item in admin
    )
    county = sample(as_role("county"), res)
    assert county is None or not any(any(item["can"].values()) for item in county)


def test_a_member_may_update_the_status_only_of_tasks_their_organisation_leads(
    as_role: Client,
) -> None:
    member = as_role("member")
    me = member.get("/api/v1/me").json()
    items = member.get("/api/v1/tasks", params={"limit": 500}).json()["items"]
    led = [task for task in items if task["lead_organisation_id"] == me["organisation_id"]]
    others = [task for task in items if task["lead_organisation_id"] != me["organisation_id"]]
    assert led and others, "the demo member sees tasks led by their organisation and others"
    assert all(task["can"]["update_status"] and not task["can"]["update"] for task in led)
    assert not any(task["can"]["update_status"] for task in others)


@pytest.mark.parametrize("role", ("admin", "officer", "member", "partner"))
def test_a_task_page_shares_can_only_between_tasks_with_the_same_answer(
    as_role: Client, role: str
) -> None:
    """A list page asks the policy once per ``can_key`` (api/plans/policy.py): every task on
    the page says what it says alone, where tasks on one page get different answers too."""
    client = as_role(role)
    items = client.get("/api/v1/tasks", params={"limit": 500}).json()["items"]
    assert items, f"the demo {role} sees tasks"
    for item in items:
        alone = client.get(f"/api/v1/tasks/{item['id']}").json()["can"]
        assert item["can"] == alone, f"{role} task {item['id']}"
    answers = {tuple(item["can"].items()) for item in items}
    if role in ("officer", "member"):  # tasks of a partnership they keep or not, led or not
        assert len(answers) > 1, f"the demo {role}'s page holds tasks with different answers"
