"""The production stack of docker-compose.yml, checked without a container engine.

The file is read as compose would read it (``${VAR:-default}`` interpolation), its shape is
checked (health checks, restart policies, start order, the database volume, settings that
exist), and then its own migrate, api and worker commands are run as plain processes on a
fresh database: the API must answer ``/ready`` through uvicorn's workers, the worker must keep
running, and both must stop cleanly on SIGTERM within the grace period compose gives them.
"""

import os
import re
import shlex
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from typer.main import get_command

from api.cli import app as cli_app
from api.core.settings import Settings
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
        assert {"migrate", "worker", "export-all", "restore"} <= commands
        api = services["api"]["command"]
        assert api[:2] == ["sh", "-c"] and "api.main:create_app --factory" in api[2]
        assert "--workers 2" in api[2]  # LSPHUB_API_WORKERS' default

    def test_connection_arithmetic_fits_the_database(self) -> None:
        """replicas x workers x (threads + 5 overflow) + worker + migrate < max_connections."""
        services = load_compose(SECRET)["services"]
        command = services["db"]["command"]
        max_connections = int(command[command.index("-c") + 1].split("=")[1])
        threads = int(services["api"]["environment"]["LSPHUB_THREAD_POOL_SIZE"])
        per_replica = 2 * (threads + 5)
        assert 3 * per_replica + 2 * (threads + 5) < max_connections


def _api_argv(command: str, port: int) -> list[str]:
    """The compose api command, on loopback and a free port, with this environment's uvicorn."""
    argv = shlex.split(command.removeprefix("exec "))
    argv[argv.index("--host") + 1] = "127.0.0.1"
    argv[argv.index("--port") + 1] = str(port)
    assert argv[0] == "uvicorn"
    return [str(BIN / "python"), "-m", *argv]


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
        finally:
            api_grace = float(services["api"]["stop_grace_period"].removesuffix("s"))
            api_seconds = _stop(api, api_grace)
            worker_seconds = _stop(worker, 10)  # compose's default grace period
        assert api.returncode == 0 and api_seconds < api_grace, api_log.read_text()
        assert worker.returncode == 0 and worker_seconds < 10, worker_log.read_text()
        assert "swept expired records" in worker_log.read_text()  # at start, then hourly
        assert "Traceback" not in api_log.read_text() + worker_log.read_text()
