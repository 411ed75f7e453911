"""CPU per request, in process: the figure behind the load benchmark's ratios.

Drives the app through ``httpx.ASGITransport`` (no sockets, one request at a time) on the
database bench/load_bench.py prepared, and prints CPU milliseconds per request; ``--profile``
runs the thread-pool work inline so cProfile sees the route, and prints the top entries
(``PROFILE_SORT``, ``PROFILE_LINES``; ``PROFILE_TIMER=cpu`` counts CPU time only, so the waits
on the database drop out).

    .venv/bin/python bench/load_bench.py --only list --duration 5   # prepares lsphub_bench
    .venv/bin/python bench/profile_request.py list|report|status [--requests 300] [--profile]

``--unchained`` drives bench/unchained_app.py instead: the API without the audit chain's link
step, to compare one request at a time with and without it.
"""

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._common import bench_pg  # noqa: E402

DEFAULT_PG = bench_pg("lsphub_bench")


async def drive(app, key: str, which: str, n: int, tid: int, pid: int, prof) -> None:  # type: ignore[no-untyped-def]
    import httpx

    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:

        async def call(i: int) -> None:
            if which == "list":
                r = await c.get("/api/v1/tasks?limit=50")
            elif which == "report":
                r = await c.get(f"/api/v1/partnerships/{pid}/performance-report")
            else:
                body = {"rag": "amber", "position": f"p{time.time()}-{i}",
                        "planned_improvement": "Recover"}  # fmt: skip
                r = await c.post(f"/api/v1/tasks/{tid - i % 500}/status-updates", json=body)
            assert r.status_code < 300, r.text

        for i in range(5):
            await call(i)
        if prof:
            prof.enable()
        cpu, wall = time.process_time(), time.perf_counter()
        for i in range(n):
            await call(i + 5)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if prof:
            prof.disable()
        print(f"{which}: {1000 * cpu / n:.2f} ms CPU per request, {1000 * wall / n:.2f} ms wall")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("which", choices=("list", "report", "status"))
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--unchained", action="store_true", help="without the audit chain")
    args = parser.parse_args()
    os.environ["LSPHUB_DATABASE_URL"] = args.pg
    os.environ.setdefault("LSPHUB_ENV", "dev")  # production is the default
    from sqlalchemy import text

    from api.accounts.keys import create_api_key
    from api.core.db import session_scope
    from api.core.principal import Role
    from api.main import create_app
    from bench.unchained_app import create_app as create_unchained_app

    with session_scope() as s:
        key = create_api_key(s, role=Role.admin, name="profile")
        tid = s.execute(text("SELECT max(id) FROM task")).scalar()
        pid = s.execute(text("SELECT id FROM partnership WHERE slug = 'bench'")).scalar()
    if pid is None:
        sys.exit("run bench/load_bench.py first: it prepares the 1,000-task 'bench' plan")
    prof = None
    if args.profile:
        import anyio.to_thread

        async def inline(func, *a, **_):  # type: ignore[no-untyped-def]
            return func(*a)

        anyio.to_thread.run_sync = inline  # type: ignore[assignment]
        # PROFILE_TIMER=cpu counts CPU time only, so waits on the database drop out.
        cpu_timer = os.environ.get("PROFILE_TIMER") == "cpu"
        prof = cProfile.Profile(time.process_time) if cpu_timer else cProfile.Profile()
    app = create_unchained_app() if args.unchained else create_app()
    asyncio.run(drive(app, key, args.which, args.requests, tid, pid, prof))
    if prof:
        stats = pstats.Stats(prof).sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
        stats.print_stats(int(os.environ.get("PROFILE_LINES", "40")))


if __name__ == "__main__":
    main()
