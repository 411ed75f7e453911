"""The production stack of docker-compose.yml, checked without a container engine.

The file is read as compose would read it (``${VAR:-default}`` interpolation), its shape is
checked (health checks, restart policies, start order, the database volume, settings that
exist), and then its own migrate, api and worker commands are run as plain processes on a
fresh database: the API must answer ``/ready`` through the workers gunicorn forks, the worker
must keep running, and both must stop cleanly on SIGTERM within the grace period compose gives them.
"""

import json
import os
import re
import shlex
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import create_engine, text
from typer.main import get_command

from api.cli import app as cli_app
from api.core.settings import Settings
from api.core.web.middleware import CONTENT_SECURITY_POLICY
from tests.live import BIN, ROOT, _base_env, free_port, fresh_database

COMPOSE = ROOT / "docker-compose.yml"
VARIABLE = re.compile(r"\$\{(\w+)(?::([-?])([^}]*))?\}")


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?error}`` substitution."""
    if isinstance(value, str):

        def substitute(match: re.Match[str]) -> str:
            name, kind, word = match.groups()
            if env.get(name):
                return env[name]
            if kind == "?":
                raise KeyError(f"{name}: {word}")
            return word or ""

        return VARIABLE.sub(substitute, value)
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    return value


def load_compose(env: dict[str, str]) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return dict(interpolate(document, env))


SECRET = {"LSPHUB_SECRET_KEY": "compose-test-secret-key-long-enough-0123456789"}
DOCKERFILE = ROOT / "Dockerfile"


def dockerfile_cmd() -> list[str]:
    """The image's CMD (exec form), continuation lines joined."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith("CMD "))
    command: list[str] = json.loads(line.removeprefix("CMD "))
    return command


class TestShape:
    def test_the_secret_key_is_required(self) -> None:
        with pytest.raises(KeyError, match="LSPHUB_SECRET_KEY"):
            load_compose({})

    def test_services_start_in_order_and_restart(self) -> None:
        services = load_compose(SECRET)["services"]
        assert set(services) == {"db", "migrate", "api", "worker", "nginx"}
        depends = {name: service.get("depends_on", {}) for name, service in services.items()}
        assert depends["migrate"] == {"db": {"condition": "service_healthy"}}
        for name in ("api", "worker"):
            assert depends[name] == {"migrate": {"condition": "service_completed_successfully"}}
        assert depends["nginx"] == {"api": {"condition": "service_healthy"}}
        assert services["migrate"]["restart"] == "no"
        for name in ("db", "api", "worker", "nginx"):
            assert services[name]["restart"] == "unless-stopped", name
        for name in ("db", "api", "nginx"):
            assert services[name]["healthcheck"]["test"], name
        assert "/ready" in " ".join(services["api"]["healthcheck"]["test"])
        assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
        assert "pgdata" in load_compose(SECRET)["volumes"]

    def test_every_setting_it_passes_exists(self, monkeypatch: pytest.MonkeyPatch) -> None:
        services = load_compose(SECRET)["services"]
        fields = {f"LSPHUB_{name.upper()}" for name in Settings.model_fields}
        for name in ("migrate", "api", "worker"):
            environment = services[name]["environment"]
            unknown = {key for key in environment if key.startswith("LSPHUB_")} - fields
            assert not unknown, f"{name}: {unknown}"
            assert environment["LSPHUB_ENV"] == "prod"
            # The values are valid settings too (prod refuses a weak secret, for one).
            for key, value in environment.items():
                monkeypatch.setenv(key, value)
            assert Settings(_env_file=None).env == "prod"  # type: ignore[call-arg]

    def test_its_commands_exist(self) -> None:
        services = load_compose(SECRET)["services"]
        commands = set(get_command(cli_app).commands)  # type: ignore[attr-defined]
        assert services["migrate"]["command"][:2] == ["lsphub", "migrate"]
        assert services["worker"]["command"][:2] == ["lsphub", "worker"]
        assert {"migrate", "serve", "worker", "export-all", "restore"} <= commands
        api = services["api"]["command"]
        assert api[:2] == ["sh", "-c"] and api[2].startswith("exec lsphub serve ")
        assert dockerfile_cmd()[:2] == ["lsphub", "serve"]
        assert "--workers 2" in api[2]  # LSPHUB_API_WORKERS' default

    def test_only_nginx_may_forward_client_addresses(self) -> None:
        document = load_compose(SECRET)
        services = document["services"]
        subnet = document["networks"]["edge"]["ipam"]["config"][0]["subnet"]
        assert services["api"]["environment"]["LSPHUB_TRUSTED_PROXIES"] == subnet
        assert services["nginx"]["networks"] == ["edge"]
        assert "edge" in services["api"]["networks"]
        # Both run `lsphub serve`, whose servers never believe forwarded headers themselves
        # (test_a_client_cannot_choose_the_address_it_is_throttled_under runs each).
        assert "exec lsphub serve " in services["api"]["command"][2]
        assert dockerfile_cmd()[:2] == ["lsphub", "serve"]
        for source in (COMPOSE.read_text(), DOCKERFILE.read_text()):
            assert "forwarded-allow-ips" not in source

    def test_nginx_sends_the_apis_security_headers_with_the_spa(self) -> None:
        deploy = ROOT / "deploy"
        snippet = (deploy / "nginx-security-headers.conf").read_text()
        policy = re.search(r'Content-Security-Policy "([^"]+)" always;', snippet)
        assert policy is not None and policy.group(1) == CONTENT_SECURITY_POLICY
        for header in ("X-Content-Type-Options nosniff", "X-Frame-Options DENY"):
            assert f"add_header {header} always;" in snippet
        conf = (deploy / "nginx.conf").read_text()
        assert conf.count("include /etc/nginx/lsphub-security-headers.conf;") == 2
        assert "location /docs/assets/ {" in conf  # Swagger UI comes from the API
        image = (deploy / "nginx.Dockerfile").read_text()
        assert "deploy/nginx-security-headers.conf /etc/nginx/lsphub-security-headers.conf" in image

    def test_connection_arithmetic_fits_the_database(self) -> None:
        """replicas x workers x (threads + 5 overflow) + worker + migrate < max_connections."""
        services = load_compose(SECRET)["services"]
        command = services["db"]["command"]
        max_connections = int(command[command.index("-c") + 1].split("=")[1])
        threads = int(services["api"]["environment"]["LSPHUB_THREAD_POOL_SIZE"])
        per_replica = 2 * (threads + 5)
        assert 3 * per_replica + 2 * (threads + 5) < max_connections


