"""A list nothing narrows (an administrator's, unfiltered) runs a statement built once per
sort, limit and offset (``api.crud.service._whole_page``), on PostgreSQL sent to the driver as
compiled once; every narrowed or filtered list builds its own. All must answer as before, on
both databases."""

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine

from api.core import pagination
from api.crud import service
from api.crud.router import record_columns
from api.plans.service import tasks

Client = Callable[[str], TestClient]


def test_an_unnarrowed_list_builds_its_statement_once(as_role: Client) -> None:
    admin = as_role("admin")
    service._whole_page.cache_clear()
    first = admin.get("/api/v1/tasks", params={"limit": 3, "sort": "-id"}).json()
    assert [t["id"] for t in first["items"]] == sorted(
        (t["id"] for t in first["items"]), reverse=True
    )
    assert admin.get("/api/v1/tasks", params={"limit": 3, "sort": "-id"}).json() == first
    assert (service._whole_page.cache_info().hits, service._whole_page.cache_info().misses) == (
        1,
        1,
    )

    # Another page or order is a statement of its own, with the same total.
    second = admin.get("/api/v1/tasks", params={"limit": 3, "offset": 3, "sort": "-id"}).json()
    assert second["total"] == first["total"] and second["offset"] == 3
    assert max(t["id"] for t in second["items"]) < min(t["id"] for t in first["items"])
    rows = admin.get("/api/v1/tasks", params={"limit": 500, "sort": "id"}).json()["items"]
    assert [t["id"] for t in rows] == sorted(t["id"] for t in rows)
    assert len(rows) == first["total"]
    past_end = admin.get("/api/v1/tasks", params={"offset": 10_000}).json()
    assert (past_end["items"], past_end["total"]) == ([], first["total"])
    built = service._whole_page.cache_info().misses

    # Narrowed by the policy (a partner key) or by a filter: built for the request.
    partner = as_role("partner").get("/api/v1/tasks", params={"limit": 500}).json()
    assert 0 < partner["total"] < first["total"]
    rated = admin.get("/api/v1/tasks", params={"limit": 500, "not_rated": "false"}).json()
    assert all(t["rag"] is not None for t in rated["items"])
    assert rated["total"] < first["total"]
    assert service._whole_page.cache_info().misses == built


def list_paths(app: FastAPI) -> list[str]:
    return [
        route.path
        for route in app.router.routes
        if isinstance(route, APIRoute)
        and (route.operation_id or "").startswith("list_")
        and "{" not in route.path
    ]


def test_whole_pages_sent_as_compiled_answer_as_through_sqlalchemy(
    app: FastAPI, as_role: Client, db: Connection, engine: Engine, dialect: str
) -> None:
    """On PostgreSQL a whole page's statement goes to the driver's cursor as compiled once
    (``api.core.pagination.read_compiled_page``); every list must answer byte for byte as
    through SQLAlchemy's execution: first pages, later ones, sorted, and past the end. The
    session's time zone is not UTC, so the driver's datetimes must go through the columns'
    result processors to come out as UTC."""
    if dialect == "postgresql":
        db.exec_driver_sql("SET LOCAL TIME ZONE 'America/New_York'")
    admin = as_role("admin")
    paths = list_paths(app)
    assert "/api/v1/tasks" in paths
    for path in paths:
        for query in ("", "?limit=2&offset=1", "?limit=3&sort=-id", "?offset=100000"):
            service.COMPILE_WHOLE_PAGES = False
            try:
                through_sqlalchemy = admin.get(path + query)
            finally:
                service.COMPILE_WHOLE_PAGES = True
            compiled = admin.get(path + query)
            assert compiled.status_code == through_sqlalchemy.status_code, path + query
            assert compiled.status_code == 200 or query, path
            assert compiled.content == through_sqlalchemy.content, path + query

    # The task list is one of them on PostgreSQL; SQLite's positional parameters keep it out.
    columns = record_columns(tasks)
    assert columns is not None
    _, paged = service._whole_page(tasks, tuple(columns), None, 50, 0)
    sent = pagination.compiled_page(paged, engine.dialect)
    assert (sent is not None) == (dialect == "postgresql")
    if sent is not None:
        assert [name for name, _ in zip(sent.names, columns, strict=True)] == columns
        # created_at and updated_at go through UTCDateTime's result processor
        assert [sent.names[i] for i, _ in sent.select.processors] == ["created_at", "updated_at"]


def test_a_cursor_listener_sees_the_whole_page(as_role: Client, query_counter: list[str]) -> None:
    """With a listener on the engine's cursor executions (the statement counts of the tests,
    scale_bench's EXPLAIN check) the page goes through SQLAlchemy, which tells it."""
    admin = as_role("admin")
    query_counter.clear()
    page = admin.get("/api/v1/tasks", params={"limit": 4})
    assert page.status_code == 200 and len(page.json()["items"]) == 4
    pages = [s for s in query_counter if "FROM task ORDER BY" in " ".join(s.split())]
    assert len(pages) == 1, query_counter
