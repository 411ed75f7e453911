"""HTTP load benchmark (DESIGN §9): the API against bare Starlette + psycopg, driven by wrk.

Prepares a PostgreSQL database (demo data plus a "Bench" partnership whose plan has 1,000
tasks with three status updates each), then starts the API as the image runs it (``lsphub
serve --workers 2``: gunicorn forking two uvicorn workers on uvloop + httptools,
LSPHUB_ENV=prod) and bench/bare_app.py (the same SQL with no framework) side by side, and
drives each with ``wrk -t2 -c32 --latency`` on loopback, for each operation in the order API,
bare, bare, API, half the duration each (``-d10s`` of the default 20), so that both see the
same minutes of the machine and the same database (req/s and p50 are the two runs' mean, p99
the worse of them):

- ``GET /api/v1/tasks?limit=50``                 budget: ≥ 60 % of bare req/s, p99 < 50 ms
- ``GET /api/v1/partnerships/{id}/performance-report`` (1,000 tasks)
- ``POST /api/v1/tasks/{id}/status-updates`` (round robin over the 1,000 tasks; the bare app
  writes the same rows in one transaction, the two audit events included; ``BARE_AUDIT=0``
  leaves them out, the baseline until 2026-12-04)
- ``chain``: the same POST against the API and, straight after, against the API with the
  audit chain's link step stubbed out (bench/unchained_app.py): what the chain costs (one run
  each, the API's first: the stub leaves its events for the next link)

    .venv/bin/python bench/load_bench.py [--duration 20] [--pg URL] [--only list,status,chain]

- ``redmine``: the list against Redmine's ``GET /issues.json?limit=50`` with the same wrk
  settings, when the peer of ../shared/peers/redmine/ is running (setup.sh); req/s ratio and
  both servers' memory (master + workers): RSS summed as its measure.sh sums them, and PSS
  summed, which counts the pages a master shares with its forked workers once. It runs right
  after the list, before the writes: their dead row versions stay in the task table's pages
  after a vacuum, and Redmine's tables see only its reads. The runs after it wait until
  Redmine has served the requests wrk gave up on.

The API's memory (gunicorn's arbiter + 2 workers, RSS and PSS summed) is printed idle and
after load.

Before each operation (and before the Redmine comparison) the database is vacuumed and
analysed, as autovacuum keeps a server with its default settings: this machine's PostgreSQL
runs with ``autovacuum = off`` (its CI configuration), and the status updates' runs alone leave
some 60,000 dead versions of the 1,065 task rows, which every later run would read through.

``--only`` defaults to all five (``redmine`` notes when the peer is not running).
The database named by --pg (default $LSPHUB_BENCH_PG or
lsphub_bench on 127.0.0.1) is wiped. Needs ``wrk`` (Debian: apt-get install -y wrk). Prints
one line per operation, ratio last.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    BENCH_SECRET,
    bench_pg,
    descendants,
    free_port,
    group_memory_mb,
    seeded_plan_database,
)

DEFAULT_PG = bench_pg("lsphub_bench")
BENCH_TASKS = 1000
CONNECTIONS, THREADS = 32, 2
# Issue 21's targets, printed before each ratio.
BUDGETS = {
    "list": " | budget ≥ 0.60, p99 < 50 ms",
    "report": " | budget ≥ 0.70",
    "status": " | budget ≥ 0.30",
}

STATUS_SCRIPT = """
local ids = {%(ids)s}
local span = math.floor(#ids / %(threads)d)
local counter = 0
local offset = 0
local threads = 0
setup = function(thread)
  thread:set("offset", threads * span)
  threads = threads + 1
end
local headers = {}
init = function(args)
  offset = tonumber(wrk.thread:get("offset")) or 0
  for k, v in pairs(wrk.headers) do headers[k] = v end  -- keeps -H Authorization
  headers["Content-Type"] = "application/json"
end
request = function()
  counter = counter + 1
  local id = ids[offset + (counter %% span) + 1]  -- each thread keeps to its own tasks
  local body = '{"rag":"amber","position":"Load test ' .. os.time() .. '-' .. counter .. '",' ..
               '"planned_improvement":"Recover by the next meeting"}'
  return wrk.format("POST", "/api/v1/tasks/" .. id .. "/status-updates", headers, body)
end
local shown = 0
response = function(status, headers, body)
  if status >= 300 and shown < 3 then
    shown = shown + 1
    io.stderr:write(status .. " " .. string.sub(body, 1, 300) .. "\\n")
  end
end
"""


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


def prepare(url: str) -> tuple[str, int, list[int]]:
    """Wipe, migrate, seed; add the 1,000-task bench plan. (admin key, partnership, task ids)"""
    os.environ["LSPHUB_DATABASE_URL"] = url
    os.environ["LSPHUB_SECRET_KEY"] = BENCH_SECRET
    engine, key, partnership_id, task_ids = seeded_plan_database(url, BENCH_TASKS, "load bench")
    engine.dispose()
    return key, partnership_id, task_ids


def server(app: str) -> list[str]:
    """How ``app`` is served: the API's factories as the image serves the API (``lsphub
    serve``: gunicorn forking two uvicorn workers), the bare app by uvicorn's two workers."""
    if app.endswith(":create_app"):
        return [str(Path(sys.executable).parent / "lsphub"), "serve", "--factory", app,
                "--workers", "2", "--no-access-log", "--host", "127.0.0.1"]  # fmt: skip
    return [sys.executable, "-m", "uvicorn", app, "--workers", "2", "--loop", "uvloop",
            "--http", "httptools", "--no-access-log", "--log-level", "warning",
            "--host", "127.0.0.1"]  # fmt: skip


