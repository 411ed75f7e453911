"""Hostile and malformed input: always a 4xx problem+json, never a 500; injection is inert."""

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PROBLEM = "application/problem+json"
FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

WRITE_TARGETS = [
    ("POST", "/api/v1/organisations"),
    ("POST", "/api/v1/tasks"),
    ("PATCH", "/api/v1/tasks/1"),
    ("POST", "/api/v1/tasks/1/status-updates"),
    ("POST", "/api/v1/meetings"),
]

SQL_INJECTIONS = [
    "' OR '1'='1",
    "' OR 1=1 --",
    "1; DROP TABLE task; --",
    "'); DELETE FROM status_update; --",
    '" OR ""="',
    "%' UNION SELECT token_hash, 1 FROM auth_token --",
    "1' AND SLEEP(5) --",
    "'; SELECT pg_sleep(5); --",
    "\\' OR 1=1 #",
    "%%%_\\_%",
]


def assert_problem(r, *statuses: int) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code in statuses, (r.status_code, r.text[:300])
    assert r.headers["content-type"] == PROBLEM, r.headers["content-type"]
    body = r.json()
    assert body["status"] == r.status_code and body["type"] and body["title"]
    assert "Traceback" not in r.text


def send(client: TestClient, method: str, path: str, body: bytes, ctype: str = "application/json"):  # type: ignore[no-untyped-def]
    return client.request(method, path, content=body, headers={"content-type": ctype})


class TestMalformedBodies:
    @pytest.mark.parametrize(("method", "path"), WRITE_TARGETS)
    @FUZZ
    @given(body=st.binary(max_size=300))
    def test_random_bytes(self, client: TestClient, method: str, path: str, body: bytes) -> None:
        assert_problem(send(client, method, path, body), 422)

    @pytest.mark.parametrize(("method", "path"), WRITE_TARGETS)
    @FUZZ
    @given(
        doc=st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.text(max_size=12), inner, max_size=4)
            ),
            max_leaves=12,
        )
    )
    def test_random_json(self, client: TestClient, method: str, path: str, doc: object) -> None:
        r = send(client, method, path, json.dumps(doc).encode())
        assert r.status_code < 500, r.text[:300]
        if r.status_code >= 400:
            assert_problem(r, r.status_code)

    @pytest.mark.parametrize(("method", "path"), WRITE_TARGETS)
    def test_invalid_utf8(self, client: TestClient, method: str, path: str) -> None:
        r = send(client, method, path, b'{"name": "\xff\xfe\xc3\x28", "title": "\xed\xa0\x80"}')
        assert_problem(r, 422)
        assert r.json()["errors"][0]["loc"][0] == "body"

    @pytest.mark.parametrize("depth", [1_000, 100_000])
    def test_deeply_nested_json(self, client: TestClient, depth: int) -> None:
        for doc in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
            assert_problem(send(client, "POST", "/api/v1/organisations", doc.encode()), 422)

    def test_wrong_content_type(self, client: TestClient) -> None:
        r = send(client, "POST", "/api/v1/organisations", b"<name>x</name>", "application/xml")
        assert_problem(r, 415, 422)

    def test_nul_bytes_in_text(self, client: TestClient) -> None:
        body = {"name": "Nul\x00 Trust", "sector": "voluntary_community"}
        r = client.post("/api/v1/organisations", json=body)
        assert r.status_code in (201, 422), r.text  # SQLite stores it; PostgreSQL cannot
        if r.status_code == 422:
            assert_problem(r, 422)
        r = client.get("/api/v1/organisations", params={"q": "a\x00b"})
        assert r.status_code in (200, 422), r.text

    @pytest.mark.parametrize("value", [2**31, 2**63, -1, 0])
    def test_out_of_range_references(self, client: TestClient, value: int) -> None:
        for path, body in (
            ("/api/v1/people", {"name": "Ann Example", "organisation_id": value}),
            ("/api/v1/priorities", {"strategy_id": value, "text": "Safer streets"}),
            ("/api/v1/agenda-items", {"meeting_id": value, "title": "Apologies"}),
        ):
            assert_problem(client.post(path, json=body), 422)


class TestOversizedBodies:
    def test_declared_length_over_the_cap(self, client: TestClient) -> None:
        r = send(client, "POST", "/api/v1/organisations", b"x" * (1_048_576 + 1))
        assert_problem(r, 413)

    def test_streamed_body_over_the_cap(self, client: TestClient) -> None:
        def chunks() -> Iterator[bytes]:
            for _ in range(20):
                yield b" " * 65_536

        r = client.post(
            "/api/v1/organisations", content=chunks(), headers={"content-type": "application/json"}
        )
        assert_problem(r, 413)

    def test_upload_over_the_upload_cap(self, client: TestClient) -> None:
        big = b"partnership,title\n" + b"x" * 52_428_800
        r = client.post("/api/v1/imports/tasks", files={"file": ("tasks.csv", big, "text/csv")})
        assert_problem(r, 413)