def _api_argv(command: str, port: int) -> list[str]:
    """The compose api command, on loopback and a free port, with this environment's lsphub."""
    return _local(shlex.split(command.removeprefix("exec ")), port)


def _local(argv: list[str], port: int) -> list[str]:
    """An ``lsphub serve`` command line of the image or compose, on loopback and ``port``."""
    assert argv[:2] == ["lsphub", "serve"], argv
    argv[argv.index("--host") + 1] = "127.0.0.1"
    argv[argv.index("--port") + 1] = str(port)
    return [str(BIN / "lsphub"), *argv[1:]]


def _stop(process: subprocess.Popen[bytes], grace: float) -> float:
    started = time.monotonic()
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=grace)
    return time.monotonic() - started


def test_the_stack_runs_from_its_own_commands(tmp_path: Path) -> None:
    services = load_compose(SECRET)["services"]
    with fresh_database("lsphub_compose", seed=False) as url:
        env = _base_env(url, {**services["api"]["environment"], "LSPHUB_DATABASE_URL": url})
        env.update(LSPHUB_THREAD_POOL_SIZE="8", **SECRET)  # room beside the test sessions
        migrate = subprocess.run(
            [str(BIN / "lsphub"), "migrate"], env=env, cwd=ROOT, capture_output=True, timeout=120
        )
        assert migrate.returncode == 0, migrate.stderr

        port = free_port()
        api_log, worker_log = tmp_path / "api.log", tmp_path / "worker.log"
        with api_log.open("wb") as api_out, worker_log.open("wb") as worker_out:
            api = subprocess.Popen(
                _api_argv(services["api"]["command"][2], port),
                env=env, cwd=ROOT, stdout=api_out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
            worker = subprocess.Popen(
                [str(BIN / "lsphub"), *services["worker"]["command"][1:]],
                env=env, cwd=ROOT, stdout=worker_out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            ready = None
            while time.monotonic() < deadline:
                try:
                    ready = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2)
                    if ready.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.3)
            assert ready is not None and ready.status_code == 200, api_log.read_text()
            # Behind nginx: the client's address and scheme come from the forwarded headers.
            health = httpx.get(
                f"http://127.0.0.1:{port}/health",
                headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
            )
            assert health.status_code == 200
            assert worker.poll() is None, worker_log.read_text()
            # The arbiter loaded the application and forked its workers from it: most of a
            # worker's memory is pages written before the fork, still shared with the arbiter
            # (~65 MiB; a worker forked from an arbiter that had not loaded it shares < 30).
            workers = _children(api.pid)
            assert len(workers) == 2, api_log.read_text()
            for pid in workers:
                assert _shared_dirty_mib(pid) > 40, (pid, _shared_dirty_mib(pid))
        finally:
            api_grace = float(services["api"]["stop_grace_period"].removesuffix("s"))
            api_seconds = _stop(api, api_grace)
            worker_seconds = _stop(worker, 10)  # compose's default grace period
        assert api.returncode == 0 and api_seconds < api_grace, api_log.read_text()
        assert worker.returncode == 0 and worker_seconds < 10, worker_log.read_text()
        assert "swept expired records" in worker_log.read_text()  # at start, then hourly
        assert "Traceback" not in api_log.read_text() + worker_log.read_text()


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _shared_dirty_mib(pid: int) -> float:
    """Pages of ``pid`` written before a fork and still shared with another process."""
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    return next(int(line.split()[1]) for line in rollup if line.startswith("Shared_Dirty:")) / 1024


