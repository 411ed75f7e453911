"""Years of data (DESIGN §9): single-request latency at demo size and after a county's decade.

Prepares the load benchmark's PostgreSQL database (demo data plus the 1,000-task "Bench"
plan), times every paged, aggregate, governance, freshness, search and public endpoint below
(median of ``--repeat`` requests, in process through httpx's ASGI transport, one at a time),
then loads ten partnerships' decade and times them again. Each partnership gets one action
plan a year of ``--tasks``/100 tasks (100,000 tasks in all), ten status updates a task
(1,000,000), twelve members and its share of ``--meetings`` meetings (5,000) with every
member's attendance; ``--measurements`` measurements (50,000) spread over the decade; every
task already there gets ten years of older history. Structure goes in through the ORM, the
bulk by COPY, then ``VACUUM ANALYZE``.

Each line ends with the ratio decade/demo (budget ≤ 2): the Bench partnership's own pages
compare its plan with itself after ten years of history in the county's database. Every
statement an endpoint runs on the large database is EXPLAINed; a sequential scan of a large
table is named on its line. The last lines compare what grows with the county's structure per
row: the strategy's progress per outcome, governance per active partnership, and the report of
a decade partnership (ten plans, ten times the tasks) per task with the Bench plan's.

    .venv/bin/python bench/scale_bench.py [--tasks 100000] [--meetings 5000] [--repeat 9]
    .venv/bin/python bench/scale_bench.py --reuse [--rounds 3]

The database named by --pg (default $LSPHUB_BENCH_PG or lsphub_bench) is wiped. With
``--reuse`` it keeps the decade and ``<pg>_demo`` the demo size between runs (each built when
absent, migrated when present), and the two are timed alternately, one process per database
and round, so that a ratio compares figures measured side by side.
"""

import argparse
import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import bench_pg, seeded_plan_database  # noqa: E402

DEFAULT_PG = bench_pg("lsphub_bench")
LARGE_TABLES = ("task", "status_update", "measurement", "meeting", "attendance")
UPDATES_PER_TASK = 10
PARTNERSHIPS, YEARS, MEMBERS = 10, 10, 12


@dataclass
class Decade:
    """What the decade's structure holds: ids the bulk rows refer to."""

    first_year: int
    plans: list[tuple[int, list[int]]] = field(default_factory=list)  # (year, action ids)
    partnerships: list[tuple[int, list[int]]] = field(default_factory=list)  # (id, members)
    organisations: list[int] = field(default_factory=list)


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
        ("meetings", "/api/v1/meetings?limit=50"),
        ("held meetings, latest first", "/api/v1/meetings?status=held&sort=-starts_at&limit=50"),
        ("attendance of a meeting", "/api/v1/meetings/{meeting}/attendance"),
        ("search", "/api/v1/search?q=venue"),
        ("dashboard", "/api/v1/dashboard"),
        ("freshness", "/api/v1/freshness"),
        ("governance", "/api/v1/governance"),
        ("partnership governance", f"/api/v1/partnerships/{partnership_id}/governance"),
        ("performance report", f"/api/v1/partnerships/{partnership_id}/performance-report"),
        ("strategies progress", "/api/v1/strategies/{strategy}/progress"),
        ("report index", "/api/v1/report-index"),
        ("public home", "/public/"),
        ("public meetings", "/public/meetings"),
        ("public decisions", "/public/decisions"),
    ]


