"""Crashes and outages: SIGKILL in a burst of writes, the database going away and coming back."""

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from tests.hardening.conftest import is_postgres
from tests.hardening.tcp_proxy import TcpProxy
from tests.live import create_admin_key, live_server, start_server

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def admin_key(live_db: str) -> str:
    return create_admin_key(live_db)


@pytest.fixture
def inspect_db(live_db: str) -> Iterator[Engine]:
    engine = create_engine(live_db)
    yield engine
    engine.dispose()


def _inconsistent_tasks(engine: Engine) -> list[Any]:
    """Tasks whose current fields differ from their latest history entry."""
    sql = """
        SELECT t.id FROM task t
        JOIN status_update s ON s.id = (
            SELECT s2.id FROM status_update s2 WHERE s2.task_id = t.id
            ORDER BY s2.reported_on DESC, s2.id DESC LIMIT 1)
        WHERE COALESCE(t.rag, '') <> COALESCE(s.rag, '')
           OR COALESCE(t.position, '') <> COALESCE(s.position, '')
           OR COALESCE(t.planned_improvement, '') <> COALESCE(s.planned_improvement, '')
    """
    with engine.connect() as conn:
        return list(conn.execute(text(sql)).scalars())


class TestSigkillDuringWrites:
    def test_the_database_stays_consistent_and_the_server_restarts(
        self, live_db: str, admin_key: str, inspect_db: Engine
    ) -> None:
        with inspect_db.connect() as conn:
            start_id = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM status_update")).scalar()
            task_ids = list(conn.execute(text("SELECT id FROM task ORDER BY id LIMIT 8")).scalars())
        assert _inconsistent_tasks(inspect_db) == []

        server = start_server(live_db, admin_key=admin_key, workers=2)
        acknowledged: list[int] = []
        unexpected: list[tuple[int, str]] = []
        lock = threading.Lock()

        def writer(task_id: int) -> None:
            with server.client(timeout=10) as client:
                for n in range(400):
                    try:
                        r = client.post(
                            f"/api/v1/tasks/{task_id}/status-updates",
                            json={
                                "rag": ("green", "amber", "red")[n % 3],
                                "position": f"#{n}",
                                "planned_improvement": "Recover by next quarter",
                            },
                        )
                    except httpx.TransportError:
                        return  # the server is gone
                    with lock:
                        if r.status_code == 201:
                            acknowledged.append(r.json()["id"])
                        else:
                            unexpected.append((r.status_code, r.text[:200]))

        threads = [threading.Thread(target=writer, args=(t,)) for t in task_ids]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 60 and time.monotonic() < deadline:
            time.sleep(0.02)
        server.kill()  # SIGKILL to uvicorn and both workers, mid-burst
        for t in threads:
            t.join(timeout=30)
        log = server.log()
        server.log_path.unlink(missing_ok=True)

        assert unexpected == []
        assert len(acknowledged) >= 60
        with inspect_db.connect() as conn:
            stored = set(
                conn.execute(
                    text("SELECT id FROM status_update WHERE id > :s"), {"s": start_id}
                ).scalars()
            )
            audited = set(
                conn.execute(
                    text(
                        "SELECT resource_id FROM audit_event "
                        "WHERE resource = 'status_update' AND action = 'create'"
                    )
                ).scalars()
            )
            if inspect_db.dialect.name == "sqlite":
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
                assert list(conn.execute(text("PRAGMA foreign_key_check"))) == []
        assert set(acknowledged) <= stored, "an acknowledged write was lost"
        assert {str(i) for i in stored} <= audited, "a write committed without its audit event"
        assert _inconsistent_tasks(inspect_db) == []
        assert "Traceback" not in log, log[-3000:]

        with live_server(live_db, admin_key=admin_key) as again, again.client() as client:
            assert client.get("/ready").status_code == 200
            r = client.post(
                f"/api/v1/tasks/{task_ids[0]}/status-updates",
                json={"rag": "green", "note": "Reported after the restart"},
            )
            assert r.status_code == 201, r.text


class TestDatabaseOutage:
    def test_ready_is_503_while_postgres_is_unreachable_and_recovers(
        self, live_db: str, admin_key: str
    ) -> None:
        if not is_postgres(live_db):
            pytest.skip("an outage needs a database server; SQLite is a local file")
        url = make_url(live_db)
        proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
        via_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        try:
            with live_server(via_proxy, admin_key=admin_key) as server, server.client() as client:
                assert client.get("/ready").status_code == 200
                assert client.get("/api/v1/tasks", params={"limit": 5}).status_code == 200

                proxy.close()
                started = time.monotonic()
                r = client.get("/ready")
                assert r.status_code == 503
                assert time.monotonic() - started < 10
                for method, path in (("GET", "/api/v1/tasks"), ("POST", "/api/v1/organisations")):
                    body = {"name": "Outage Trust", "sector": "voluntary_community"}
                    r = client.request(method, path, json=body)
                    assert r.status_code == 503, r.text
                    assert r.headers["content-type"] == PROBLEM
                    assert r.json()["type"] == "/problems/database-unavailable"
                    assert "retry-after" in r.headers
                assert client.get("/health").status_code == 200  # the process itself is fine

                proxy.reopen()
                deadline = time.monotonic() + 15
                while client.get("/ready").status_code != 200:
                    assert time.monotonic() < deadline, "no recovery without a restart"
                    time.sleep(0.2)
                assert client.get("/api/v1/tasks", params={"limit": 5}).status_code == 200
                assert server.process.poll() is None
        finally:
            proxy.close()
