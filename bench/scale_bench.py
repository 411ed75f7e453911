"""Years of data (DESIGN §9): single-request latency at demo size and at a county's decade.

Prepares the load benchmark's PostgreSQL database (demo data plus the 1,000-task "Bench"
plan), times every paged, aggregate, governance, freshness and search endpoint below (median
of ``--repeat`` requests, in process through httpx's ASGI transport, one at a time), then
loads a decade with COPY — ``--tasks`` tasks spread over the plans' actions, ten status updates
each across ten years (the task takes the latest), ``--measurements`` measurements — analyses,
and times them again. Each line ends with the ratio decade/demo (budget ≤ 2). Every statement
an endpoint runs on the large database is EXPLAINed; a sequential scan of ``task``,
``status_update`` or ``measurement`` is named on its line.

    .venv/bin/python bench/scale_bench.py [--tasks 100000] [--measurements 50000] [--repeat 9]

The database named by --pg (default $LSPHUB_BENCH_PG or lsphub_bench) is wiped. Meetings and
attendance keep their demo size (not loaded at scale).
"""

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import bench_pg, seeded_plan_database  # noqa: E402

DEFAULT_PG = bench_pg("lsphub_bench")
LARGE_TABLES = ("task", "status_update", "measurement")
UPDATES_PER_TASK = 10


def endpoints(partnership_id: int, deep_offset: int) -> list[tuple[str, str]]:
    return [
        ("tasks", "/api/v1/tasks?limit=50"),
        ("tasks red by deadline", "/api/v1/tasks?rag=red&sort=-deadline&limit=50"),
        ("tasks deep offset", f"/api/v1/tasks?limit=50&offset={deep_offset}"),
        ("tasks stale", "/api/v1/tasks?stale=true&limit=50"),
        ("tasks search q=", "/api/v1/tasks?q=venue&limit=50"),
        ("tasks of a partnership", f"/api/v1/tasks?partnership_id={partnership_id}&limit=50"),
        ("status updates of a task", "/api/v1/tasks/{task}/status-updates?limit=50"),
        ("measurements", "/api/v1/measurements?limit=50"),
        ("dashboard", "/api/v1/dashboard"),
        ("freshness", "/api/v1/freshness"),
        ("governance", "/api/v1/governance"),
        ("partnership governance", f"/api/v1/partnerships/{partnership_id}/governance"),
        ("performance report", f"/api/v1/partnerships/{partnership_id}/performance-report"),
        ("strategies progress", "/api/v1/strategies/{strategy}/progress"),
        ("report index", "/api/v1/report-index"),
    ]


def copy_decade(url: str, tasks: int, measurements: int) -> None:
    """COPY ``tasks`` tasks (ten updates each over ten years) and ``measurements`` rows."""
    import psycopg

    conninfo = url.replace("+psycopg", "")
    today = date.today()
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        actions = [r[0] for r in cur.execute("SELECT id FROM action ORDER BY id").fetchall()]
        orgs = [r[0] for r in cur.execute("SELECT id FROM organisation ORDER BY id").fetchall()]
        first = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM task").fetchone()
        assert first is not None
        start_id = int(first[0])
        rags = ("green", "amber", "red", "complete", None)
        words = ("venue", "funding", "volunteers", "survey", "training", "housing", "transport")
        with cur.copy(
            "COPY task (id, created_at, updated_at, version, action_id, ref, title, target, "
            "position, rag, planned_improvement, deadline, lead_organisation_id, "
            "last_reported_on) FROM STDIN"
        ) as copy:
            for n in range(tasks):
                latest = today - timedelta(days=n % 700)
                rag = rags[n % 5]
                copy.write_row((
                    start_id + n, latest, latest, 1, actions[n % len(actions)], f"s{n}",
                    f"Scale task {n}: {words[n % 7]} {words[(n // 7) % 7]}",
                    "Target text", f"Position {n}", rag,
                    "Planned improvement" if rag == "red" else None,
                    today + timedelta(days=n % 900 - 300), orgs[n % len(orgs)], latest,
                ))  # fmt: skip
        with cur.copy(
            "COPY status_update (task_id, rag, position, planned_improvement, reported_on, "
            "note, author, created_at) FROM STDIN"
        ) as copy:
            for n in range(tasks):
                latest = today - timedelta(days=n % 700)
                for k in range(UPDATES_PER_TASK):
                    on = latest - timedelta(days=365 * k)
                    rag = rags[(n + k) % 5] if k else rags[n % 5]
                    copy.write_row(
                        (start_id + n, rag, f"Position {n}/{k}", None, on, None, "scale", on)
                    )
        cur.execute("SELECT setval('task_id_seq', (SELECT max(id) FROM task))")
        indicators = [r[0] for r in cur.execute("SELECT id FROM indicator ORDER BY id").fetchall()]
        per_indicator = max(1, measurements // len(indicators))
        with cur.copy(
            "COPY measurement (indicator_id, area, period, value, reported_on, source, "
            "reported_by, created_at, updated_at, version) FROM STDIN"
        ) as copy:
            for i, indicator in enumerate(indicators):
                for m in range(per_indicator):
                    year = 2016 + m % 10
                    period = f"{year}-{(year + 1) % 100:02d}-Q{1 + (m // 10) % 4}"
                    area = f"E{(8_000_000 + m // 40):08d}"
                    on = date(year, 7, 1)
                    copy.write_row(
                        (
                            indicator,
                            area,
                            period,
                            10 + (m + i) % 50,
                            on,
                            "Scale",
                            "scale",
                            on,
                            on,
                            1,
                        )
                    )
        conn.commit()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


async def time_all(
    app: Any, key: str, paths: list[tuple[str, str]], repeat: int
) -> dict[str, float]:
    import httpx

    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {key}"}
    medians: dict[str, float] = {}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as client,
    ):
        for name, path in paths:
            response = await client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{name}: {path} answered {response.status_code}")
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                await client.get(path)
                times.append((time.perf_counter() - start) * 1000)
            medians[name] = statistics.median(times)
    return medians