class TestQueryParameters:
    def test_unknown_parameter_is_named(self, client: TestClient) -> None:
        r = client.get("/api/v1/tasks", params={"partnership": 3})
        assert_problem(r, 422)
        assert r.json()["errors"] == [
            {"loc": ["query", "partnership"], "msg": "unknown query parameter"}
        ]

    def test_each_read_accepts_the_query_names_its_document_lists_and_no_other(
        self, client: TestClient
    ) -> None:
        """The guard's names are taken from the routes; the published document must agree."""
        document = client.get("/api/v1/openapi.json").json()
        checked = 0
        for template, item in document["paths"].items():
            operation = item.get("get")
            if operation is None or not template.startswith("/api/v1/"):  # the guarded API
                continue
            path = re.sub(r"\{[^}]+\}", "1", template)
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            r = client.get(path, params=dict.fromkeys(names, "1"))
            assert r.status_code < 500, (template, r.status_code, r.text[:300])
            if r.status_code == 422:
                assert "unknown query parameter" not in r.text, (template, r.text[:300])
            r = client.get(path, params={"not_a_parameter": "1"})
            assert_problem(r, 422)
            assert r.json()["errors"] == [
                {"loc": ["query", "not_a_parameter"], "msg": "unknown query parameter"}
            ], template
            checked += 1
        assert checked > 50

    @FUZZ
    @given(
        params=st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=20), max_size=3)
    )
    def test_random_parameters_never_500(self, client: TestClient, params: dict[str, str]) -> None:
        for path in ("/api/v1/tasks", "/api/v1/organisations", "/api/v1/meetings"):
            r = client.get(path, params=params)
            assert r.status_code in (200, 422), (path, params, r.status_code, r.text[:300])
            if r.status_code == 422:
                assert_problem(r, 422)

    def test_invalid_percent_encoding(self, client: TestClient) -> None:
        r = client.get("/api/v1/tasks?q=%ff%fe%c3")
        assert r.status_code in (200, 422)

    @pytest.mark.parametrize("if_match", ["banana", '"1" OR 1=1', "W/", '"99999999999999999999"'])
    def test_garbage_if_match(self, client: TestClient, if_match: str) -> None:
        r = client.patch(
            "/api/v1/tasks/1", json={"title": "Renamed"}, headers={"If-Match": if_match}
        )
        assert_problem(r, 412, 422)


class TestSqlInjectionIsInert:
    @pytest.fixture
    def counts(self, client: TestClient) -> dict[str, int]:
        return {
            path: client.get(f"/api/v1/{path}", params={"limit": 1}).json()["total"]
            for path in ("tasks", "organisations", "people")
        }

    @pytest.mark.parametrize("payload", SQL_INJECTIONS)
    def test_in_search_text(self, client: TestClient, counts: dict[str, int], payload: str) -> None:
        for path in ("tasks", "organisations", "people"):
            r = client.get(f"/api/v1/{path}", params={"q": payload, "limit": 500})
            assert r.status_code == 200, r.text
            assert r.json()["total"] == 0, f"{path}?q={payload!r} matched rows"
        assert counts == {
            path: client.get(f"/api/v1/{path}", params={"limit": 1}).json()["total"]
            for path in counts
        }

    @pytest.mark.parametrize("payload", SQL_INJECTIONS)
    def test_in_filters_sort_and_path(self, client: TestClient, payload: str) -> None:
        for params in (
            {"rag": payload},
            {"partnership_id": payload},
            {"sort": payload},
            {"deadline_before": payload},
        ):
            assert_problem(client.get("/api/v1/tasks", params=params), 422)
        assert client.get(f"/api/v1/tasks/{payload}").status_code in (404, 422)

    def test_stored_verbatim_and_read_back(
        self, client: TestClient, counts: dict[str, int]
    ) -> None:
        name = "Robert'); DROP TABLE organisation; --"
        r = client.post("/api/v1/organisations", json={"name": name, "sector": "other"})
        assert r.status_code == 201, r.text
        assert client.get(r.headers["location"]).json()["name"] == name
        found = client.get("/api/v1/organisations", params={"q": "DROP TABLE"}).json()
        assert [o["name"] for o in found["items"]] == [name]
        assert client.get("/api/v1/tasks", params={"limit": 1}).json()["total"] == counts["tasks"]
