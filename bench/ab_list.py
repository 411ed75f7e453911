"""CPU per list request with and without one change, in one process: two variants driven
alternately through httpx's ASGI transport, so the machine's drift moves both alike. Needs the
database bench/load_bench.py prepares.

    .venv/bin/python bench/ab_list.py [--compare precompiled|can|statement|compiled|all]
        [--rounds 4] [--requests 200] [--path /api/v1/tasks?limit=50]

``--compare precompiled``: FastAPI alone against the precompiled handlers and the route index;
``can``: each row's ``can`` asked of the policy against once per ``can_key`` on the page;
``statement``: the page's statement built for each request against once (an unnarrowed list);
``compiled``: that statement executed through SQLAlchemy's compiled cache against sent to the
driver as compiled once;
``all``: every change ``switches`` knows, off against on.
Prints, per variant, the CPU milliseconds per request of each round (client's share included).
"""

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._common import bench_pg  # noqa: E402

DEFAULT_PG = bench_pg("lsphub_bench")


async def cpu_per_request(app: Any, key: str, path: str, n: int) -> float:
    import httpx

    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {key}"}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as client,
    ):
        for _ in range(5):
            assert (await client.get(path)).status_code == 200
        start = time.process_time()
        for _ in range(n):
            await client.get(path)
        return (time.process_time() - start) / n * 1000


def switches() -> dict[str, tuple[Callable[[], None], Callable[[], None]]]:
    """change -> (switch it off, switch it on): changes one app can switch between rounds."""
    import api.crud.service as service
    from api.core.policy import Policy
    from api.plans.policy import TaskPolicy

    shared, built_once = TaskPolicy.can_key, (service._record_select, service._whole_page)

    def per_row() -> None:
        TaskPolicy.can_key = Policy.can_key  # type: ignore[method-assign]

    def per_key() -> None:
        TaskPolicy.can_key = shared  # type: ignore[method-assign]

    def per_request() -> None:
        service._record_select = built_once[0].__wrapped__  # type: ignore[assignment]
        service._whole_page = built_once[1].__wrapped__  # type: ignore[assignment]

    def once() -> None:
        service._record_select, service._whole_page = built_once

    def through_sqlalchemy() -> None:
        service.COMPILE_WHOLE_PAGES = False

    def compiled_once() -> None:
        service.COMPILE_WHOLE_PAGES = True

    return {
        "can": (per_row, per_key),
        "statement": (per_request, once),
        "compiled": (through_sqlalchemy, compiled_once),
    }


def variants(compare: str) -> dict[str, tuple[Any, Callable[[], None]]]:
    """name -> (app, what to set before its round)."""
    import api.core.web.precompiled as precompiled
    from api.core.web.routing import RouteIndex
    from api.main import create_app

    if compare == "precompiled":
        precompiled.ENABLED = False
        plain = create_app()
        precompiled.ENABLED = True
        index = plain.router.middleware_stack
        assert isinstance(index, RouteIndex)
        plain.router.middleware_stack = index.fallback

        def nothing() -> None:
            pass

        return {"FastAPI alone": (plain, nothing), "precompiled + index": (create_app(), nothing)}
    known = switches()
    chosen = list(known) if compare == "all" else [compare]
    if not set(chosen) <= set(known):
        raise SystemExit(f"unknown comparison {compare!r}")
    app = create_app()

    def off() -> None:
        for name in chosen:
            known[name][0]()

    def on() -> None:
        for name in chosen:
            known[name][1]()

    return {f"{compare} off": (app, off), f"{compare} on": (app, on)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--compare", default="precompiled")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--path", default="/api/v1/tasks?limit=50")
    parser.add_argument("--pg", default=DEFAULT_PG)
    args = parser.parse_args()
    os.environ["LSPHUB_DATABASE_URL"] = args.pg
    os.environ.setdefault("LSPHUB_ENV", "dev")

    from api.accounts.keys import create_api_key
    from api.core.db import session_scope
    from api.core.principal import Role

    with session_scope() as session:
        key = create_api_key(session, role=Role.admin, name="ab_list")
    apps = variants(args.compare)
    figures: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(args.rounds):
        for name, (app, setup) in apps.items():
            setup()
            figures[name].append(asyncio.run(cpu_per_request(app, key, args.path, args.requests)))
    for name, values in figures.items():
        print(f"{name}: " + " ".join(f"{v:.2f}" for v in values) + " ms CPU/request")


if __name__ == "__main__":
    main()
