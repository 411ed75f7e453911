"""Where a read runs: a list's first page without a text search and a plan's report on the event
loop, in turn (``api.core.web.deps.in_turn``); a search, a deep page, or a read that would have
to open a database connection or wait for one, in the thread pool. On PostgreSQL the reads in
turn share the worker's own connection."""

import threading
from collections.abc import Iterator

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.orm import Session

from api.core.db import (
    SessionLocal,
    _read_session,
    close_turn_connections,
    idle_connection_ready,
    make_engine,
    ready_in_turn,
)
from api.core.web.deps import in_turn
from api.core.web.routing import include_flat

POOL_THREAD = "AnyIO worker thread"  # the name anyio gives the thread pool's threads


@pytest.fixture
def threads(engine: Engine) -> Iterator[list[str]]:
    """The name of the thread each statement is sent from."""
    names: list[str] = []

    def _seen(*_: object) -> None:
        names.append(threading.current_thread().name)

    event.listen(engine, "before_cursor_execute", _seen)
    yield names
    event.remove(engine, "before_cursor_execute", _seen)


@pytest.mark.parametrize(
    ("query", "in_turn"),
    [
        ("?limit=5", True),
        ("?limit=5&offset=995&sort=-deadline", True),
        ("?limit=5&rag=red", True),
        ("?limit=5&q=partner", False),
        ("?limit=5&offset=1000", False),
    ],
)
def test_where_a_page_of_tasks_is_read(
    client: TestClient, threads: list[str], query: str, in_turn: bool
) -> None:
    assert client.get("/api/v1/tasks?limit=1").status_code == 200  # the credential resolved
    threads.clear()
    response = client.get("/api/v1/tasks" + query)
    assert response.status_code == 200, response.text
    assert threads, "the page was read from the database"
    assert [name == POOL_THREAD for name in threads] == [not in_turn] * len(threads)


@pytest.mark.parametrize("path", ["", ".html", ".csv", "?as_of=2008-06-30"])
def test_a_plan_report_is_read_in_turn(client: TestClient, threads: list[str], path: str) -> None:
    partnership = client.get("/api/v1/partnerships?limit=1").json()["items"][0]["id"]
    threads.clear()
    response = client.get(f"/api/v1/partnerships/{partnership}/performance-report{path}")
    assert response.status_code == 200, response.text
    assert threads and POOL_THREAD not in threads


def test_only_a_read_may_run_in_turn() -> None:
    feature = APIRouter()

    @feature.post("/things")
    @in_turn
    def add_thing() -> None:
        """A write marked by mistake."""

    with pytest.raises(TypeError, match="only a read may run in turn"):
        include_flat(APIRouter(), feature)


def test_a_page_is_read_in_turn_only_with_an_idle_connection(
    engine: Engine, db: Connection
) -> None:
    own = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        with Session(own) as session:
            assert not idle_connection_ready(session), "the pool has not connected yet"
        with own.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        with Session(own) as session:
            assert idle_connection_ready(session), "the connection went back to the pool"
            with own.connect():
                assert not idle_connection_ready(session), "its only connection is in use"
        with Session(bind=db) as session:
            assert idle_connection_ready(session), "a session bound to a connection has it"
    finally:
        own.dispose()


def test_reads_in_turn_share_the_worker_s_own_connection(engine: Engine, dialect: str) -> None:
    """On PostgreSQL a read's session that runs in turn is bound to one connection of the
    worker's: taken from the pool's idle ones the first time, kept in autocommit for the reads
    that follow, replaced once it breaks. On SQLite a read in turn keeps the pool's way."""
    own = make_engine(engine.url.render_as_string(hide_password=False))
    before = SessionLocal.kw.get("bind")
    SessionLocal.configure(bind=own)
    try:
        first, _ = _read_session()
        assert not ready_in_turn(first), "no idle connection yet: no connect on the loop"
        assert isinstance(first.get_bind(), Engine)
        first.close()
        with own.connect() as warm:
            warm.exec_driver_sql("SELECT 1")
        sessions = [_read_session()[0] for _ in range(3)]
        if dialect != "postgresql":
            assert all(ready_in_turn(s) and isinstance(s.get_bind(), Engine) for s in sessions)
            return
        backends = []
        for session in sessions[:2]:
            assert ready_in_turn(session)
            backends.append(session.scalar(text("SELECT pg_backend_pid()")))
            session.close()
        bound = sessions[0].get_bind()
        assert isinstance(bound, Connection) and bound is sessions[1].get_bind()
        assert backends[0] == backends[1], "one connection for the reads in turn"
        assert bound.connection.dbapi_connection.autocommit  # type: ignore[union-attr]
        assert own.pool.checkedout() == 1, "kept out of the pool between reads"  # type: ignore[attr-defined]
        bound.invalidate()
        assert ready_in_turn(sessions[2]), "a broken connection is replaced"
        assert sessions[2].get_bind() is not bound
        assert sessions[2].scalar(text("SELECT 1")) == 1
        sessions[2].close()
    finally:
        close_turn_connections()
        SessionLocal.configure(bind=before)
        own.dispose()
    assert own.pool.checkedout() == 0  # type: ignore[attr-defined]
