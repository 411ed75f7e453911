"""Fixtures for tests that need real commits: a live server on a fresh database per module."""

from collections.abc import Iterator

import pytest

from tests.live import LiveServer, fresh_database, live_server


@pytest.fixture(scope="session")
def live_db() -> Iterator[str]:
    """A migrated, seeded throw-away database shared by the hardening tests (real commits)."""
    with fresh_database() as url:
        yield url


@pytest.fixture(scope="module")
def live(live_db: str) -> Iterator[LiveServer]:
    """uvicorn (2 workers, like production) on ``live_db``; its log must show no tracebacks."""
    with live_server(live_db, workers=2) as server:
        yield server
        assert "Traceback" not in server.log(), server.log()[-4000:]


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")
