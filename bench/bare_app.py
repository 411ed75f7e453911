"""The baseline for bench/load_bench.py: bare Starlette + async psycopg, no framework around it.

It runs the same SQL as the API for the three benchmarked operations (list tasks, the
performance report, a status update) and serialises with ``json.dumps``; no auth, no
validation, no audit. ``BARE_DATABASE_URL`` is a libpq URL (``postgresql://...``).

    BARE_DATABASE_URL=postgresql://postgres@127.0.0.1/lsphub_bench \
        uvicorn bench.bare_app:app --workers 2 --loop uvloop --http httptools
"""

import asyncio
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import psycopg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

POOL_SIZE = int(os.environ.get("BARE_POOL_SIZE", "16"))
_pool: asyncio.Queue[psycopg.AsyncConnection[Any]] = asyncio.Queue()

TASK_COLUMNS = (
    "id, version, created_at, updated_at, action_id, ref, title, target, position, rag, "
    "planned_improvement, deadline, lead_organisation_id, owner_person_id, last_reported_on, "
    "(SELECT person.name FROM person WHERE person.id = task.owner_person_id) AS owner_name"
)
# The API's statement for an admin's first page: the page with its total as a scalar subquery.
LIST_TASKS = f"""
SELECT {TASK_COLUMNS},
       (SELECT count(*) FROM (SELECT {TASK_COLUMNS} FROM task) AS anon_2) AS total
FROM task ORDER BY action_id, ref, id LIMIT %s OFFSET %s
"""
_REPORT = """
SELECT a.outcome_id, a.id, a.ref, a.title, t.id, t.ref, t.title, t.target, t.deadline,
       o.name, {status}
FROM action a
JOIN action_plan ap ON ap.id = a.action_plan_id
JOIN partnership p ON p.id = ap.partnership_id
LEFT JOIN task t ON t.action_id = a.id{history}
LEFT JOIN organisation o ON o.id = t.lead_organisation_id
WHERE ap.partnership_id = %s
ORDER BY a.id, t.id
"""
# As of a date: each task's latest update on or before it (parameters: date, partnership).
REPORT_ROWS = _REPORT.format(
    status="s.rag, s.position, s.planned_improvement, s.deadline, s.reported_on",
    history="""
LEFT JOIN LATERAL (
    SELECT s2.rag, s2.position, s2.planned_improvement, s2.deadline, s2.reported_on
    FROM status_update s2 WHERE s2.task_id = t.id AND s2.reported_on <= %s
    ORDER BY s2.reported_on DESC, s2.id DESC LIMIT 1) s ON true""",
)
# As of today the API reads each task's own status columns (its latest update), as here.
REPORT_ROWS_TODAY = _REPORT.format(
    status="t.rag, t.position, t.planned_improvement, t.deadline, t.last_reported_on",
    history="",
)
REPORT_OUTCOMES = "SELECT id, code, title FROM outcome WHERE id = ANY(%s) ORDER BY code, id"
INSERT_UPDATE = """
INSERT INTO status_update (task_id, rag, position, planned_improvement, deadline, reported_on,
                           note, author, created_at)
VALUES (%s, %s, %s, %s, NULL, %s, NULL, 'bare', now())
RETURNING id, task_id, rag, position, planned_improvement, deadline, reported_on, author
"""
UPDATE_TASK = """
UPDATE task SET rag = %s, position = %s, planned_improvement = %s, last_reported_on = %s,
                version = version + 1, updated_at = now()
WHERE id = %s
"""


@asynccontextmanager
async def lifespan(_: Starlette) -> AsyncIterator[None]:
    url = os.environ["BARE_DATABASE_URL"]
    for _ in range(POOL_SIZE):
        _pool.put_nowait(await psycopg.AsyncConnection.connect(url, autocommit=True))
    yield
    while not _pool.empty():
        await _pool.get_nowait().close()


@asynccontextmanager
async def connection() -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    conn = await _pool.get()
    try:
        yield conn
    finally:
        _pool.put_nowait(conn)


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, default=str), status, media_type="application/json")


async def list_tasks(request: Request) -> Response:
    limit = int(request.query_params.get("limit", 50))
    offset = int(request.query_params.get("offset", 0))
    async with connection() as conn, conn.cursor() as cur:  # autocommit, as the API's reads
        await cur.execute(LIST_TASKS, (limit, offset))
        names = [d.name for d in cur.description or ()][:-1]
        rows = await cur.fetchall()
    items = [dict(zip(names, row[:-1], strict=True)) for row in rows]
    total = rows[0][-1] if rows else 0
    return json_response({"items": items, "total": total, "limit": limit, "offset": offset})


async def performance_report(request: Request) -> Response:
    partnership_id = int(request.path_params["partnership_id"])
    as_of = date.fromisoformat(request.query_params.get("as_of", date.today().isoformat()))
    async with connection() as conn, conn.cursor() as cur:
        if as_of >= date.today():
            await cur.execute(REPORT_ROWS_TODAY, (partnership_id,))
        else:
            await cur.execute(REPORT_ROWS, (as_of, partnership_id))
        rows = await cur.fetchall()
        await cur.execute(REPORT_OUTCOMES, (sorted({r[0] for r in rows}),))
        outcomes = await cur.fetchall()
    sections: dict[int, dict[str, Any]] = {
        oid: {
            "code": code,
            "title": title,
            "actions": {},
            "summary": dict.fromkeys(
                ("green", "amber", "red", "complete", "not_rated", "total"), 0
            ),
        }
        for oid, code, title in outcomes
    }
    for oid, aid, aref, atitle, tid, tref, ttitle, target, _, lead, rag, pos, imp, dl, on in rows:
        section = sections[oid]
        action = section["actions"].setdefault(aid, {"ref": aref, "title": atitle, "tasks": []})
        if tid is None:
            continue
        action["tasks"].append(
            {"ref": tref, "title": ttitle, "target": target, "lead": lead, "rag": rag,
             "position": pos, "planned_improvement": imp, "deadline": dl, "reported_on": on}
        )  # fmt: skip
        section["summary"][rag or "not_rated"] += 1
        section["summary"]["total"] += 1
    body = [{**s, "actions": list(s["actions"].values())} for s in sections.values()]
    return json_response({"partnership_id": partnership_id, "as_of": as_of, "outcomes": body})


async def create_status_update(request: Request) -> Response:
    task_id = int(request.path_params["task_id"])
    body = await request.json()
    today = date.today()
    values = (body.get("rag"), body.get("position"), body.get("planned_improvement"))
    async with connection() as conn, conn.transaction(), conn.cursor() as cur:
        await cur.execute(INSERT_UPDATE, (task_id, *values, today))
        row = await cur.fetchone()
        names = [d.name for d in cur.description or ()]
        await cur.execute(UPDATE_TASK, (*values, today, task_id))
    return json_response(dict(zip(names, row or (), strict=True)), 201)


app = Starlette(
    routes=[
        Route("/api/v1/tasks", list_tasks),
        Route("/api/v1/partnerships/{partnership_id:int}/performance-report", performance_report),
        Route("/api/v1/tasks/{task_id:int}/status-updates", create_status_update, methods=["POST"]),
    ],
    lifespan=lifespan,
)
