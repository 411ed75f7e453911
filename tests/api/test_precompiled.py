"""Precompiled list handlers and the route index answer exactly as FastAPI's own handling.

Every generic list operation is served by a hand-written handler (api/core/web/precompiled.py)
and every request is routed through an index (api/core/web/routing.py). These tests build a
second application with both turned off and send the same requests to each: status, content
type and body must be identical, for good queries and for every kind of refusal (unknown
parameter, missing or bad credentials, bad values for page, filters and sort, several at once).
"""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Connection

import api.core.web.precompiled as precompiled
from api.core.web.routing import RouteIndex
from api.main import create_app

# (path, query) pairs every list gets; {id} filters use the resource's own first filter.
QUERIES = [
    "",
    "?limit=2",
    "?limit=2&offset=1",
    "?limit=0",
    "?limit=501",
    "?limit=abc",
    "?limit=",
    "?offset=-1",
    "?offset=x&limit=0",
    "?limit=1&limit=3",
    "?sort=nonsense",
    "?sort=-id",
    "?sort=id,-id",
    "?sort=",
    "?bogus=1",
    "?limit=0&sort=nonsense",
]
FILTER_VALUES = ["1", "0", "-3", "abc", "", "true", "2030-01-01", "x" * 150]


@pytest.fixture(scope="module")
def generic_app() -> Iterator[FastAPI]:
    """The application as FastAPI alone would serve it: no precompiled handler, no index."""
    precompiled.ENABLED = False
    try:
        app = create_app()
    finally:
        precompiled.ENABLED = True
    stack = app.router.middleware_stack
    assert isinstance(stack, RouteIndex)
    app.router.middleware_stack = stack.fallback
    yield app


def list_routes(app: FastAPI) -> list[APIRoute]:
    return [
        r
        for r in app.router.routes
        if isinstance(r, APIRoute)
        and r.operation_id
        and r.operation_id.startswith("list_")
        and getattr(r, "precompiled", False)
    ]


def answer(client: TestClient, url: str, **kwargs: Any) -> tuple[int, str, Any]:
    response = client.get(url, **kwargs)
    kind = response.headers.get("content-type", "")
    return response.status_code, kind, response.json() if "json" in kind else response.text


def test_generic_lists_are_precompiled(app: FastAPI, generic_app: FastAPI) -> None:
    served = {r.operation_id for r in list_routes(app)}
    assert {"list_tasks", "list_organisations", "list_indicators"} <= served
    assert not list_routes(generic_app)


def test_same_answers(
    app: FastAPI, generic_app: FastAPI, db: Connection, credentials: dict[str, str], dialect: str
) -> None:
    if dialect != "sqlite":
        pytest.skip(
            "both handlers send the same statements, so the database plays no part in what is "
            "compared; this is the costliest in-process test (3,200 requests) and runs on SQLite"
        )
    compared = 0
    for role in ("admin", "member", "partner", "county"):
        headers = {"Authorization": f"Bearer {credentials[role]}"}
        fast = TestClient(app, headers=headers, raise_server_exceptions=False)
        generic = TestClient(generic_app, headers=headers, raise_server_exceptions=False)
        for route in list_routes(app):
            filters = [
                p["name"]
                for p in app.openapi()["paths"][route.path]["get"].get("parameters", [])
                if p["in"] == "query" and p["name"] not in ("limit", "offset", "sort")
            ]
            queries = list(QUERIES)
            for name in filters[:4]:
                queries += [f"?{name}={value}" for value in FILTER_VALUES]
                queries.append(f"?{name}=abc&limit=0&sort=zz")
            for query in queries:
                url = route.path + query
                assert answer(fast, url) == answer(generic, url), (role, url)
                compared += 1
    assert compared > 1000


def test_same_refusals_of_credentials(app: FastAPI, generic_app: FastAPI, db: Connection) -> None:
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic eA=="}):
        for url in ("/api/v1/tasks", "/api/v1/tasks?limit=0", "/api/v1/tasks?bogus=1"):
            fast = TestClient(app, headers=headers, raise_server_exceptions=False)
            generic = TestClient(generic_app, headers=headers, raise_server_exceptions=False)
            assert answer(fast, url) == answer(generic, url), (headers, url)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/tasks/"),
        ("GET", "/api/v1/tasks/abc"),
        ("PUT", "/api/v1/tasks"),
        ("DELETE", "/api/v1/tasks"),
        ("GET", "/api/v1/nowhere"),
        ("GET", "/api/v1/tasks/1/status-updates"),
        ("GET", "/health"),
        ("GET", "/openapi.json"),
        ("GET", "/"),
        ("GET", "/some/spa/route"),
    ],
)
def test_route_index_matches_the_scan(
    app: FastAPI, generic_app: FastAPI, client: TestClient, method: str, path: str
) -> None:
    generic = TestClient(generic_app, headers=client.headers, raise_server_exceptions=False)
    fast_response = client.request(method, path, follow_redirects=False)
    generic_response = generic.request(method, path, follow_redirects=False)
    assert fast_response.status_code == generic_response.status_code
    assert fast_response.headers.get("allow") == generic_response.headers.get("allow")
    assert fast_response.headers.get("location") == generic_response.headers.get("location")
    assert fast_response.content == generic_response.content


def test_index_lists_every_route_that_can_match(app: FastAPI) -> None:
    """For every route's own path (parameters filled in), the route is among the candidates."""
    index = app.router.middleware_stack
    assert isinstance(index, RouteIndex)
    for route in app.router.routes:
        if not isinstance(route, APIRoute):
            continue
        path = route.path_format
        for name in route.param_convertors:
            path = path.replace("{" + name + "}", "7")
        assert route in index.candidates(path), path