def seq_scans(app: Any, key: str, paths: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Per endpoint, the large tables its statements scan sequentially (EXPLAIN, no ANALYZE)."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from api.core.db import SessionLocal, get_engine

    engine = SessionLocal.kw.get("bind") or get_engine()  # the engine requests run on
    found: dict[str, list[str]] = {}
    client = TestClient(app, headers={"Authorization": f"Bearer {key}"})
    for name, path in paths:
        statements: list[tuple[str, Any]] = []

        def keep(
            conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any,
            into: list[tuple[str, Any]] = statements,
        ) -> None:  # fmt: skip
            if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                into.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", keep)
        try:
            client.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", keep)
        scans: set[str] = set()
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            for statement, parameters in statements:
                cur.execute("EXPLAIN " + statement, parameters)
                plan = "\n".join(str(r[0]) for r in cur.fetchall())
                scans |= {t for t in LARGE_TABLES if f"Seq Scan on {t} " in plan + " "}
            raw.rollback()
        finally:
            raw.close()
        found[name] = sorted(scans)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--measurements", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--pg", default=DEFAULT_PG)
    args = parser.parse_args()
    os.environ["LSPHUB_DATABASE_URL"] = args.pg
    os.environ.setdefault("LSPHUB_ENV", "dev")

    engine, key, partnership_id, task_ids = seeded_plan_database(args.pg, 1000, "scale bench")
    from sqlalchemy import text

    with engine.connect() as conn:
        strategy = conn.execute(text("SELECT min(id) FROM strategy")).scalar_one()
        demo_tasks = conn.execute(text("SELECT count(*) FROM task")).scalar_one()
    engine.dispose()
    from api.main import create_app

    def paths(total: int) -> list[tuple[str, str]]:
        deep = max(0, int(total * 0.9) // 50 * 50)
        return [
            (name, path.format(task=task_ids[0], strategy=strategy))
            for name, path in endpoints(partnership_id, deep)
        ]

    app = create_app()
    small = asyncio.run(time_all(app, key, paths(demo_tasks), args.repeat))
    started = time.perf_counter()
    copy_decade(args.pg, args.tasks, args.measurements)
    loaded = time.perf_counter() - started
    total = demo_tasks + args.tasks
    print(
        f"scale_bench: {demo_tasks:,} → {total:,} tasks, +{args.tasks * UPDATES_PER_TASK:,} "
        f"status updates, +{args.measurements:,} measurements loaded with COPY in {loaded:.0f} s"
    )
    large = asyncio.run(time_all(app, key, paths(total), args.repeat))
    scans = seq_scans(app, key, paths(total))
    worst = 0.0
    for name, _ in paths(total):
        ratio = large[name] / small[name]
        worst = max(worst, ratio)
        seq = f"; seq scan of {', '.join(scans[name])}" if scans[name] else ""
        print(
            f"scale_bench: {name}: demo {small[name]:.1f} ms, decade {large[name]:.1f} ms"
            f"{seq} | ratio decade/demo {ratio:.2f}"
        )
    print(f"scale_bench: summary: budget ≤ 2 | worst ratio decade/demo {worst:.2f}")


if __name__ == "__main__":
    main()
