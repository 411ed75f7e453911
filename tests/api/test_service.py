"""Probes, the published OpenAPI document and migrations."""

import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from api.core.db import WriteInRead, _read_session
from api.organisations.models import Organisation

ROOT = Path(__file__).resolve().parents[2]


def test_health(anon: TestClient) -> None:
    assert anon.get("/health").json() == {"status": "ok"}


def test_ready_reports_the_migration_head(anon: TestClient) -> None:
    r = anon.get("/ready")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ok"


def test_committed_openapi_matches_the_app(app: FastAPI) -> None:
    committed = json.loads((ROOT / "openapi" / "openapi.json").read_text())
    assert committed == json.loads(json.dumps(app.openapi())), (
        "openapi/openapi.json is stale: run `lsphub openapi` and commit it"
    )


def test_operation_ids_are_unique_and_readable(app: FastAPI) -> None:
    ids = [
        op["operationId"]
        for path in app.openapi()["paths"].values()
        for op in path.values()
        if isinstance(op, dict) and "operationId" in op
    ]
    assert len(ids) == len(set(ids))
    assert all(i.replace("_", "").isalnum() and i.islower() for i in ids)
    assert {"list_tasks", "create_status_update", "update_task"} <= set(ids)


def test_request_id_is_echoed(anon: TestClient) -> None:
    r = anon.get("/health", headers={"X-Request-ID": "abc123"})
    assert r.headers["x-request-id"] == "abc123"


def test_a_read_requests_session_refuses_to_write(db: object) -> None:
    """GET and HEAD sessions are closed, never committed (and autocommit on PostgreSQL), so
    a change flushed there is refused rather than kept on one database and lost on the other."""
    session, _ = _read_session()
    try:
        organisation = session.scalars(select(Organisation).limit(1)).one()
        assert session.scalars(select(Organisation).limit(1)).one() is organisation  # reads work
        organisation.name = "Renamed in a GET"
        with pytest.raises(WriteInRead):
            session.flush()
    finally:
        session.close()
