"""CPU per list request with and without the precompiled handlers and the route index, in one
process: two apps driven alternately through httpx's ASGI transport, so the machine's drift
moves both alike. Needs the database bench/load_bench.py prepares.

    .venv/bin/python bench/ab_list.py [--rounds 4] [--requests 200] [--path /api/v1/tasks?limit=50]

Prints, per variant, the CPU milliseconds per request of each round (client's share included).
"""

import argparse
import asyncio
import os
import sys
import time
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--path", default="/api/v1/tasks?limit=50")
    parser.add_argument("--pg", default=DEFAULT_PG)
    args = parser.parse_args()
    os.environ["LSPHUB_DATABASE_URL"] = args.pg
    os.environ.setdefault("LSPHUB_ENV", "dev")

    import api.core.web.precompiled as precompiled
    from api.accounts.keys import create_api_key
    from api.core.db import session_scope
    from api.core.principal import Role
    from api.core.web.routing import RouteIndex
    from api.main import create_app

    with session_scope() as session:
        key = create_api_key(session, role=Role.admin, name="ab_list")
    precompiled.ENABLED = False
    plain = create_app()
    precompiled.ENABLED = True
    index = plain.router.middleware_stack
    assert isinstance(index, RouteIndex)
    plain.router.middleware_stack = index.fallback
    variants = {"FastAPI alone": plain, "precompiled + index": create_app()}
    figures: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.rounds):
        for name, app in variants.items():
            figures[name].append(asyncio.run(cpu_per_request(app, key, args.path, args.requests)))
    for name, values in figures.items():
        print(f"{name}: " + " ".join(f"{v:.2f}" for v in values) + " ms CPU/request")


if __name__ == "__main__":
    main()
