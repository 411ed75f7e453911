"""Search benchmark (issue 17): ``GET /api/v1/search?q=`` with 100,000 tasks, p50 < 50 ms on
PostgreSQL.

Builds a fresh database (demo data plus one partnership whose plan has N tasks, each titled
with four words of a 300-word vocabulary and a target of four more, one task in ten also
mentioning "community"), then runs each query through the ASGI app in process as an admin
(every record visible) and as a partner key (a narrow view), and prints per query the median
(p50), 95th percentile and best time and the number of results.

    .venv/bin/python bench/search_bench.py [--tasks 100000] [--runs 50] [--pg URL] [--sqlite]

The PostgreSQL database named by --pg (default: $LSPHUB_BENCH_PG or lsphub_search on
127.0.0.1) is wiped, unless --reuse queries the one an earlier run left.
"""

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import bench_pg, seeded_plan_database, timer  # noqa: E402

DEFAULT_PG = bench_pg("lsphub_search")
STEMS = [
    "allot",
    "bridge",
    "canal",
    "depot",
    "estate",
    "ferry",
    "garden",
    "harbour",
    "island",
    "jetty",
    "kiosk",
    "library",
    "market",
    "nursery",
    "orchard",
    "pantry",
    "quarry",
    "reservoir",
    "school",
    "theatre",
    "union",
    "viaduct",
    "warehouse",
    "yard",
    "zoo",
]
SUFFIXES = ("", "side", "gate", "field", "wood", "brook", "ford", "ham", "ley", "ton", "well", "by")
VOCABULARY = [s + x for s in STEMS for x in SUFFIXES][:300]
QUERIES = {
    "rare word (~1% of tasks)": VOCABULARY[17],
    "common word (10% of tasks)": "community",
    "two words": f"{VOCABULARY[17]} {VOCABULARY[40]}",
    "prefix as typed": VOCABULARY[123][:4],
    "no match": "zeppelin",
}


def words(i: int, salt: int) -> str:
    n = len(VOCABULARY)
    return " ".join(VOCABULARY[(i * k + salt * 31 + k * 7) % n] for k in (1, 7, 13, 29))


def _seed(url: str, tasks: int) -> tuple[Any, str]:
    from sqlalchemy import text

    engine, admin_key, _, task_ids = seeded_plan_database(url, tasks, "bench")
    with timer() as t, engine.begin() as conn:
        rows = [
            {
                "id": task_id,
                "title": words(i, 1) + (" community" if i % 10 == 0 else ""),
                "target": words(i, 2),
            }
            for i, task_id in enumerate(task_ids)
        ]
        conn.execute(text("UPDATE task SET title = :title, target = :target WHERE id = :id"), rows)
    print(f"{engine.dialect.name}: {tasks} tasks re-titled and indexed in {t.seconds:.1f} s")
    return engine, admin_key


def run(url: str, tasks: int, runs: int, reuse: bool = False) -> None:
    os.environ["LSPHUB_DATABASE_URL"] = url
    os.environ.setdefault("LSPHUB_ENV", "dev")  # production is the default
    from fastapi.testclient import TestClient
    from sqlalchemy import select, text

    from api.accounts.keys import create_api_key
    from api.auth.models import User
    from api.core.db import SessionLocal
    from api.core.principal import Role
    from api.main import create_app

    if reuse:
        from api.core.db import make_engine

        engine = make_engine(url)
        SessionLocal.configure(bind=engine)
        with SessionLocal() as s, s.begin():
            admin_key = create_api_key(s, role=Role.admin, name="bench admin")
        print(f"{engine.dialect.name}: reusing the database of an earlier run")
    else:
        engine, admin_key = _seed(url, tasks)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    with SessionLocal() as s, s.begin():
        member = s.scalars(select(User).where(User.role == Role.member)).one()
        partner_key = create_api_key(
            s, role=Role.partner, name="bench partner", organisation_id=member.organisation_id
        )
    app = create_app()
    entries = 0
    with engine.connect() as conn:
        entries = conn.execute(text("SELECT count(*) FROM search_entry")).scalar_one()
    print(f"  {entries} index entries, {runs} runs per query")
    p50s = []
    for who, key in (("admin", admin_key), ("partner", partner_key)):
        client = TestClient(app, headers={"Authorization": f"Bearer {key}"})
        for label, q in QUERIES.items():
            times = []
            for _ in range(runs):
                with timer() as t:
                    r = client.get("/api/v1/search", params={"q": q})
                assert r.status_code == 200, r.text
                times.append(t.seconds * 1000)
            times.sort()
            p50 = statistics.median(times)
            p50s.append(p50)
            print(
                f"  {who:7} {label:28} q={q!r:24} p50 {p50:6.1f} ms, "
                f"p95 {times[int(len(times) * 0.95) - 1]:6.1f} ms, best {times[0]:6.1f} ms, "
                f"{len(r.json()['items'])} results"
            )
    print(f"  worst p50 {max(p50s):.1f} ms (budget 50 ms on PostgreSQL)")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument(
        "--reuse", action="store_true", help="Query the PostgreSQL database of an earlier run"
    )
    args = parser.parse_args()
    if args.sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{tmp}/bench.db", args.tasks, args.runs)
    else:
        run(args.pg, args.tasks, args.runs, reuse=args.reuse)


if __name__ == "__main__":
    main()
