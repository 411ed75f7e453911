"""A live API on a fresh database: real commits, real processes, real sockets.

The per-test rolled-back transaction of ``tests/conftest.py`` cannot show what concurrent
requests, crashes or database outages do, so these helpers build a throw-away database
(a SQLite file, or ``lsphub_hard_<random>`` on the PostgreSQL server of ``TEST_DATABASE_URL``)
that holds what ``lsphub migrate`` and ``lsphub seed-demo`` make, mint an admin API key with
``lsphub create-key`` and start uvicorn on a free loopback port.

    with fresh_database() as url, live_server(url) as server:
        httpx.get(f"{server.url}/ready")
"""

from __future__ import annotations

import atexit
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET_KEY = secrets.token_urlsafe(32)  # one per test run, shared by its live servers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _base_env(database_url: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LSPHUB_")}
    env.update(
        LSPHUB_DATABASE_URL=database_url,
        LSPHUB_ENV="test",
        LSPHUB_SECRET_KEY=SECRET_KEY,
        LSPHUB_FRONTEND_DIST=str(Path(tempfile.gettempdir()) / "lsphub-no-frontend"),
        # Two workers x (12 threads + 5 overflow) stay well inside PostgreSQL's default
        # max_connections of 100, leaving room for the test session's own connections.
        LSPHUB_THREAD_POOL_SIZE="12",
    )
    env.update(extra or {})
    return env


def run(
    database_url: str, program: str, *args: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a program of the virtualenv (``lsphub``, ``alembic``) against ``database_url``."""
    return subprocess.run(
        [str(BIN / program), *args],
        env=_base_env(database_url, env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def lsphub(database_url: str, *args: str, env: Mapping[str, str] | None = None) -> str:
    """Run an ``lsphub`` command against ``database_url``; its stdout."""
    done = run(database_url, "lsphub", *args, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"lsphub {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def verified_chain(database_url: str) -> tuple[int, str]:
    """``lsphub audit verify`` passes: (events, tip). The walk reads every stored event in
    ``seq`` order, so passing means they are all in one unbroken chain."""
    out = lsphub(database_url, "audit", "verify")
    found = re.fullmatch(r"OK: (\d+) events; tip (\d+:[0-9a-f]{64})\n", out)
    assert found, out
    return int(found.group(1)), found.group(2)


def server_url_of(database_url: str) -> str | None:
    """``TEST_DATABASE_URL``'s server with the maintenance database, or None for SQLite."""
    if not database_url.startswith("postgresql"):
        return None
    return make_url(database_url).set(database="postgres").render_as_string(hide_password=False)


@contextmanager
def fresh_database(prefix: str = "lsphub_hard", *, seed: bool = True) -> Iterator[str]:
    """A migrated (and seeded) database of the dialect under test, dropped afterwards.

    ``lsphub migrate`` and ``lsphub seed-demo`` run once per test process into a template;
    each fresh database is a copy of it (``CREATE DATABASE … TEMPLATE`` on PostgreSQL, SQLite's
    backup API), so it is exactly what those commands make, at a fraction of their cost."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    admin_url = server_url_of(base)
    template = _template(seed)
    if admin_url is None:
        with tempfile.TemporaryDirectory(prefix=f"{prefix}-") as tmp:
            url = f"sqlite:///{tmp}/live.db"
            _copy_sqlite(template, url)
            yield url
        return
    name = f"{prefix}_{secrets.token_hex(4)}"
    _on_server(admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template).database}"')
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        _on_server(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_TEMPLATES: dict[bool, str] = {}  # seeded? -> the template database's URL, made when first asked


def _template(seed: bool) -> str:
    if seed not in _TEMPLATES:
        _TEMPLATES[seed] = _make_template(seed)
    return _TEMPLATES[seed]


def _make_template(seed: bool) -> str:
    base = os.environ.get("TEST_DATABASE_URL", "")
    admin_url = server_url_of(base)
    kind = "seeded" if seed else "empty"
    if admin_url is None:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='lsphub-template-')}/{kind}.db"
        _prepare(url, seed)
        return url
    name = f"lsphub_template_{kind}_{secrets.token_hex(4)}"
    _on_server(admin_url, f'CREATE DATABASE "{name}"')
    atexit.register(_on_server, admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    _prepare(url, seed)
    return url


def _on_server(admin_url: str, statement: str) -> None:
    """Run ``statement`` (CREATE or DROP DATABASE) outside a transaction on the server."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(statement))
    finally:
        admin.dispose()


def _copy_sqlite(source_url: str, target_url: str) -> None:
    source = sqlite3.connect(str(make_url(source_url).database))
    target = sqlite3.connect(str(make_url(target_url).database))
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _prepare(url: str, seed: bool) -> None:
    lsphub(url, "migrate")
    if seed:
        lsphub(url, "seed-demo")


def create_admin_key(database_url: str) -> str:
    out = lsphub(database_url, "create-key", "--role", "admin", "--name", "live tests")
    keys = [w for w in out.split() if w.startswith("lsp_")]
    if not keys:
        raise RuntimeError(f"no key in create-key output: {out!r}")
    return keys[-1]


@dataclass
class LiveServer:
    url: str
    database_url: str
    admin_key: str
    process: subprocess.Popen[bytes]
    log_path: Path
    workers: int = 1
    env: dict[str, str] = field(default_factory=dict)

    def client(self, timeout: float = 60) -> httpx.Client:
        """An httpx client authenticated as an administrator."""
        headers = {"Authorization": f"Bearer {self.admin_key}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (uvicorn's supervisor and its workers)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(
    database_url: str,
    *,
    admin_key: str | None = None,
    workers: int = 1,
    env: Mapping[str, str] | None = None,
    ready_timeout: float = 60,
) -> LiveServer:
    """uvicorn on a free loopback port, returned once ``/health`` answers."""
    port = free_port()
    key = admin_key or create_admin_key(database_url)
    log_path = Path(tempfile.mkstemp(prefix="lsphub-live-", suffix=".log")[1])
    extra = dict(env or {})
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(BIN / "python"),
                "-m",
                "uvicorn",
                "api.main:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                "--no-access-log",
                "--no-proxy-headers",  # LSPHUB_TRUSTED_PROXIES decides, in the application
            ],
            env=_base_env(database_url, extra),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = LiveServer(
        url=f"http://127.0.0.1:{port}",
        database_url=database_url,
        admin_key=key,
        process=process,
        log_path=log_path,
        workers=workers,
        env=extra,
    )
    deadline = time.monotonic() + ready_timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{server.log()}")
        try:
            if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"the server did not start in {ready_timeout}s:\n{server.log()}")
        time.sleep(0.1)


@contextmanager
def live_server(database_url: str, **kwargs: object) -> Iterator[LiveServer]:
    server = start_server(database_url, **kwargs)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()
        server.log_path.unlink(missing_ok=True)
