"""Import benchmark (DESIGN §9): 100,000 task rows on SQLite and PostgreSQL.

Prints, per database, the time and peak RSS of importing a generated task file into a fresh
database (every row a new task, with its status update; outcomes and actions created too), then
of importing the same file again (every row unchanged), and, as the ratio that counts, the
first import's time relative to a raw ``COPY`` of the same file into a scratch table on the
same PostgreSQL in the same run. Budgets: ≤ 3x COPY, ≤ 20 s on SQLite, peak RSS < 300 MB.
For context it also times a ``COPY`` of the rows the import wrote back into the real
``task`` and ``status_update`` tables (their indexes and foreign keys included): the floor.

    .venv/bin/python bench/import_bench.py [--rows 100000] [--pg URL] [--no-pg]

Each import runs in a child process so that its peak RSS is its own. The PostgreSQL database
named by --pg (default: $LSPHUB_BENCH_PG or lsphub_import on 127.0.0.1) is wiped.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import bench_pg, peak_rss_mb, reset_pg, timer  # noqa: E402
from tests.factories import TASK_HEADER as HEADER  # noqa: E402

DEFAULT_PG = bench_pg("lsphub_import")
RAGS = ["GREEN", "AMBER", "RED", "COMPLETE", ""]


def generate(path: Path, rows: int) -> None:
    """``rows`` tasks: 20 outcomes x 50 actions x (rows / 1,000) tasks each."""
    per_action = max(rows // 1_000, 1)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        n = 0
        for o in range(1, 21):
            for a in range(1, 51):
                for t in range(per_action):
                    if n >= rows:
                        return
                    rag = RAGS[n % 5]
                    writer.writerow(
                        [
                            "bench",
                            f"{o}",
                            f"Outcome {o}: a better place to live",
                            f"{o}.{a}",
                            f"Action {o}.{a}: coordinate partners",
                            f"t{t:04d}",
                            f"Task {n}: run a community event in ward {n % 40}",
                            f"{n % 300} residents reached by March 2027",
                            "On track; partners engaged" if rag else "",
                            rag,
                            "Agree a recovery plan" if rag == "RED" else "",
                            f"2027-{(n % 12) + 1:02d}-{(n % 28) + 1:02d}",
                            f"org-{n % 10}",
                            "",  # no owner
                            "2026-10-01",
                        ]
                    )
                    n += 1


def prepare(url: str) -> None:
    """A fresh, migrated database with a partnership, its strategy and ten organisations."""
    env = {**os.environ, "LSPHUB_DATABASE_URL": url, "LSPHUB_ENV": "dev"}
    if url.startswith("postgresql"):
        reset_pg(url)
    code = """
from alembic import command
from api.cli import _alembic_config
from api.core.db import session_scope
from api.organisations.models import Organisation
from api.partnerships.models import Partnership
from api.plans.models import Strategy
command.upgrade(_alembic_config(), "head")
with session_scope() as s:
    p = Partnership(name="Bench Partnership", slug="bench", kind="strategic")
    s.add(p); s.flush()
    s.add(Strategy(title="Bench strategy", partnership_id=p.id))
    for i in range(10):
        s.add(Organisation(name=f"Org {i}", slug=f"org-{i}", sector="public"))
