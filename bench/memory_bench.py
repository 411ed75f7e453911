"""Memory of the production server (issue 21: ≤ 200 MiB for master + 2 workers after load).

Prepares a PostgreSQL database as bench/load_bench.py does (demo data plus the 1,000-task
"Bench" plan), starts the server with production settings and 2 workers, and prints the RSS
of every process in its tree (the master, its workers and any helper such as multiprocessing's
resource tracker) idle, then after ``--requests`` requests of a mix sent by ``--clients``
concurrent clients: the task list, a status update, the performance report and the public
meetings feed, in turn.

    .venv/bin/python bench/memory_bench.py [--server serve|uvicorn] [--requests 4000]
        [--pg URL] [--no-prepare] [--env NAME=VALUE ...]

``--server serve`` runs ``lsphub serve --workers 2`` (the default); ``uvicorn`` runs the
Dockerfile's command line (uvicorn --workers 2 --loop uvloop --http httptools). ``--env``
adds settings for the server (e.g. ``--env LSPHUB_THREAD_POOL_SIZE=8``). ``--no-prepare``
reuses the database of an earlier run. The database named by --pg (default
$LSPHUB_BENCH_PG or lsphub_bench on 127.0.0.1) is wiped unless --no-prepare.
"""

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import BENCH_SECRET, bench_pg, free_port, process_tree  # noqa: E402

DEFAULT_PG = bench_pg("lsphub_bench")
BUDGET_MIB = 200.0
BIN = Path(sys.executable).parent


def prepare(url: str) -> tuple[str, int, list[int]]:
    """Wipe, migrate, seed, the 1,000-task plan and an admin key (as load_bench prepares)."""
    from bench._common import seeded_plan_database

    os.environ["LSPHUB_DATABASE_URL"] = url
    os.environ["LSPHUB_SECRET_KEY"] = BENCH_SECRET
    engine, key, partnership_id, task_ids = seeded_plan_database(url, 1000, "memory bench")
    engine.dispose()
    return key, partnership_id, task_ids


def existing(url: str) -> tuple[str, int, list[int]]:
    """A fresh admin key and the bench plan of a database an earlier run prepared."""
    from sqlalchemy import select

    from api.accounts.keys import create_api_key
    from api.core.db import SessionLocal, make_engine
    from api.core.principal import Role
    from api.partnerships.models import Partnership
    from api.plans.models import Task

    os.environ["LSPHUB_DATABASE_URL"] = url
    os.environ["LSPHUB_SECRET_KEY"] = BENCH_SECRET
    engine = make_engine(url)
    SessionLocal.configure(bind=engine)
    with SessionLocal() as s, s.begin():
        key = create_api_key(s, role=Role.admin, name="memory bench")
        partnership_id = s.scalar(select(Partnership.id).where(Partnership.slug == "bench"))
        task_ids = list(s.scalars(select(Task.id).order_by(Task.id.desc()).limit(1000)))
    engine.dispose()
    assert partnership_id is not None, "no bench plan: run once without --no-prepare"
    return key, partnership_id, task_ids


def command(server: str, port: int) -> list[str]:
    address = ["--host", "127.0.0.1", "--port", str(port)]
    if server == "serve":
        return [str(BIN / "lsphub"), "serve", *address, "--workers", "2"]
    return [str(BIN / "uvicorn"), "api.main:create_app", "--factory", *address,
            "--workers", "2", "--loop", "uvloop", "--http", "httptools",
            "--no-proxy-headers", "--no-access-log"]  # fmt: skip


def report(label: str, pid: int) -> float:
    """Print the tree's RSS summed (the issue's measure) and its PSS summed, each against the
    budget, then every process; returns the RSS sum."""
    processes = process_tree(pid)
    rss_total = sum(rss for _, _, rss, _ in processes)
    pss_total = sum(pss for _, _, _, pss in processes)
    for measure, total in (("RSS summed", rss_total), ("PSS summed", pss_total)):
        print(f"{label}, {measure}: {total:.1f} MiB in {len(processes)} processes | budget ≤ 1 | "
              f"ratio to {BUDGET_MIB:.0f} MiB {total / BUDGET_MIB:.2f}")  # fmt: skip
    for number, argv, rss, pss in processes:
        print(f"  {number:>7} RSS {rss:6.1f} MiB  PSS {pss:6.1f} MiB  {argv[:100]}")
    return rss_total


def load(
    base: str, key: str, partnership_id: int, task_ids: list[int], n: int, clients: int
) -> None:
    """``n`` requests, the four kinds in turn, from ``clients`` threads; fails on any error."""
    paths = [
        "/api/v1/tasks?limit=50",
        None,  # a status update
        f"/api/v1/partnerships/{partnership_id}/performance-report",
        "/api/v1/meetings.ics",
    ]
    errors: list[str] = []

    def client(index: int) -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"},
                          timeout=60) as c:  # fmt: skip
            for i in range(index, n, clients):
                path = paths[i % len(paths)]
                if path is None:
                    body = {"rag": "amber", "position": f"Memory bench {i}",
                            "planned_improvement": "Recover by the next meeting"}  # fmt: skip
                    r = c.post(f"/api/v1/tasks/{task_ids[i % len(task_ids)]}/status-updates",
                               json=body)  # fmt: skip
                else:
                    r = c.get(path)
                if r.status_code >= 300 and len(errors) < 3:
                    errors.append(f"{r.request.method} {r.request.url.path}: {r.status_code} "
                                  f"{r.text[:200]}")  # fmt: skip

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit("memory_bench: " + "; ".join(errors))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", choices=("serve", "uvicorn"), default="serve")
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--no-prepare", action="store_true")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds idle before measuring")
    args = parser.parse_args()

    key, partnership_id, task_ids = (existing if args.no_prepare else prepare)(args.pg)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("LSPHUB_")}
    env = {**base_env, "LSPHUB_DATABASE_URL": args.pg, "LSPHUB_ENV": "prod",
           "LSPHUB_SECRET_KEY": BENCH_SECRET}  # fmt: skip
    env.update(item.split("=", 1) for item in args.env)  # type: ignore[arg-type]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(command(args.server, port), cwd=ROOT, env=env,
                               start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("memory_bench: the server did not start")
            time.sleep(0.2)
        # Both workers answer before "idle" is read: a worker still importing is not idle.
        for _ in range(20):
            httpx.get(f"{base}/health", timeout=5)
        time.sleep(args.settle)
        extra = f" {' '.join(args.env)}" if args.env else ""
        print(f"memory_bench: --server {args.server}{extra}")
        report("idle", process.pid)
        started = time.perf_counter()
        load(base, key, partnership_id, task_ids, args.requests, args.clients)
        seconds = time.perf_counter() - started
        print(f"{args.requests} requests (list, status update, report, feed) from "
              f"{args.clients} clients in {seconds:.1f} s")  # fmt: skip
        time.sleep(args.settle)
        report("after load", process.pid)
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
