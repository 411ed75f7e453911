"""``can`` on a meeting tells the truth: for every role and every meeting operation, in each
state a meeting passes through, the action is offered exactly when doing it succeeds."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text

from api.core import clock
from tests.api.governance_fixtures import API, at, ok

ROLES = ("admin", "officer", "member", "partner")


@dataclass
class Own:
    partnership: int
    voting: list[int]  # open voting memberships, not the demo member's or officer's
    member_membership: int


@pytest.fixture
def own(db: Connection) -> Own:
    """The partnership the demo officer manages and the demo member belongs to."""
    q = db.execute
    member, officer = (
        q(text('SELECT person_id FROM "user" WHERE email = :e'), {"e": e}).scalar_one()
        for e in ("member@example.org", "officer@example.org")
    )
    partnership = q(
        text(
            "SELECT o.partnership_id FROM membership o JOIN membership m "
            "ON m.partnership_id = o.partnership_id "
            "WHERE o.person_id = :officer AND o.role IN ('officer', 'chair', 'vice_chair') "
            "AND o.ended_on IS NULL AND m.person_id = :member AND m.ended_on IS NULL "
            "ORDER BY o.partnership_id LIMIT 1"
        ),
        {"officer": officer, "member": member},
    ).scalar_one()
    voting = (
        q(
            text(
                "SELECT id FROM membership WHERE partnership_id = :p AND voting "
                "AND ended_on IS NULL AND started_on <= :day "
                "AND person_id NOT IN (:member, :officer) ORDER BY id"
            ),
            {
                "p": partnership,
                "member": member,
                "officer": officer,
                "day": clock.today() - timedelta(days=30),
            },
        )
        .scalars()
        .all()
    )
    assert len(voting) >= 5, "the demo partnership needs five other voting members"
    mine = q(
        text(
            "SELECT id FROM membership WHERE partnership_id = :p AND person_id = :m "
            "AND ended_on IS NULL"
        ),
        {"p": partnership, "m": member},
    ).scalar_one()
    return Own(partnership, list(voting), mine)


def _meeting(admin: TestClient, own: Own, days_from_now: int, present: int = 0) -> dict[str, Any]:
    day = clock.today() + timedelta(days=days_from_now)
    meeting = ok(
        admin.post(
            f"{API}/meetings",
            json={
                "partnership_id": own.partnership,
                "title": "Checked meeting",
                "starts_at": at(day, 9),
                "public": False,
            },
        ),
        201,
    )
    ok(admin.post(f"{API}/agenda-items", json={"meeting_id": meeting["id"], "title": "Item"}), 201)
    for membership in own.voting[:present]:
        url = f"{API}/meetings/{meeting['id']}/attendance/{membership}"
        ok(admin.put(url, json={"status": "present"}), 201)
    return meeting


def upcoming(admin: TestClient, own: Own) -> dict[str, Any]:
    return _meeting(admin, own, 7)


def inquorate(admin: TestClient, own: Own) -> dict[str, Any]:
    return _meeting(admin, own, -20, present=2)


def quorate(admin: TestClient, own: Own) -> dict[str, Any]:
    return _meeting(admin, own, -20, present=5)


def held_with_minutes(admin: TestClient, own: Own) -> dict[str, Any]:
    meeting = quorate(admin, own)
    url = f"{API}/meetings/{meeting['id']}"
    return ok(admin.patch(url, json={"status": "held", "minutes": "Business was done."}))


def cancelled(admin: TestClient, own: Own) -> dict[str, Any]:
    meeting = upcoming(admin, own)
    body = {"status": "cancelled", "cancellation_reason": "The chair is unwell"}
    return ok(admin.patch(f"{API}/meetings/{meeting['id']}", json=body))


STATES: dict[str, Callable[[TestClient, Own], dict[str, Any]]] = {
    "upcoming": upcoming,
    "inquorate": inquorate,
    "quorate": quorate,
    "held_with_minutes": held_with_minutes,
    "cancelled": cancelled,
}


def _attempt(
    action: str,
    client: TestClient,
    meeting: dict[str, Any],
    can: dict[str, Any],
    ctx: dict[str, Any],
) -> Any:
    """Do ``action`` as the client; returns the response."""
    m = f"{API}/meetings/{meeting['id']}"
    match action:
        case "update":
            return client.patch(m, json={"location": "Committee Room 2"})
        case "cancel":
            return client.patch(m, json={"status": "cancelled", "cancellation_reason": "Snow"})
        case "reinstate":
            return client.patch(m, json={"status": "scheduled"})
        case "mark_held":
            return client.patch(m, json={"status": "held"})
        case "adjourn":
            body = {"starts_at": at(clock.today() + timedelta(days=30)), "reason": "No quorum"}
            return client.post(f"{m}/adjournment", json=body)
        case "record_attendance":
            return client.put(f"{m}/attendance/{ctx['other']}", json={"status": "absent"})
        case "send_apologies":
            membership = ctx["own"][ctx["role"]]
            return client.put(f"{m}/attendance/{membership}", json={"status": "apologies"})
        case "decide":
            return client.post(f"{m}/decisions", json={"text": "To note the update."})
        case "write_minutes":
            return client.put(f"{m}/minutes/{ctx['item']}", json={"text": "Noted."})
        case "approve_minutes":
            body = {"approved_by_meeting_id": ctx["later"]}
            return client.post(f"{m}/minutes-approval", json=body)
    raise AssertionError(action)


STATUS_MOVES = {"cancel", "reinstate", "mark_held"}
ACTIONS = (
    "update",
    "cancel",
    "reinstate",
    "mark_held",
    "adjourn",
    "record_attendance",
    "send_apologies",
    "decide",
    "write_minutes",
    "approve_minutes",
)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_can_agrees_with_the_outcome(
    role: str, state: str, own: Own, as_role: Any, db: Connection
) -> None:
    admin = as_role("admin")
    meeting = STATES[state](admin, own)
    later = quorate(admin, own)
    ok(
        admin.patch(
            f"{API}/meetings/{later['id']}",
            json={"starts_at": at(clock.today() - timedelta(days=1), 9)},
        )
    )
    item = ok(admin.get(f"{API}/meetings/{meeting['id']}/agenda-items"))["items"][0]["id"]
    ctx = {
        "other": own.voting[-1],
        "member_membership": own.member_membership,
        "item": item,
        "later": later["id"],
    }
    client = as_role(role)
    me = client.get(f"{API}/me").json()
    ctx["role"] = role
    ctx["own"] = {
        role: next(
            (m["id"] for m in me.get("memberships", []) if m["partnership_id"] == own.partnership),
            None,
        )
    }
    r = client.get(f"{API}/meetings/{meeting['id']}")
    if r.status_code == 404:
        # a private meeting the role may not see: nothing offered, nothing possible
        for action in ACTIONS:
            if action == "send_apologies" and ctx["own"][role] is None:
                continue
            r = _attempt(action, client, {"id": meeting["id"]}, {}, ctx)
            assert r.status_code in (403, 404), f"{action}: {r.status_code}"
        return
    can = ok(r)["can"]
    assert set(can) == {*ACTIONS, "delete"}
    listed = ok(client.get(f"{API}/meetings", params={"partnership_id": own.partnership,
                                                      "limit": 500}))["items"]  # fmt: skip
    assert next(m for m in listed if m["id"] == meeting["id"])["can"] == can
    disagreements = []
    for action in ACTIONS:
        if action == "send_apologies" and ctx["own"].get(role) is None:
            assert can[action] is False  # not a member: no apologies to send
            continue
        savepoint = db.begin_nested()
        try:
            outcome = _attempt(action, client, meeting, can, ctx)
        finally:
            savepoint.rollback()
        done = outcome.is_success
        if done and action in STATUS_MOVES:  # a PATCH to the status it has already is no move
            done = outcome.json()["status"] != meeting["status"]
        if can[action] != done:
            disagreements.append(
                f"{action}: can={can[action]}, got {outcome.status_code} {outcome.text[:160]}"
            )
    assert not disagreements, f"{role} at a {state} meeting: " + "; ".join(disagreements)
