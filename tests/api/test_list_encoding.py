"""List pages encoded straight from database rows must be exactly what the schema would send.

``serialises_as_stored`` lets a resource's list skip validating each row into its Read schema;
these tests hold it to that promise with the demo data, byte for byte, on both databases.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.core.pagination import Page
from api.crud.router import record_columns, serialises_as_stored
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

AS_STORED = [
    organisations, memberships, agenda_items, strategies, principles, priorities,
    outcomes, action_plans, actions, tasks, indicators,
]  # fmt: skip
VALIDATED = [partnerships, laa_targets, measurements, webhooks, meetings, reports, people]


def test_every_resource_is_classified() -> None:
    for res in AS_STORED:
        assert record_columns(res) is not None and serialises_as_stored(res), res.path
    for res in VALIDATED:
        assert record_columns(res) is None or not serialises_as_stored(res), res.path


@pytest.mark.parametrize("res", AS_STORED, ids=lambda res: res.path)
def test_a_page_from_rows_is_byte_for_byte_the_schemas(
    client: TestClient, res: Resource[Any]
) -> None:
    response = client.get(f"/api/v1/{res.path}", params={"limit": 500})
    assert response.status_code == 200, response.text
    page = Page[res.read_schema].model_validate_json(response.content)
    assert page.items, f"the demo data has {res.path}"
    assert page.model_dump_json().encode() == response.content