def start(argv: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [*argv, "--port", str(port)], cwd=ROOT, env=env, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/tasks?limit=1", timeout=2)
            return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{argv[0]} did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, 15)
    process.wait(timeout=30)


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    url: str, duration: int, key: str, script: str | None = None, timeout: str | None = None
) -> Result:
    cmd = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency"]
    if key:
        cmd += ["-H", f"Authorization: Bearer {key}"]
    if timeout:
        cmd += ["--timeout", timeout]
    if script:
        cmd += ["-s", script]
    done = subprocess.run([*cmd, url], capture_output=True, text=True, check=True)
    out = done.stdout
    if done.stderr.strip():
        print(done.stderr.strip()[:1500], file=sys.stderr)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return Result(rps, p50, p99, int(errors.group(1)) if errors else 0, requests)


def vacuum(url: str) -> None:
    """``VACUUM ANALYZE`` the whole database: what autovacuum would have done meanwhile."""
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def combined(runs: list[Result]) -> Result:
    """Runs of equal length as one: their mean req/s and p50, their worst p99."""
    return Result(
        rps=sum(r.rps for r in runs) / len(runs),
        p50_ms=sum(r.p50_ms for r in runs) / len(runs),
        p99_ms=max(r.p99_ms for r in runs),
        errors=sum(r.errors for r in runs),
        requests=sum(r.requests for r in runs),
    )


def redmine_run(
    peer_dir: str, port: int, duration: int
) -> tuple[Result, list[tuple[float, float]]] | None:
    """wrk against the Redmine peer's issue list (same settings as ours, its API key in the
    X-Redmine-API-Key header, wrk's timeout raised to 10 s as its measure.sh does), and its
    (RSS, PSS) (puma master + workers) before and at the end of the run; None if it is not
    running."""
    key_file, pid_file = Path(peer_dir) / "api_key", Path(peer_dir) / "server.pid"
    if not key_file.exists() or not pid_file.exists():
        return None
    pid = int(pid_file.read_text().strip())
    if not Path(f"/proc/{pid}").exists():
        return None
    key = key_file.read_text().strip()
    url = f"http://127.0.0.1:{port}/issues.json?limit=50"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(f'wrk.headers["X-Redmine-API-Key"] = "{key}"\n')
    try:
        idle = group_memory_mb(pid)
        wrk(url, 3, "", lua.name, timeout="10s")
        result = wrk(url, duration, "", lua.name, timeout="10s")
        after = group_memory_mb(pid)
        wait_until_idle(pid)
        return result, [idle, after]
    finally:
        os.unlink(lua.name)


