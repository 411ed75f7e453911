"""Whole-plan reports and progress tables built at once in one process are capped
(``LSPHUB_HEAVY_WORK_CONCURRENCY``, api/core/heavy.py); the rest wait for a slot and succeed."""

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.core.settings import get_settings
from api.reports import performance, progress

FORMATS = ("performance-report", "performance-report.csv", "performance-report.html")


def peak_builds(app: FastAPI, admin_key: str, monkeypatch: pytest.MonkeyPatch, cap: int) -> int:
    """Ask for every demo partnership's report (three formats) and every strategy's progress
    at once, with the cap set to ``cap``; the most reports that were being built together."""
    monkeypatch.setattr(get_settings(), "heavy_work_concurrency", cap)
    building = peak = 0
    lock = threading.Lock()

    def counted(build: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            nonlocal building, peak
            with lock:
                building += 1
                peak = max(peak, building)
            try:
                time.sleep(0.05)  # long enough for the others to arrive
                return build(*args, **kwargs)
            finally:
                with lock:
                    building -= 1

        return wrapper

    monkeypatch.setattr(performance, "partnership_report", counted(performance.partnership_report))
    monkeypatch.setattr(progress, "strategy_progress", counted(progress.strategy_progress))
    # The demo data as committed: these requests run side by side, outside a test transaction.
    client = TestClient(app, headers={"Authorization": f"Bearer {admin_key}"})
    found = client.get("/api/v1/report-index").json()
    paths = [
        f"/api/v1/partnerships/{p['partnership_id']}/{kind}"
        for p in found["partnerships"]
        if p["has_action_plan"]
        for kind in FORMATS
    ] + [f"/api/v1/strategies/{s['strategy_id']}/progress" for s in found["strategies"]]
    assert len(paths) >= 8
    barrier = threading.Barrier(len(paths))
    statuses: list[int] = []

    def fetch(path: str) -> None:
        barrier.wait()
        statuses.append(client.get(path).status_code)

    threads = [threading.Thread(target=fetch, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [200] * len(paths)
    return peak


def test_one_slot_builds_one_report_at_a_time(
    app: FastAPI, credentials: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert peak_builds(app, credentials["admin"], monkeypatch, cap=1) == 1


def test_more_slots_build_side_by_side(
    app: FastAPI, credentials: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert 2 <= peak_builds(app, credentials["admin"], monkeypatch, cap=3) <= 3