"""
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=ROOT)


def child(url: str, file: Path) -> None:
    """Run one import in this process and print its figures as JSON."""
    os.environ["LSPHUB_DATABASE_URL"] = url
    os.environ.setdefault("LSPHUB_ENV", "dev")
    from api.core.db import session_scope
    from api.core.principal import Principal, Role
    from api.imports.engine import run_import

    data = file.read_bytes()
    principal = Principal(kind="system", id=0, label="bench", role=Role.admin)
    with timer() as t, session_scope() as session:
        result = run_import(session, principal, "tasks", data=data, file_name=file.name)
    print(
        json.dumps(
            {
                "seconds": t.seconds,
                "peak_rss_mb": peak_rss_mb(),
                "created": result.created,
                "unchanged": result.unchanged,
            }
        )
    )


def run_child(url: str, file: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", url, str(file)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def raw_copy(url: str, file: Path) -> float:
    """Seconds to COPY the same CSV into an unlogged scratch table of text columns."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    columns = ", ".join(f"{name} text" for name in HEADER)
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS import_bench_scratch")
        cur.execute(f"CREATE UNLOGGED TABLE import_bench_scratch ({columns})")
        conn.commit()
        with timer() as t:
            with (
                cur.copy("COPY import_bench_scratch FROM STDIN WITH (FORMAT csv, HEADER)") as copy,
                file.open("rb") as f,
            ):
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
            conn.commit()
        cur.execute("DROP TABLE import_bench_scratch")
        conn.commit()
    return t.seconds


def copy_into_real_tables(url: str) -> float:
    """Seconds to COPY the rows the import wrote back into ``task`` and ``status_update``.

    The floor for any import: the same rows into the real tables, with their indexes,
    foreign keys and checks. The tables are dumped, truncated and loaded again.
    """
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    dumps: dict[str, bytes] = {}
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        for table in ("task", "status_update"):
            with cur.copy(f"COPY {table} TO STDOUT") as copy:
                dumps[table] = b"".join(bytes(chunk) for chunk in copy)
        cur.execute("TRUNCATE status_update, task_indicator, task")
        conn.commit()
        with timer() as t:
            for table in ("task", "status_update"):
                with cur.copy(f"COPY {table} FROM STDIN") as copy:
                    copy.write(dumps[table])
            conn.commit()
    return t.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return

    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        file = Path(tmp) / "tasks.csv"
        generate(file, args.rows)
        print(f"{args.rows:,} task rows, {file.stat().st_size / 1e6:.1f} MB CSV")
        targets = [("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}")]
        if not args.no_pg:
            targets.append(("postgresql", args.pg))
        seconds: dict[str, float] = {}
        peak_rss, ratios = 0.0, ""
        for name, url in targets:
            prepare(url)
            first = run_child(url, file)
            again = run_child(url, file)
            print(
                f"{name:<11} import {first['seconds']:6.2f} s  peak RSS {first['peak_rss_mb']:5.0f}"
                f" MB  ({first['created']:,} created) | re-run {again['seconds']:6.2f} s  "
                f"peak RSS {again['peak_rss_mb']:5.0f} MB  ({again['unchanged']:,} unchanged)"
            )
            peak_rss = max(peak_rss, first["peak_rss_mb"], again["peak_rss_mb"])
            seconds[name] = first["seconds"]
            if name == "postgresql":
                copy_seconds = raw_copy(url, file)
                print(
                    f"postgresql raw COPY {copy_seconds:6.2f} s  ->  import / COPY = "
                    f"{first['seconds'] / copy_seconds:.1f}x (budget 3x)"
                )
                floor = copy_into_real_tables(url)
                print(
                    f"postgresql COPY of the written rows into task + status_update (indexes, "
                    f"foreign keys) {floor:6.2f} s  ->  import / that = "
                    f"{first['seconds'] / floor:.1f}x"
                )
                ratios = (
                    f"; vs COPY into the indexed tables {first['seconds'] / floor:.1f}x; "
                    f"budget 3x | ratio import / raw COPY {first['seconds'] / copy_seconds:.1f}x"
                )
            if name == "sqlite":
                verdict = "within" if first["seconds"] <= 20 else "OVER"
                print(f"sqlite budget 20 s: {verdict}")
        timings = ", ".join(f"{name} {value:.1f} s" for name, value in seconds.items())
        print(
            f"summary: {timings} (SQLite budget 20 s), peak RSS {peak_rss:.0f} MB (budget 300)"
            f"{ratios}"
        )


if __name__ == "__main__":
    main()
