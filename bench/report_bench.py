"""Performance report benchmark (DESIGN §9): a plan of N tasks, ≤ 10 queries, < 100 ms.

Builds a fresh database (demo data plus one partnership whose plan has N tasks with three
status updates each), then asks for ``GET /api/v1/partnerships/{id}/performance-report`` as
of today and as of an earlier date, in JSON, CSV and HTML, through the ASGI app in process.
Prints per format the median and best time over the runs and the number of SQL statements.

    .venv/bin/python bench/report_bench.py [--tasks 1000] [--runs 20] [--pg URL] [--no-pg]

The PostgreSQL database named by --pg (default: $LSPHUB_BENCH_PG or lsphub_reports on
127.0.0.1) is wiped.
"""

import argparse
import os
import statistics
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import bench_pg, seeded_plan_database, timer  # noqa: E402

DEFAULT_PG = bench_pg("lsphub_reports")
FORMATS = {"json": "application/json", "csv": "text/csv", "html": "text/html"}


def run(url: str, tasks: int, runs: int) -> None:
    os.environ["LSPHUB_DATABASE_URL"] = url
    os.environ.setdefault("LSPHUB_ENV", "dev")  # production is the default
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from api.core import clock
    from api.main import create_app

    engine, key, pid, _ = seeded_plan_database(url, tasks, "bench")
    today = clock.today()

    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    client = TestClient(create_app(), headers={"Authorization": f"Bearer {key}"})
    path = f"/api/v1/partnerships/{pid}/performance-report"
    print(f"{engine.dialect.name}: {tasks} tasks, {runs} runs")
    for as_of in (today, today - timedelta(days=70)):
        for name, accept in FORMATS.items():
            times = []
            for _ in range(runs):
                statements.clear()
                with timer() as t:
                    r = client.get(path, params={"as_of": as_of.isoformat()},
                                   headers={"Accept": accept})  # fmt: skip
                assert r.status_code == 200, r.text
                times.append(t.seconds * 1000)
            print(
                f"  as_of {as_of} {name:4}: median {statistics.median(times):6.1f} ms, "
                f"best {min(times):6.1f} ms, {len(statements)} queries, {len(r.content)} bytes"
            )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{tmp}/bench.db", args.tasks, args.runs)
    if not args.no_pg:
        if not args.no_sqlite:  # settings and engines are per process: run PG in a child
            import subprocess

            cmd = [sys.executable, __file__, "--no-sqlite", "--tasks", str(args.tasks),
                   "--runs", str(args.runs), "--pg", args.pg]  # fmt: skip
            subprocess.run(cmd, check=True)
        else:
            run(args.pg, args.tasks, args.runs)


if __name__ == "__main__":
    main()
