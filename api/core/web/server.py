"""The uvicorn worker that gunicorn forks for ``lsphub serve --workers N`` (N > 1).

gunicorn's arbiter forks its workers; uvicorn's own supervisor spawns them, which also starts
multiprocessing's resource tracker, a third interpreter (bench/memory_bench.py). This module is
imported by the arbiter before it forks, so it imports nothing of the application.
"""

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