def wait_until_idle(pid: int, quiet: float = 2.0, limit: float = 120.0) -> None:
    """Wait until ``pid`` and its descendants have used no CPU for ``quiet`` seconds: Redmine
    keeps serving the requests wrk gave up on after wrk stops, and that backlog would take the
    CPU from the runs after it."""

    def cpu_ticks() -> int:
        total = 0
        for child in descendants(pid):
            try:
                with open(f"/proc/{child}/stat", encoding="ascii", errors="replace") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime + stime
            except (OSError, IndexError, ValueError):
                continue
        return total

    deadline, last = time.monotonic() + limit, cpu_ticks()
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = cpu_ticks()
        if now - last <= 1:
            return
        last = now


def chain_line(label: str, chained: Result, unchained: Result) -> str:
    def side(r: Result) -> str:
        errors = f", {r.errors} non-2xx of {r.requests}" if r.errors else ""
        return f"{r.rps:,.0f} req/s p50 {r.p50_ms:.1f} ms p99 {r.p99_ms:.1f} ms{errors}"

    return (
        f"{label}: with {side(chained)} | without {side(unchained)} | "
        f"ratio with/without {chained.rps / unchained.rps:.2f}"
    )


def machine() -> str:
    cpu = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as info:
        mem_gb = int(info.readline().split()[1]) / 1024 / 1024
    return f"{os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GB RAM, Python {sys.version.split()[0]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run")
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--only", default="list,report,status,chain,redmine")
    parser.add_argument("--redmine-dir", default=os.environ.get("PEER_DIR", "/tmp/redmine-peer"))
    parser.add_argument("--redmine-port", type=int, default=int(os.environ.get("PORT", 3999)))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("load_bench: wrk is not installed (Debian: apt-get install -y wrk)")
    only = set(args.only.split(","))

    key, partnership_id, task_ids = prepare(args.pg)
    print(f"load_bench on {machine()}; wrk -t{THREADS} -c{CONNECTIONS} -d{args.duration}s")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(STATUS_SCRIPT % {"ids": ",".join(map(str, task_ids)), "threads": THREADS})
    operations = {
        "list": ("GET /api/v1/tasks?limit=50", "/api/v1/tasks?limit=50", None),
        "report": (
            "GET performance-report (1,000 tasks)",
            f"/api/v1/partnerships/{partnership_id}/performance-report",
            None,
        ),
        "status": ("POST /api/v1/tasks/{id}/status-updates", "/", lua.name),
        "chain": ("audit chain on POST /api/v1/tasks/{id}/status-updates", "/", lua.name),
        "redmine": ("list against Redmine", "", None),
    }
    # The API gets only the settings below (and a thread pool size, to compare sizes).
    keep = ("LSPHUB_THREAD_POOL_SIZE",)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("LSPHUB_") or k in keep}
    api_env = {**base_env, "LSPHUB_DATABASE_URL": args.pg, "LSPHUB_ENV": "prod",
               "LSPHUB_SECRET_KEY": BENCH_SECRET}  # fmt: skip
    bare_env = {**base_env, "BARE_DATABASE_URL": args.pg.replace("+psycopg", "")}
    results: dict[str, dict[str, Result]] = {}
    memory: dict[str, list[tuple[float, float]]] = {}
    sides = {
        "api": (server("api.main:create_app"), api_env, set(operations)),
        "unchained": (server("bench.unchained_app:create_app"), api_env, {"chain"}),
        "bare": (server("bench.bare_app:app"), bare_env, {"list", "report", "status"}),
    }
    ports: dict[str, int] = {}
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for side, (argv, env, serves) in sides.items():
            if only & serves:
                ports[side] = free_port()
                processes[side] = start(argv, env, ports[side])
        if "api" in processes:
            api_pid = processes["api"].pid
            memory["api"] = [group_memory_mb(api_pid)]

        def run(side: str, path: str, script: str | None, seconds: int) -> Result:
            result = wrk(f"http://127.0.0.1:{ports[side]}{path}", seconds, key, script)
            if side == "api":
                memory["api"].append(group_memory_mb(api_pid))
            return result

        for name in ("list", "redmine", "report", "status"):
            if name == "redmine" and name in only:
                # Before the writes, which leave the task table many times its size (see
                # above), as Redmine's own tables are left by its reads.
                vacuum(args.pg)
                results["redmine"] = {
                    "api": run("api", "/api/v1/tasks?limit=50", None, args.duration)
                }
                redmine = redmine_run(args.redmine_dir, args.redmine_port, args.duration)
                if redmine is not None:
                    results["redmine"]["redmine"], memory["redmine"] = redmine
            elif name in only:
                _, path, script = operations[name]
                vacuum(args.pg)
                for side in ("api", "bare"):
                    run(side, path, script, 3)  # warm up: connections, caches
                # A B B A, half the duration each: both sides see the same minutes of the
                # machine's drift and the same state of the database.
                half = max(1, args.duration // 2)
                runs = {side: [run(side, path, script, half)] for side in ("api", "bare")}
                for side in ("bare", "api"):
                    runs[side].append(run(side, path, script, half))
                results[name] = {side: combined(r) for side, r in runs.items()}
        if "bare" in processes:  # its pool's connections would leave too few for the stub's
            stop(processes.pop("bare"))
        if "chain" in only:
            # API first, then the stub: the stub leaves its events unlinked, which the API's
            # next link would take on.
            _, path, script = operations["chain"]
            for side in ("api", "unchained"):
                vacuum(args.pg)
                run(side, path, script, 3)
                results.setdefault("chain", {})[side] = run(side, path, script, args.duration)
    finally:
        for process in processes.values():
            stop(process)
    os.unlink(lua.name)
    if "api" in memory:
        idle, *loaded = memory["api"]
        for index, measure in enumerate(("RSS", "PSS")):
            after = max((m[index] for m in loaded), default=idle[index])
            print(
                f"API memory (lsphub serve: arbiter + 2 workers, {measure} summed): idle "
                f"{idle[index]:.0f} MiB, after load {after:.0f} MiB | budget ≤ 1 | "
                f"ratio after load/200 MiB {after / 200:.2f}"
            )
    if "redmine" in results:
        api = results["redmine"]["api"]
        peer = results["redmine"].get("redmine")
        if peer is None:
            print("redmine: the peer is not running (../shared/peers/redmine/setup.sh)")
        else:
            versus = "GET /api/v1/tasks?limit=50 vs Redmine GET /issues.json?limit=50"
            print(
                f"{versus}: api {api.rps:,.0f} req/s p99 {api.p99_ms:.1f} ms | redmine "
                f"{peer.rps:,.1f} req/s p99 {peer.p99_ms:.0f} ms | budget ≥ 50 | "
                f"ratio api/redmine {api.rps / peer.rps:.1f}"
            )
            (peer_idle, peer_after), ours = memory["redmine"], memory["api"]
            for index, measure in enumerate(("RSS", "PSS")):
                api_after = max((m[index] for m in ours[1:]), default=ours[0][index])
                print(
                    f"{versus}, memory after load ({measure} summed): api {api_after:.0f} MiB "
                    f"| redmine {peer_idle[index]:.0f} → {peer_after[index]:.0f} MiB | "
                    f"budget ≤ 0.5 | ratio api/redmine {api_after / peer_after[index]:.2f}"
                )

    for name, (label, _, _) in operations.items():
        if name not in results or name == "redmine":
            continue
        if name == "chain":
            print(chain_line(label, results[name]["api"], results[name]["unchained"]))
            continue
        api, bare = results[name]["api"], results[name]["bare"]
        budget = BUDGETS.get(name, "")
        errors = f", {api.errors} non-2xx of {api.requests}" if api.errors else ""
        print(
            f"{label}: api {api.rps:,.0f} req/s p50 {api.p50_ms:.1f} ms p99 {api.p99_ms:.1f} ms"
            f"{errors} | bare {bare.rps:,.0f} req/s p50 {bare.p50_ms:.1f} ms "
            f"p99 {bare.p99_ms:.1f} ms{budget} | ratio api/bare {api.rps / bare.rps:.2f}"
        )


if __name__ == "__main__":
    main()
