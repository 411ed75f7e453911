"""Reminder run at county scale: 10,000 people across 100,000 tasks (issue 19).

100 partnerships, each meeting in three days, each with 100 members representing 10 lead
organisations and 1,000 tasks (100 per organisation); nine tasks in ten have not been updated
this cycle. One reminder run must queue one message per contact (10,000), list each
organisation's stale tasks, read in a fixed number of queries and finish in seconds; a second
run queues nothing (the dedupe keys).

    .venv/bin/python bench/reminder_bench.py                          # SQLite, a temp file
    .venv/bin/python bench/reminder_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/lsphub_bench

The PostgreSQL database named is wiped. Prints the command, then one summary line.
"""

import argparse
import os
import shlex
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LSPHUB_ENV", "dev")

PARTNERSHIPS = 100
ORGS_PER_PARTNERSHIP = 10
PEOPLE_PER_ORG = 10  # 100 members a partnership, 10,000 people in all
TASKS_PER_ORG = 100  # 1,000 tasks a partnership, 100,000 in all


def build(url: str) -> None:
    from alembic import command
    from sqlalchemy import insert, select

    from api.cli import _alembic_config
    from api.core import clock
    from api.core.db import session_scope
    from api.meetings.models import Meeting
    from api.organisations.models import Organisation
    from api.partnerships.models import Membership, Partnership
    from api.people.models import Person
    from api.plans.models import Action, ActionPlan, Outcome, Strategy, Task

    command.upgrade(_alembic_config(), "head")
    today = clock.today()
    now = clock.now()
    with session_scope() as s:
        strategy = Strategy(title="Bench strategy")
        s.add(strategy)
        s.flush()
        for p in range(PARTNERSHIPS):
            partnership = Partnership(name=f"Bench group {p}", slug=f"bench-{p}", kind="thematic")
            s.add(partnership)
            s.flush()
            orgs = [
                Organisation(name=f"Org {p}-{o}", slug=f"org-{p}-{o}", sector="public")
                for o in range(ORGS_PER_PARTNERSHIP)
            ]
            outcome = Outcome(strategy_id=strategy.id, code=f"{p}.1", title=f"Outcome {p}")
            plan = ActionPlan(partnership_id=partnership.id, title=f"Plan {p}")  # type: ignore[arg-type]
            s.add_all([*orgs, outcome, plan])
            s.flush()
            action = Action(action_plan_id=plan.id, outcome_id=outcome.id, ref=f"{p}.1",  # type: ignore[arg-type]
                            title="Action")  # fmt: skip
            s.add(action)
            s.add_all(
                [
                    Meeting(partnership_id=partnership.id, title=f"Meeting {p}-prev",  # type: ignore[arg-type]
                            starts_at=now - timedelta(days=60), status="held"),
                    Meeting(partnership_id=partnership.id, title=f"Meeting {p}-next",  # type: ignore[arg-type]
                            starts_at=now + timedelta(days=3)),
                ]
            )  # fmt: skip
            s.flush()
            people = [
                {"name": f"Person {p}-{o}-{i}", "email": f"p{p}.o{o}.i{i}@example.org",
                 "organisation_id": orgs[o].id}
                for o in range(ORGS_PER_PARTNERSHIP)
                for i in range(PEOPLE_PER_ORG)
            ]  # fmt: skip
            s.execute(insert(Person), people)
            ids = s.scalars(
                select(Person.id).where(Person.email.like(f"p{p}.o%"))  # type: ignore[union-attr]
            ).all()
            s.execute(
                insert(Membership),
                [{"person_id": i, "partnership_id": partnership.id,
                  "started_on": today - timedelta(days=400)} for i in ids],
            )  # fmt: skip
            s.execute(
                insert(Task),
                [
                    {"action_id": action.id, "ref": f"t{o}-{t}", "title": f"Task {o}-{t}",
                     "lead_organisation_id": orgs[o].id, "rag": "amber",
                     "last_reported_on": today - timedelta(days=10 if t % 10 == 0 else 90)}
                    for o in range(ORGS_PER_PARTNERSHIP)
                    for t in range(TASKS_PER_ORG)
                ],
            )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    tmp = None
    url = args.database_url
    if url is None:
        tmp = tempfile.TemporaryDirectory(prefix="reminder-bench-")
        url = f"sqlite:///{tmp.name}/bench.db"
    elif url.startswith("postgresql"):
        from bench._common import reset_pg

        reset_pg(url)
    os.environ["LSPHUB_DATABASE_URL"] = url
    print("$ " + shlex.join([sys.executable, *sys.argv]))

    from sqlalchemy import event

    from api.core.db import get_engine, session_scope
    from api.main import install_features
    from api.notifications.schedule import queue_reminders

    install_features()
    started = time.perf_counter()
    build(url)
    print(f"built {PARTNERSHIPS * ORGS_PER_PARTNERSHIP * PEOPLE_PER_ORG:,} people and "
          f"{PARTNERSHIPS * ORGS_PER_PARTNERSHIP * TASKS_PER_ORG:,} tasks in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip

    statements: list[str] = []
    engine = get_engine()
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    t0 = time.perf_counter()
    with session_scope() as s:
        queued = queue_reminders(s)
    first = time.perf_counter() - t0
    reads = sum(1 for q in statements if q.lstrip().upper().startswith("SELECT"))
    writes = len(statements) - reads
    statements.clear()
    t0 = time.perf_counter()
    with session_scope() as s:
        again = queue_reminders(s)
    second = time.perf_counter() - t0
    again_queries = len(statements)
    event.remove(engine, "before_cursor_execute", listener)
    print(f"first run: {queued:,} reminders queued in {first:.2f} s "
          f"({reads} reading queries, {writes} writing statements)")  # fmt: skip
    print(f"second run: {again} queued in {second:.2f} s ({again_queries} queries)")
    dialect = "postgresql" if url.startswith("postgresql") else "sqlite"
    print(f"reminder_bench ({dialect}): {queued:,} reminders for 100,000 tasks in {first:.2f} s, "
          f"{reads} reads; rerun {again} in {second:.2f} s")  # fmt: skip
    if tmp is not None:
        tmp.cleanup()
    return 0 if queued == PARTNERSHIPS * ORGS_PER_PARTNERSHIP * PEOPLE_PER_ORG and again == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
