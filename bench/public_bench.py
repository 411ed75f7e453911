"""The residents' site under load (issue 20): home and a meeting page beside the authenticated
list endpoint, in the same run, on PostgreSQL.

Prepares a PostgreSQL database (demo data plus the 1,000-task "Bench" plan of load_bench.py),
starts the API (uvicorn, uvloop + httptools, 2 workers, LSPHUB_ENV=prod) and drives it with
``wrk -t2 -c32 -d20s --latency`` on loopback, one operation after the other:

- ``GET /public/``                       the home page (rendered on every request)
- ``GET /public/meetings/{id}``          a meeting with agenda, a public paper and a decision
- ``GET /public/meetings/{id}`` + ``If-None-Match``: the repeat visit, answered 304
- ``GET /api/v1/tasks?limit=50``         the authenticated list endpoint, for comparison

    .venv/bin/python bench/public_bench.py [--duration 20] [--pg URL]

The database named by --pg (default $LSPHUB_BENCH_PG, which `make bench` sets, else
lsphub_public_bench on 127.0.0.1) is wiped. Needs ``wrk`` (Debian: apt-get install -y wrk);
without it, an httpx load generator with 32 concurrent connections stands in (and says so).
Prints one line per operation and the page sizes.
"""

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import BENCH_SECRET, bench_pg, free_port, seeded_plan_database  # noqa: E402
from bench.load_bench import (  # noqa: E402
    CONNECTIONS,
    THREADS,
    Result,
    machine,
    server,
    start,
    stop,
    wrk,
)

DEFAULT_PG = bench_pg("lsphub_public_bench")


def prepare(url: str) -> tuple[str, int]:
    """(admin key, id of a public meeting with a public paper and a decision)"""
    from sqlalchemy import select
    from sqlmodel import col

    from api.core.db import SessionLocal
    from api.meetings.models import AgendaItem, Decision

    os.environ["LSPHUB_DATABASE_URL"] = url
    os.environ["LSPHUB_SECRET_KEY"] = BENCH_SECRET
    engine, key, _, _ = seeded_plan_database(url, 1000, "public bench")
    with SessionLocal() as s:
        meeting_id = s.scalar(
            select(AgendaItem.meeting_id)
            .where(col(AgendaItem.report_id).is_not(None))
            .where(col(AgendaItem.meeting_id).in_(select(Decision.meeting_id)))
            .order_by(col(AgendaItem.meeting_id))
            .limit(1)
        )
    engine.dispose()
    assert meeting_id is not None
    return key, meeting_id


async def _httpx_load(url: str, duration: int, headers: dict[str, str]) -> Result:
    """The fallback load generator: CONNECTIONS clients in a loop for ``duration`` seconds."""
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + duration
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:

        async def one() -> None:
            nonlocal errors
            while time.monotonic() < deadline:
                started = time.perf_counter()
                r = await client.get(url)
                latencies.append((time.perf_counter() - started) * 1000)
                errors += r.status_code >= 400

        began = time.monotonic()
        await asyncio.gather(*(one() for _ in range(CONNECTIONS)))
        took = time.monotonic() - began
    latencies.sort()
    return Result(
        rps=len(latencies) / took,
        p50_ms=statistics.median(latencies),
        p99_ms=latencies[int(len(latencies) * 0.99) - 1],
        errors=errors,
        requests=len(latencies),
    )


def load(url: str, duration: int, key: str, extra: dict[str, str] | None = None) -> Result:
    if shutil.which("wrk") is None:
        headers = {"Authorization": f"Bearer {key}", **(extra or {})}
        return asyncio.run(_httpx_load(url, duration, headers))
    if not extra:
        return wrk(url, duration, key)
    import tempfile

    # Lua long strings: an ETag's own quotes need no escaping.
    lines = "".join(f'wrk.headers["{k}"] = [[{v}]]\n' for k, v in extra.items())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(lines)
    try:
        return wrk(url, duration, key, lua.name)
    finally:
        os.unlink(lua.name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds per run")
    parser.add_argument("--pg", default=DEFAULT_PG)
    args = parser.parse_args()
    generator = (
        f"wrk -t{THREADS} -c{CONNECTIONS} -d{args.duration}s"
        if shutil.which("wrk")
        else f"httpx, {CONNECTIONS} concurrent connections, {args.duration}s (wrk not installed)"
    )
    key, meeting_id = prepare(args.pg)
    print(f"public_bench on {machine()}; {generator}")
    keep = ("LSPHUB_THREAD_POOL_SIZE",)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("LSPHUB_") or k in keep}
    env = {**base_env, "LSPHUB_DATABASE_URL": args.pg, "LSPHUB_ENV": "prod",
           "LSPHUB_SECRET_KEY": BENCH_SECRET}  # fmt: skip
    port = free_port()
    process = start(server("api.main:create_app"), env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        meeting = httpx.get(f"{base}/public/meetings/{meeting_id}")
        home = httpx.get(f"{base}/public/")
        assert meeting.status_code == 200 and home.status_code == 200
        etag = meeting.headers["etag"]
        assert httpx.get(meeting.url, headers={"If-None-Match": etag}).status_code == 304
        print(
            f"page sizes: home {len(home.content):,} B, meeting {len(meeting.content):,} B "
            "(budget < 50 KB)"
        )
        runs = (
            ("GET /public/ (home)", "/public/", None),
            (f"GET /public/meetings/{meeting_id}", f"/public/meetings/{meeting_id}", None),
            (
                f"GET /public/meetings/{meeting_id} + If-None-Match (304)",
                f"/public/meetings/{meeting_id}",
                {"If-None-Match": etag},
            ),
            ("GET /api/v1/tasks?limit=50 (authenticated)", "/api/v1/tasks?limit=50", None),
        )
        results = []
        for label, path, extra in runs:
            load(f"{base}{path}", 3, key, extra)  # warm up
            results.append((label, load(f"{base}{path}", args.duration, key, extra)))
    finally:
        stop(process)
    list_rps = results[-1][1].rps
    for label, r in results:
        errors = f", {r.errors} errors of {r.requests}" if r.errors else ""
        print(
            f"{label}: {r.rps:,.0f} req/s p50 {r.p50_ms:.1f} ms p99 {r.p99_ms:.1f} ms{errors}"
            f" | ratio to the list endpoint {r.rps / list_rps:.2f}"
        )


if __name__ == "__main__":
    main()
