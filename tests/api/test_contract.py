"""The OpenAPI document tells the truth: what it allows is accepted, what it forbids is a 422.

Each class is a contract failure schemathesis found (tests/hardening/test_schemathesis.py runs
it for every role); these pin the fixes through HTTP and the published schema.
"""

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.indicators.schemas import PERIOD_PATTERN

API = "/api/v1"


def parameters(app: FastAPI, name: str, location: str) -> list[tuple[str, dict[str, Any]]]:
    """Every ``(operation id, schema)`` of the parameter ``name`` in ``location``."""
    found = []
    for item in app.openapi()["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == name and parameter["in"] == location:
                    found.append((operation["operationId"], parameter["schema"]))
    return found


def problem_loc(r: Any) -> list[str]:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    return list(r.json()["errors"][0]["loc"])


class TestMethodNotAllowed:
    @pytest.mark.parametrize(
        ("method", "path", "allow"),
        [
            ("OPTIONS", "/tasks/1", "DELETE, GET, PATCH"),  # three routes, one resource
            ("PUT", "/tasks", "GET, POST"),
            ("DELETE", "/meetings/1/attendance", "GET"),
            ("PATCH", "/tasks/1/status-updates", "GET, POST"),
            ("OPTIONS", "/imports/kinds", "GET"),  # concrete, not an /imports/{kind}
            ("DELETE", "/imports/tasks", "POST"),
        ],
    )
    def test_405_names_every_method_of_the_resource(
        self, client: TestClient, method: str, path: str, allow: str
    ) -> None:
        r = client.request(method, API + path)
        assert r.status_code == 405, r.text
        assert r.headers["allow"] == allow
        assert r.headers["content-type"] == "application/problem+json"


class TestIfMatch:
    def test_every_if_match_declares_the_etag_pattern(self, app: FastAPI) -> None:
        found = parameters(app, "if-match", "header")
        assert len(found) >= 20
        for operation_id, schema in found:
            assert schema["type"] == "string", operation_id  # absent, never null
            assert schema["pattern"] == r'^(\*|(W/)?"[0-9]{1,10}"|[0-9]{1,10})$', operation_id

    @pytest.mark.parametrize("form", ['"{v}"', 'W/"{v}"', "{v}", "*"])
    def test_every_form_the_pattern_allows_is_honoured(self, client: TestClient, form: str) -> None:
        task = client.get(f"{API}/tasks", params={"limit": 1}).json()["items"][0]
        path, etag = f"{API}/tasks/{task['id']}", {"If-Match": form.format(v=task["version"])}
        assert client.patch(path, json={"title": "Renamed"}, headers=etag).status_code == 200
        again = client.patch(path, json={"title": "Again"}, headers=etag)  # now out of date
        assert again.status_code == (200 if form == "*" else 412), again.text

    @pytest.mark.parametrize("value", ["null", '"3', "W/3", "3.0", '"²"', '"1", "2"'])
    def test_anything_else_is_a_422_naming_the_header(self, client: TestClient, value: str) -> None:
        header = {"If-Match": value.encode("latin-1")}  # as the bytes arrive, "²" included
        r = client.patch(f"{API}/tasks/1", json={"title": "Renamed"}, headers=header)
        assert problem_loc(r) == ["header", "if-match"]


class TestSort:
    def test_the_pattern_lists_the_sortable_fields(self, app: FastAPI) -> None:
        schemas = dict(parameters(app, "sort", "query"))
        tasks = schemas["list_tasks"]["anyOf"][0]
        assert "deadline" in tasks["pattern"] and "-?(" in tasks["pattern"]
        assert len(schemas) >= 15 and all("pattern" in s["anyOf"][0] for s in schemas.values())

    def test_sortable_fields_in_any_direction(self, client: TestClient) -> None:
        r = client.get(f"{API}/tasks", params={"sort": "-deadline,title,id"})
        assert r.status_code == 200, r.text

    @pytest.mark.parametrize("sort", ["password", "title,", " title", "--title", "title;id"])
    def test_anything_else_is_a_422(self, client: TestClient, sort: str) -> None:
        assert problem_loc(client.get(f"{API}/tasks", params={"sort": sort})) == ["query", "sort"]


class TestQueryDatesParseStrictly:
    @pytest.mark.parametrize(
        ("path", "name", "value"),
        [
            ("/partnerships/1/performance-report", "as_of", "0"),
            ("/strategies/1/progress", "as_of", "20260715"),
            ("/memberships", "as_of", "2026-7-15"),
            ("/tasks", "deadline_before", "0"),
            ("/reports", "published_on_after", "1.5"),
            ("/measurements", "reported_on_before", "2026-07-15T00:00:00Z"),
            ("/laa-targets", "updated_at_after", "0.5"),
            ("/measurements", "updated_at_after", "2026-07-15"),
            ("/meetings", "starts_at_after", "1752537600"),
            ("/audit-events", "at_before", "2026-07-15T09:30:00"),  # no zone
            ("/laa/export", "updated_since", "0"),
        ],
    )
    def test_numbers_and_partial_forms_are_422(
        self, client: TestClient, path: str, name: str, value: str
    ) -> None:
        assert problem_loc(client.get(API + path, params={name: value})) == ["query", name]

    @pytest.mark.parametrize(
        ("path", "name", "value"),
        [
            ("/partnerships/1/performance-report", "as_of", "2026-07-15"),
            ("/tasks", "deadline_after", "2026-07-15"),
            ("/laa-targets", "updated_at_after", "2026-07-15T09:30:00+01:00"),
            ("/meetings", "starts_at_before", "2026-07-15T09:30:00.250Z"),
            ("/laa/export", "updated_since", "2026-07-15T08:30:00Z"),
        ],
    )
    def test_iso_dates_and_zoned_instants_are_accepted(
        self, client: TestClient, path: str, name: str, value: str
    ) -> None:
        r = client.get(API + path, params={name: value})
        assert r.status_code == 200, r.text


class TestPeriods:
    @pytest.mark.parametrize("period", ["2008-09", "1999-00", "2099-00-Q4", "2026-27-Q1"])
    def test_consecutive_years_match_and_are_accepted(
        self, client: TestClient, period: str
    ) -> None:
        assert re.fullmatch(PERIOD_PATTERN, period)
        r = client.get(f"{API}/laa/export", params={"period": period, "format": "json"})
        assert r.status_code == 200, r.text

    @pytest.mark.parametrize("period", ["2008-10", "0000-00", "2008-09-Q5", "200809"])
    def test_other_periods_match_neither(self, client: TestClient, period: str) -> None:
        assert not re.fullmatch(PERIOD_PATTERN, period)
        r = client.get(f"{API}/laa/export", params={"period": period})
        assert problem_loc(r) == ["query", "period"]

    def test_the_schema_states_the_pattern(self, app: FastAPI) -> None:
        schemas = app.openapi()["components"]["schemas"]
        for name in ("LaaTargetCreate", "MeasurementCreate"):
            assert schemas[name]["properties"]["period"]["pattern"] == PERIOD_PATTERN
        assert dict(parameters(app, "period", "query"))["export_laa"]["pattern"] == PERIOD_PATTERN


class TestBodiesKeepTheirJsonTypes:
    @pytest.mark.parametrize(
        ("path", "field", "value"),
        [
            ("/indicators", "national", 0),  # a boolean, not 0/1
            ("/organisations", "name", 7),
            ("/strategies", "partnership_id", False),  # an id, not a boolean
            ("/principles", "position", "2"),  # a number, not text
            ("/measurements", "value", True),
            ("/measurements", "reported_on", 0),  # a date, not a Unix time
            ("/meetings", "starts_at", 1752537600),
            ("/meetings", "starts_at", "2026-07-15"),  # an instant needs its time
        ],
    )
    def test_other_json_types_are_422_naming_the_field(
        self, client: TestClient, path: str, field: str, value: Any
    ) -> None:
        r = client.post(API + path, json={field: value})
        assert field in [e["loc"][1] for e in r.json()["errors"]], r.text
        assert r.status_code == 422

    def test_an_update_keeps_them_too(self, client: TestClient) -> None:
        task = client.get(f"{API}/tasks", params={"limit": 1}).json()["items"][0]
        r = client.patch(f"{API}/tasks/{task['id']}", json={"deadline": 20260715})
        assert problem_loc(r) == ["body", "deadline"]
