"""Builders for governance tests: a fresh partnership with members, meetings and attendance,
made through the HTTP API so every rule under test runs as in production."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from typing import Any

from fastapi.testclient import TestClient

from api.core import clock
from api.core.clock import LONDON

API = "/api/v1"
_serial = count(1)


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json() if response.content else {}


@dataclass
class Group:
    id: int
    organisation_id: int
    members: list[dict[str, Any]] = field(default_factory=list)  # memberships, voting first
    outsider_id: int = 0  # a person who is not a member (for substitutes)

    def voting(self) -> list[dict[str, Any]]:
        return [m for m in self.members if m["voting"]]

    def non_voting(self) -> list[dict[str, Any]]:
        return [m for m in self.members if not m["voting"]]


def make_person(client: TestClient, organisation_id: int | None = None) -> dict[str, Any]:
    n = next(_serial)
    body = {"name": f"Test Person {n}", "email": f"test.person.{n}@example.org"}
    if organisation_id is not None:
        body["organisation_id"] = organisation_id
    return ok(client.post(f"{API}/people", json=body), 201)


def make_group(
    client: TestClient,
    *,
    voting: int = 6,
    non_voting: int = 1,
    kind: str = "thematic",
    sector: str = "voluntary_community",
    started_on: date | None = None,
    **terms: Any,
) -> Group:
    """A partnership whose members represent one organisation of ``sector``."""
    n = next(_serial)
    org = ok(
        client.post(f"{API}/organisations", json={"name": f"Test Org {n}", "sector": sector}), 201
    )
    partnership = ok(
        client.post(
            f"{API}/partnerships",
            json={"name": f"Test Partnership {n}", "kind": kind, **terms},
        ),
        201,
    )
    group = Group(id=partnership["id"], organisation_id=org["id"])
    started_on = started_on or clock.today() - timedelta(days=500)
    for i in range(voting + non_voting):
        person = make_person(client, org["id"])
        group.members.append(
            ok(
                client.post(
                    f"{API}/memberships",
                    json={
                        "person_id": person["id"],
                        "partnership_id": group.id,
                        "on_behalf_of_id": org["id"],
                        "role": "member" if i < voting else "officer",
                        "voting": i < voting,
                        "started_on": started_on.isoformat(),
                    },
                ),
                201,
            )
        )
    group.outsider_id = make_person(client, org["id"])["id"]
    return group


def at(day: date, hour: int = 14) -> str:
    return datetime.combine(day, time(hour), tzinfo=LONDON).astimezone(UTC).isoformat()


def make_meeting(
    client: TestClient,
    group: Group,
    *,
    days_ago: int = 10,
    status: str = "scheduled",
    public: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    day = clock.today() - timedelta(days=days_ago)
    body = {
        "partnership_id": group.id,
        "title": f"Meeting {next(_serial)}",
        "starts_at": at(day),
        "ends_at": at(day, 16),
        "status": status,
        "public": public,
        **extra,
    }
    return ok(client.post(f"{API}/meetings", json=body), 201)


def attend(
    client: TestClient,
    meeting_id: int,
    membership_id: int,
    status: str = "present",
    substitute_person_id: int | None = None,
) -> Any:
    body: dict[str, Any] = {"status": status}
    if substitute_person_id is not None:
        body["substitute_person_id"] = substitute_person_id
    return client.put(f"{API}/meetings/{meeting_id}/attendance/{membership_id}", json=body)


def seat(client: TestClient, meeting_id: int, members: list[dict[str, Any]]) -> None:
    for member in members:
        ok(attend(client, meeting_id, member["id"]), 201)


def held_meeting(
    client: TestClient, group: Group, present: int, *, days_ago: int = 10
) -> dict[str, Any]:
    """A held meeting with ``present`` voting members present (and the officer)."""
    meeting = make_meeting(client, group, days_ago=days_ago)
    seat(client, meeting["id"], group.voting()[:present] + group.non_voting())
    return ok(client.patch(f"{API}/meetings/{meeting['id']}", json={"status": "held"}))
