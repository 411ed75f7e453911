"""What gunicorn runs for ``lsphub serve --workers N`` (N > 1): the uvicorn worker it forks and
the hooks of its arbiter (the command line passes this module as gunicorn's config too).

gunicorn's arbiter forks its workers; uvicorn's own supervisor spawns them, which also starts
multiprocessing's resource tracker, a third interpreter (bench/memory_bench.py). The arbiter
loads the application once (``--preload``) and forks the workers from it, so the pages holding
the interpreter, the libraries and the application are the machine's once, shared by every
worker until one writes to them. This module itself imports nothing of the application.
"""

import gc
from typing import Any

from uvicorn_worker import UvicornWorker


class Worker(UvicornWorker):
    """uvicorn on uvloop and httptools, as the image runs it. Forwarded headers are not
    believed here: the application applies LSPHUB_TRUSTED_PROXIES itself. gunicorn's
    ``--worker-connections`` becomes uvicorn's ``limit_concurrency``."""

    CONFIG_KWARGS = {"loop": "uvloop", "http": "httptools", "proxy_headers": False}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config.limit_concurrency = self.cfg.worker_connections


def when_ready(server: Any) -> None:
    """gunicorn hook, in the arbiter after it loaded the application and before it forks.

    What every worker would otherwise do on its first request is done here once, so its pages
    are shared: the database engine (without connecting: it imports the driver, psycopg's ~90
    modules) and the ORM's mapper configuration. Then everything allocated so far leaves the
    garbage collector's scans, in the arbiter and so in every worker: a collection writes to
    the objects it scans, and a write copies the shared page into the worker (a worker's idle
    PSS 105 → 42 MiB, bench/memory_bench.py)."""
    from sqlalchemy.orm import configure_mappers

    from api.core.db import get_engine

    get_engine()
    configure_mappers()
    gc.collect()
    gc.freeze()


def post_fork(server: Any, worker: Any) -> None:
    """gunicorn hook, in a new worker: the engine :func:`when_ready` made is the arbiter's, so
    the worker replaces its pool without closing the connections in it (SQLAlchemy's recipe
    for forked processes; the arbiter opens none today)."""
    from api.core.db import get_engine

    get_engine().dispose(close=False)