# -- forwarded addresses -------------------------------------------------------------------------


def _launchers(port: int) -> dict[str, tuple[list[str], dict[str, str]]]:
    """How each deployment starts the API: argv on loopback and ``port``, and its settings."""
    compose = load_compose(SECRET)["services"]["api"]
    compose_argv = _api_argv(compose["command"][2], port)
    image = _local(dockerfile_cmd(), port)
    for argv in (compose_argv, image):
        argv[argv.index("--workers") + 1] = "1"  # what matters here is how headers are read
    serve = [str(BIN / "lsphub"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    workers = [*serve, "--workers", "2"]  # gunicorn's arbiter forking uvicorn workers
    return {
        "compose": (compose_argv, dict(compose["environment"])),
        "dockerfile": (image, {"LSPHUB_ENV": "prod"}),
        "lsphub serve": (serve, {}),
        "lsphub serve behind a local proxy": (serve, {"LSPHUB_TRUSTED_PROXIES": "127.0.0.1"}),
        "lsphub serve --workers 2": (workers, {}),
        "lsphub serve --workers 2 behind a local proxy": (
            workers,
            {"LSPHUB_TRUSTED_PROXIES": "127.0.0.1"},
        ),
    }


def _failed_logins_until_refused(url: str, tries: int) -> int:
    """Wrong passwords, each claiming another X-Forwarded-For; how many were heard."""
    for i in range(tries):
        r = httpx.post(
            f"{url}/api/v1/auth/token",
            json={"email": f"guess{i}@example.org", "password": "wrong"},
            headers={"X-Forwarded-For": f"198.51.100.{i + 1}"},
            timeout=30,
        )
        if r.status_code == 429:
            return i
        assert r.status_code == 401, r.text
    return tries


CLIENT_LIMIT = 5  # LSPHUB_LOGIN_ATTEMPTS_PER_CLIENT_WINDOW for these runs (default 20)


@pytest.fixture(scope="module")
def unseeded_database() -> Iterator[str]:
    with fresh_database("lsphub_forwarded", seed=False) as url:
        yield url


@pytest.mark.parametrize(
    ("launcher", "believed"),
    [
        ("compose", False),
        ("dockerfile", False),
        ("lsphub serve", False),
        ("lsphub serve behind a local proxy", True),
        ("lsphub serve --workers 2", False),
        ("lsphub serve --workers 2 behind a local proxy", True),
    ],
)
def test_a_client_cannot_choose_the_address_it_is_throttled_under(
    tmp_path: Path, unseeded_database: str, launcher: str, believed: bool
) -> None:
    """A direct client's X-Forwarded-For is ignored by every way of running the API, so the
    per-client login limit holds; a trusted proxy's is believed."""
    url = unseeded_database
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM login_attempt"))
    engine.dispose()
    port = free_port()
    argv, settings = _launchers(port)[launcher]
    extra = {
        **settings,
        **SECRET,
        "LSPHUB_DATABASE_URL": url,
        "LSPHUB_THREAD_POOL_SIZE": "4",
        "LSPHUB_LOGIN_ATTEMPTS_PER_CLIENT_WINDOW": str(CLIENT_LIMIT),
    }
    log = tmp_path / "api.log"
    with log.open("wb") as out:
        api = subprocess.Popen(
            argv, env=_base_env(url, extra), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert api.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        heard = _failed_logins_until_refused(base, CLIENT_LIMIT + 3)
    finally:
        _stop(api, 20)
    assert heard == (CLIENT_LIMIT + 3 if believed else CLIENT_LIMIT), log.read_text()
