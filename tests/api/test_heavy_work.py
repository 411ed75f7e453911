"""Whole-plan reports and progress tables built at once in one process are capped
(``LSPHUB_HEAVY_WORK_CONCURRENCY``, api/core/heavy.py); the rest wait for a slot and succeed.
A plan's report runs in turn on the event loop when it can (``api.core.web.deps.in_turn``) and
waits there for a slot; progress tables and outcome reports run in worker threads, side by side
up to the cap."""

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


def peak_builds(
    app: FastAPI, admin_key: str, monkeypatch: pytest.MonkeyPatch, cap: int, plan_reports: bool
) -> tuple[int, int]:
    """Ask at once, with the cap set to ``cap``, for every strategy's progress and every
    outcome's report three times over, and (``plan_reports``) every demo partnership's report
    in its three formats; the most builds under way together, of all kinds and of plan
    reports."""
    monkeypatch.setattr(get_settings(), "heavy_work_concurrency", cap)
    building = {"all": 0, "plan": 0}
    peak = {"all": 0, "plan": 0}
    lock = threading.Lock()

    def counted(build: Callable[..., Any], kinds: tuple[str, ...]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with lock:
                for kind in kinds:
                    building[kind] += 1
                    peak[kind] = max(peak[kind], building[kind])
            try:
                time.sleep(0.05)  # long enough for the others to arrive
                return build(*args, **kwargs)
            finally:
                with lock:
                    for kind in kinds:
                        building[kind] -= 1

        return wrapper

    plan, other = ("all", "plan"), ("all",)
    monkeypatch.setattr(
        performance, "partnership_report", counted(performance.partnership_report, plan)
    )
    monkeypatch.setattr(performance, "outcome_report", counted(performance.outcome_report, other))
    monkeypatch.setattr(progress, "strategy_progress", counted(progress.strategy_progress, other))
    # The demo data as committed: these requests run side by side, outside a test transaction.
    client = TestClient(app, headers={"Authorization": f"Bearer {admin_key}"})
    found = client.get("/api/v1/report-index").json()
    outcomes = client.get("/api/v1/outcomes?limit=3").json()["items"]
    paths = 3 * [f"/api/v1/strategies/{s['strategy_id']}/progress" for s in found["strategies"]]
    paths += 3 * [f"/api/v1/outcomes/{o['id']}/performance-report" for o in outcomes]
    if plan_reports:
        paths += [
            f"/api/v1/partnerships/{p['partnership_id']}/{kind}"
            for p in found["partnerships"]
            if p["has_action_plan"]
            for kind in FORMATS
        ]
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
    return peak["all"], peak["plan"]


def test_one_slot_builds_one_report_at_a_time(
    app: FastAPI, credentials: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plan's report run in turn waits for the slot too."""
    assert peak_builds(app, credentials["admin"], monkeypatch, cap=1, plan_reports=True) == (1, 1)


def test_more_slots_build_side_by_side(
    app: FastAPI, credentials: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    peak, _ = peak_builds(app, credentials["admin"], monkeypatch, cap=3, plan_reports=False)
    assert 2 <= peak <= 3
