"""Helpers shared by the benchmarks: timing, peak RSS, free ports and a seeded plan database."""

import os
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from api.core import clock

# The secret key of the servers the benchmarks start (production settings need one).
BENCH_SECRET = "bench-secret-key-that-is-long-enough-0123456789"


def bench_pg(database: str) -> str:
    """The PostgreSQL URL a benchmark uses: $LSPHUB_BENCH_PG, else ``database`` on the local
    server (each benchmark has its own, which it wipes)."""
    return os.environ.get(
        "LSPHUB_BENCH_PG", f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
    )


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


class Timer:
    seconds: float = 0.0


@contextmanager
def timer() -> Iterator[Timer]:
    """``with timer() as t: ...`` then ``t.seconds``."""
    result = Timer()
    start = time.perf_counter()
    try:
        yield result
    finally:
        result.seconds = time.perf_counter() - start


def process_rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident set size of another process, in MB (Linux /proc)."""
    values: dict[str, float] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def descendants(pid: int) -> list[int]:
    """``pid`` and all its descendants, parents before their children (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, queue = [], [pid]
    while queue:
        current = queue.pop(0)
        found.append(current)
        queue.extend(sorted(children.get(current, [])))
    return found


def process_tree(pid: int) -> list[tuple[int, str, float, float]]:
    """(pid, command line, RSS MiB, PSS MiB) of ``pid`` and all its descendants, from /proc.

    RSS counts a page that several processes share (a server's workers forked from one
    parent, say) in each of them; PSS (proportional set size) counts a 1/n share of it in
    each of its n sharers, so a tree's PSS sums to the memory it takes from the machine."""
    found = []
    for current in descendants(pid):
        try:
            with open(f"/proc/{current}/status", encoding="ascii") as status:
                rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
            with open(f"/proc/{current}/smaps_rollup", encoding="ascii") as rollup:
                pss = next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
            with open(f"/proc/{current}/cmdline", "rb") as cmdline:
                argv = cmdline.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except (OSError, StopIteration):
            continue
        found.append((current, argv, rss / 1024, pss / 1024))
    return found


def group_memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a server process and all its descendants (a master and its workers),
    each summed, in MiB. The RSS sum is what the Redmine peer's measure.sh reports for
    puma's master and workers; the PSS sum does not count shared pages more than once."""
    processes = process_tree(pid)
    return sum(p[2] for p in processes), sum(p[3] for p in processes)


def reset_peak_rss(pid: int) -> bool:
    """Reset a process's peak RSS (VmHWM) to its current RSS; False where not permitted."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def reset_pg(url: str) -> None:
    """An empty PostgreSQL database at ``url``: created if the server lacks it, else wiped."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from tests.pg_reset import empty_public_schema

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
            ).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()
    engine = create_engine(target)
    empty_public_schema(engine)
    engine.dispose()


def seeded_plan_database(url: str, tasks: int, key_name: str) -> tuple[Any, str, int, list[int]]:
    """A fresh database at ``url``: migrated, demo data, an admin key and a ``tasks``-task plan.

    PostgreSQL is wiped first and analysed afterwards so plans match a settled database.
    Returns (engine, admin key, partnership id, task ids); the caller disposes of the engine.
    """

    from alembic import command
    from sqlalchemy import text

    from api.accounts.keys import create_api_key
    from api.cli import _alembic_config
    from api.core.db import SessionLocal, make_engine
    from api.core.principal import Role
    from api.demo import seed
    from tests.factories import big_plan

    postgres = url.startswith("postgresql")
    if postgres:
        reset_pg(url)
    engine = make_engine(url)
    config = _alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    SessionLocal.configure(bind=engine)
    with SessionLocal() as s, s.begin():
        seed(s)
        key = create_api_key(s, role=Role.admin, name=key_name)
        partnership_id, task_ids = big_plan(
            s, tasks, name="Bench", slug="bench", plan_title="Bench plan",
            latest=clock.today(), planned_improvement=True,
        )  # fmt: skip
    if postgres:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return engine, key, partnership_id, task_ids