def build_structure(url: str, partnerships: int, plans: int, tasks_per_plan: int) -> Decade:
    """The decade's partnerships, each with its outcomes, one action plan a year (one action
    per 20 tasks), members and their people: few rows, written through the ORM."""
    from sqlalchemy import func
    from sqlalchemy.orm import Session
    from sqlmodel import col, select

    import api.models  # noqa: F401
    from api.core.db import make_engine
    from api.organisations.models import Organisation
    from api.partnerships.models import Membership, Partnership, PartnershipKind
    from api.people.models import Person
    from api.plans.models import Action, ActionPlan, Outcome, Strategy

    first_year = date.today().year - plans + 1
    decade = Decade(first_year=first_year)
    engine = make_engine(url)
    with Session(engine) as s, s.begin():
        strategy_id = s.scalar(select(func.min(col(Strategy.id))))
        assert strategy_id is not None, "the demo data has a strategy"
        orgs = [o for o in s.scalars(select(col(Organisation.id))) if o is not None]
        for k in range(1, partnerships + 1):
            partnership = Partnership(
                name=f"Decade partnership {k}", slug=f"decade-{k}", kind=PartnershipKind.thematic
            )
            s.add(partnership)
            s.flush()
            outcomes = [
                Outcome(strategy_id=strategy_id, code=f"{20 + k}.{i}",
                        title=f"Decade outcome {20 + k}.{i}", lead_partnership_id=partnership.id)
                for i in range(1, 11)
            ]  # fmt: skip
            people = [
                Person(name=f"Decade member {k}.{m}", email=f"decade{k}.{m}@example.org",
                       organisation_id=orgs[(k + m) % len(orgs)])
                for m in range(MEMBERS)
            ]  # fmt: skip
            s.add_all([*outcomes, *people])
            s.flush()
            members = [
                Membership(person_id=person.id, partnership_id=partnership.id,  # type: ignore[arg-type]
                           on_behalf_of_id=person.organisation_id,
                           started_on=date(first_year, 1, 1))
                for person in people
            ]  # fmt: skip
            s.add_all(members)
            for year in range(first_year, first_year + plans):
                plan = ActionPlan(partnership_id=partnership.id, title=f"Action plan {year}",  # type: ignore[arg-type]
                                  period=f"{year}-{(year + 1) % 100:02d}")  # fmt: skip
                s.add(plan)
                s.flush()
                actions = [
                    Action(action_plan_id=plan.id, outcome_id=outcomes[a % 10].id,  # type: ignore[arg-type]
                           ref=f"{year}.{a}", title=f"Action {year}.{a}")
                    for a in range(max(1, tasks_per_plan // 20))
                ]  # fmt: skip
                s.add_all(actions)
                s.flush()
                decade.plans.append((year, [a.id for a in actions if a.id is not None]))
            s.flush()
            assert partnership.id is not None
            decade.partnerships.append((partnership.id, [m.id for m in members if m.id]))
        decade.organisations = orgs
    engine.dispose()
    return decade


def copy_decade(url: str, decade: Decade, tasks_per_plan: int, meetings: int,
                measurements: int) -> dict[str, int]:  # fmt: skip
    """COPY the decade's rows: each plan's tasks with ten status updates across its year (the
    task takes the latest; four in five of a past year's tasks end complete), ten years of
    older history for every task already there, ``meetings`` meetings with every member's
    attendance, and ``measurements`` measurements. Returns the rows written per table."""
    import psycopg

    conninfo = url.replace("+psycopg", "")
    today = date.today()
    rags = ("green", "amber", "red", "complete", None)
    words = ("venue", "funding", "volunteers", "survey", "training", "housing", "transport")
    orgs = decade.organisations
    written = dict.fromkeys(("task", "status_update", "meeting", "attendance", "measurement"), 0)
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        existing = [r[0] for r in cur.execute("SELECT id FROM task ORDER BY id").fetchall()]
        first = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM task").fetchone()
        assert first is not None
        next_id = int(first[0])
        tasks: list[tuple[int, date, int, str | None]] = []  # (id, plan year, serial, RAG)
        with cur.copy(
            "COPY task (id, created_at, updated_at, version, action_id, ref, title, target, "
            "position, rag, planned_improvement, deadline, lead_organisation_id, "
            "last_reported_on) FROM STDIN"
        ) as copy:
            n = 0
            for year, actions in decade.plans:
                current = year == today.year
                for i in range(tasks_per_plan):
                    last_day = 36 * (UPDATES_PER_TASK - 1) + n % 20
                    latest = min(today, date(year, 1, 10) + timedelta(days=last_day))
                    rag = rags[n % 5] if current or n % 5 == 0 else "complete"
                    copy.write_row((
                        next_id, date(year, 1, 2), latest, 1, actions[i % len(actions)],
                        f"t{i}", f"Decade task {n}: {words[n % 7]} {words[(n // 7) % 7]}",
                        "Target text", f"Position {n}", rag,
                        "Planned improvement" if rag == "red" else None,
                        date(year, 12, 31), orgs[n % len(orgs)], latest,
                    ))  # fmt: skip
                    tasks.append((next_id, date(year, 1, 10), n, rag))
                    next_id += 1
                    n += 1
        written["task"] = len(tasks)
        with cur.copy(
            "COPY status_update (task_id, rag, position, planned_improvement, reported_on, "
            "note, author, created_at) FROM STDIN"
        ) as copy:
            for task_id, start, n, final in tasks:
                for k in range(UPDATES_PER_TASK - 1):
                    on = min(today, start + timedelta(days=36 * k + n % 20))
                    copy.write_row((task_id, rags[(n + k) % 5], f"Position {n}/{k}", None, on,
                                    None, "decade", on))  # fmt: skip
                # The last update is what the task holds.
                on = min(today, start + timedelta(days=36 * (UPDATES_PER_TASK - 1) + n % 20))
                copy.write_row((task_id, final, f"Position {n}",
                                "Planned improvement" if final == "red" else None, on, None,
                                "decade", on))  # fmt: skip
                written["status_update"] += UPDATES_PER_TASK
            for task_id in existing:  # ten years of older history, the latest unchanged
                for k in range(1, UPDATES_PER_TASK + 1):
                    on = today - timedelta(days=365 * k + 200)
                    copy.write_row((task_id, rags[(task_id + k) % 5], f"Earlier {k}", None, on,
                                    None, "decade", on))  # fmt: skip
                    written["status_update"] += 1
        cur.execute("SELECT setval('task_id_seq', (SELECT max(id) FROM task))")
        first = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM meeting").fetchone()
        assert first is not None
        meeting_id = int(first[0])
        per_partnership = max(1, meetings // len(decade.partnerships))
        step = timedelta(days=365 * len({y for y, _ in decade.plans}) // per_partnership)
        held: list[tuple[int, list[int], int]] = []
        with cur.copy(
            "COPY meeting (id, created_at, updated_at, version, partnership_id, kind, title, "
            "starts_at, location, status, public) FROM STDIN"
        ) as copy:
            for k, (partnership_id, _) in enumerate(decade.partnerships):
                for m in range(per_partnership):
                    starts = datetime(decade.first_year, 1, 6, 18, tzinfo=UTC) + step * m
                    past = starts.date() < today
                    copy.write_row((
                        meeting_id, starts - timedelta(days=30), starts, 1, partnership_id,
                        "ordinary", f"Meeting {m + 1}", starts, "Council chamber",
                        "held" if past else "scheduled", True,
                    ))  # fmt: skip
                    if past:
                        held.append((meeting_id, decade.partnerships[k][1], m))
                    meeting_id += 1
                    written["meeting"] += 1
        cur.execute("SELECT setval('meeting_id_seq', (SELECT max(id) FROM meeting))")
        statuses = ("present", "present", "present", "apologies", "absent")
        with cur.copy(
            "COPY attendance (created_at, updated_at, version, meeting_id, membership_id, "
            "status) FROM STDIN"
        ) as copy:
            for held_id, members, m in held:
                for j, membership_id in enumerate(members):
                    copy.write_row((today, today, 1, held_id, membership_id, statuses[(m + j) % 5]))
                    written["attendance"] += 1
        indicators = [r[0] for r in cur.execute("SELECT id FROM indicator ORDER BY id").fetchall()]
        per_indicator = max(1, measurements // len(indicators))
        with cur.copy(
            "COPY measurement (indicator_id, area, period, value, reported_on, source, "
            "reported_by, created_at, updated_at, version) FROM STDIN"
        ) as copy:
            for i, indicator in enumerate(indicators):
                for m in range(per_indicator):
                    year = decade.first_year + m % 10
                    period = f"{year}-{(year + 1) % 100:02d}-Q{1 + (m // 10) % 4}"
                    area = f"E{(8_000_000 + m // 40):08d}"
                    on = date(year, 7, 1)
                    copy.write_row(
                        (indicator, area, period, 10 + (m + i) % 50, on, "Scale", "scale", on,
                         on, 1)
                    )  # fmt: skip
                    written["measurement"] += 1
        conn.commit()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return written


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


@dataclass
class Prepared:
    """A database ready for timing: an admin key, the Bench partnership and its plan's tasks,
    and the ids the paths name."""

    key: str
    partnership_id: int
    task_ids: list[int]
    strategy: int
    meeting: int
    tasks: int
    grown: int | None  # a decade partnership, when the database holds the decade


def prepared(url: str) -> Prepared:
    """What a database seeded by this script holds, with a new admin key (the key's secret
    is not stored, so a reused database needs its own)."""
    from sqlalchemy import text

    from api.accounts.keys import create_api_key
    from api.core.db import SessionLocal, make_engine
    from api.core.principal import Role

    engine = make_engine(url)
    SessionLocal.configure(bind=engine)
    with SessionLocal() as s, s.begin():
        key = create_api_key(s, role=Role.admin, name="scale bench")
        one = s.execute(text("SELECT min(id) FROM partnership WHERE slug = 'bench'")).scalar_one()
        tasks = s.execute(
            text(
                "SELECT task.id FROM task JOIN action ON action.id = task.action_id "
                "JOIN action_plan ON action_plan.id = action.action_plan_id "
                "WHERE action_plan.partnership_id = :p AND action_plan.title = 'Bench plan' "
                "ORDER BY task.id"
            ),
            {"p": one},
        ).scalars()
        found = Prepared(
            key=key,
            partnership_id=one,
            task_ids=list(tasks),
            strategy=s.execute(text("SELECT min(id) FROM strategy")).scalar_one(),
            meeting=s.execute(text("SELECT min(meeting_id) FROM attendance")).scalar_one(),
            tasks=s.execute(text("SELECT count(*) FROM task")).scalar_one(),
            grown=s.execute(
                text("SELECT min(id) FROM partnership WHERE slug = 'decade-1'")
            ).scalar_one(),
        )
    engine.dispose()
    return found


def holds(url: str, slug: str) -> bool:
    """Whether the database at ``url`` exists and holds the partnership ``slug``."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            query = text("SELECT count(*) FROM partnership WHERE slug = :s")
            return bool(conn.execute(query, {"s": slug}).scalar_one())
    except DBAPIError:
        return False
    finally:
        engine.dispose()


def upgraded(url: str) -> None:
    """A reused database brought to the code's migrations, analysed if any ran."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import text

    from api.cli import _alembic_config
    from api.core.db import make_engine

    engine = make_engine(url)
    config = _alembic_config()
    with engine.begin() as conn:
        before = MigrationContext.configure(conn).get_current_revision()
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        after = MigrationContext.configure(conn).get_current_revision()
    if before != after:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def paths_of(db: Prepared, partnership_id: int | None = None) -> list[tuple[str, str]]:
    deep = max(0, int(db.tasks * 0.9) // 50 * 50)
    return [
        (name, path.format(task=db.task_ids[0], strategy=db.strategy, meeting=db.meeting))
        for name, path in endpoints(partnership_id or db.partnership_id, deep)
    ]


def time_one(url: str, repeat: int) -> None:
    """Time every endpoint on one prepared database and print the medians as JSON (the
    ``--reuse`` runs start one process per database and side, alternately)."""
    import json

    os.environ["LSPHUB_DATABASE_URL"] = url
    db = prepared(url)
    from api.main import create_app

    paths = paths_of(db)
    if db.grown is not None:
        paths.append(("grown", f"/api/v1/partnerships/{db.grown}/performance-report"))
    print(json.dumps(asyncio.run(time_all(create_app(), db.key, paths, repeat))))


def reuse(args: argparse.Namespace, tasks_per_plan: int) -> None:
    """Build the demo-size and decade databases unless they are there already (then bring
    them to the code's migrations), and time them alternately, one process a side, ``--rounds``
    times: each endpoint's figure is the median of its per-round medians."""
    import json
    import subprocess

    demo_url, decade_url = args.pg + "_demo", args.pg
    if not holds(demo_url, "bench"):
        seeded_plan_database(demo_url, 1000, "scale bench")[0].dispose()
    else:
        upgraded(demo_url)
    if not holds(decade_url, "decade-1"):
        started = time.perf_counter()
        seeded_plan_database(decade_url, 1000, "scale bench")[0].dispose()
        decade = build_structure(decade_url, PARTNERSHIPS, YEARS, tasks_per_plan)
        written = copy_decade(decade_url, decade, tasks_per_plan, args.meetings, args.measurements)
        rows = ", ".join(f"+{n:,} {table}" for table, n in written.items())
        print(f"scale_bench: decade loaded: {rows}; built in {time.perf_counter() - started:.0f} s")
    else:
        upgraded(decade_url)
    runs: dict[str, list[dict[str, float]]] = {"demo": [], "decade": []}
    for n in range(args.rounds):
        for side, url in (("demo", demo_url), ("decade", decade_url)):
            out = subprocess.run(
                [sys.executable, __file__, "--time-only", url, "--repeat", str(args.repeat)],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            runs[side].append(json.loads(out.strip().splitlines()[-1]))
        load = os.getloadavg()[0]
        print(f"scale_bench: round {n + 1} of {args.rounds} done, load average {load:.1f}")
    small = {k: statistics.median(r[k] for r in runs["demo"]) for k in runs["demo"][0]}
    large = {k: statistics.median(r[k] for r in runs["decade"]) for k in runs["decade"][0]}
    os.environ["LSPHUB_DATABASE_URL"] = decade_url
    db = prepared(decade_url)
    demo_tasks = len(prepared(demo_url).task_ids)
    from api.core.db import SessionLocal, make_engine
    from api.main import create_app

    SessionLocal.configure(bind=make_engine(decade_url))
    report(small, large, seq_scans(create_app(), db.key, paths_of(db)), paths_of(db))
    report_per_row(small, large, structure(demo_url), structure(decade_url))
    per_task = (large["grown"] / (tasks_per_plan * YEARS)) / (
        small["performance report"] / demo_tasks
    )
    print(
        f"scale_bench: performance report of a decade partnership ({tasks_per_plan * YEARS:,} "
        f"tasks in {YEARS} plans): {large['grown']:.1f} ms | ratio per task {per_task:.2f}"
    )


def report(
    small: dict[str, float],
    large: dict[str, float],
    scans: dict[str, list[str]],
    paths: list[tuple[str, str]],
) -> None:
    worst = 0.0
    for name, _ in paths:
        ratio = large[name] / small[name]
        worst = max(worst, ratio)
        seq = f"; seq scan of {', '.join(scans[name])}" if scans[name] else ""
        print(
            f"scale_bench: {name}: demo {small[name]:.1f} ms, decade {large[name]:.1f} ms"
            f"{seq} | ratio decade/demo {ratio:.2f}"
        )
    print(f"scale_bench: summary: budget ≤ 2 | worst ratio decade/demo {worst:.2f}")


def structure(url: str) -> dict[str, int]:
    """What the aggregates without paging show one row or section of: the strategy's
    outcomes (its progress table) and the active partnerships (the governance checks)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                "strategies progress": conn.execute(
                    text("SELECT count(*) FROM outcome WHERE strategy_id = "
                         "(SELECT min(id) FROM strategy)")
                ).scalar_one(),
                "governance": conn.execute(
                    text("SELECT count(*) FROM partnership WHERE status = 'active'")
                ).scalar_one(),
            }  # fmt: skip
    finally:
        engine.dispose()


def report_per_row(
    small: dict[str, float], large: dict[str, float], demo: dict[str, int], decade: dict[str, int]
) -> None:
    """The aggregates whose answer grows with the county's structure rather than with its
    years (the decade adds ten partnerships and a hundred outcomes): their time per outcome or
    per partnership shown, as the decade partnership's report is compared per task."""
    units = {"strategies progress": "outcome", "governance": "active partnership"}
    for name, unit in units.items():
        per_row = (large[name] / decade[name]) / (small[name] / demo[name])
        print(
            f"scale_bench: {name} per {unit}: demo {small[name]:.1f} ms for {demo[name]}, "
            f"decade {large[name]:.1f} ms for {decade[name]} | ratio per {unit} {per_row:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--meetings", type=int, default=5_000)
    parser.add_argument("--measurements", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the decade in --pg and the demo size in --pg + '_demo' (built when absent, "
        "migrated when present) and time them alternately, one process a side",
    )
    parser.add_argument("--rounds", type=int, default=3, help="with --reuse: alternations")
    parser.add_argument("--time-only", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("LSPHUB_ENV", "dev")
    tasks_per_plan = max(1, args.tasks // (PARTNERSHIPS * YEARS))
    if args.time_only:
        time_one(args.time_only, args.repeat)
        return
    if args.reuse:
        reuse(args, tasks_per_plan)
        return
    os.environ["LSPHUB_DATABASE_URL"] = args.pg

    engine, key, partnership_id, task_ids = seeded_plan_database(args.pg, 1000, "scale bench")
    from sqlalchemy import text

    with engine.connect() as conn:
        strategy = conn.execute(text("SELECT min(id) FROM strategy")).scalar_one()
        meeting = conn.execute(text("SELECT min(meeting_id) FROM attendance")).scalar_one()
        demo_tasks = conn.execute(text("SELECT count(*) FROM task")).scalar_one()
    engine.dispose()
    from api.main import create_app

    def paths(total: int) -> list[tuple[str, str]]:
        deep = max(0, int(total * 0.9) // 50 * 50)
        return [
            (name, path.format(task=task_ids[0], strategy=strategy, meeting=meeting))
            for name, path in endpoints(partnership_id, deep)
        ]

    app = create_app()
    small = asyncio.run(time_all(app, key, paths(demo_tasks), args.repeat))
    demo_structure = structure(args.pg)
    started = time.perf_counter()
    decade = build_structure(args.pg, PARTNERSHIPS, YEARS, tasks_per_plan)
    written = copy_decade(args.pg, decade, tasks_per_plan, args.meetings, args.measurements)
    loaded = time.perf_counter() - started
    total = demo_tasks + written["task"]
    rows = ", ".join(f"+{n:,} {table}" for table, n in written.items())
    print(f"scale_bench: {demo_tasks:,} → {total:,} tasks; {rows}; built in {loaded:.0f} s")
    large = asyncio.run(time_all(app, key, paths(total), args.repeat))
    report(large=large, small=small, scans=seq_scans(app, key, paths(total)), paths=paths(total))
    report_per_row(small, large, demo_structure, structure(args.pg))
    # A decade partnership's report holds all ten of its plans: compare its cost per task.
    grown = f"/api/v1/partnerships/{decade.partnerships[0][0]}/performance-report"
    big = asyncio.run(time_all(app, key, [("grown", grown)], args.repeat))["grown"]
    per_task = (big / (tasks_per_plan * YEARS)) / (small["performance report"] / len(task_ids))
    print(
        f"scale_bench: performance report of a decade partnership ({tasks_per_plan * YEARS:,} "
        f"tasks in {YEARS} plans): {big:.1f} ms against the Bench plan's "
        f"{small['performance report']:.1f} ms for {len(task_ids):,} "
        f"| ratio per task {per_task:.2f}"
    )


if __name__ == "__main__":
    main()
