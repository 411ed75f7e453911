"""Runtime configuration, read once from the environment (prefix ``LSPHUB_``).

Production behaviour is the default: ``make run``, the tests and the benchmarks opt into
``dev`` or ``test``. Production refuses to start without a secret key of 32+ characters; a
dev or test install without one generates its own once (:func:`local_dev_secret`).
"""

import contextlib
import ipaddress
import json
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MIN_SECRET_LENGTH = 32
LOCAL_SECRET_FILE = Path("var") / "secret_key"


def local_dev_secret(path: Path = LOCAL_SECRET_FILE) -> str:
    """This install's own secret for dev and test: random, made on first use, kept 0600.

    The file is written beside itself and linked into place, so two processes starting at
    once agree on one secret and neither reads a half-written file.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48) + "\n")
            with contextlib.suppress(FileExistsError):  # another process was first: theirs
                os.link(draft, path)
        finally:
            draft.unlink(missing_ok=True)
    return path.read_text().strip()


def _list_from_env(value: Any) -> Any:
    """A JSON list (``["a", "b"]``) or a comma-separated string (``a,b``)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [item.strip() for item in text.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LSPHUB_", env_file=".env", extra="ignore")

    env: Literal["dev", "test", "prod"] = "prod"
    database_url: str = "sqlite:///./var/lsphub.db"
    # Required in prod; dev and test generate one under var/ when it is not set.
    secret_key: SecretStr | None = None
    cors_origins: list[str] = ["http://127.0.0.1:5173", "http://localhost:5173"]
    # Reverse proxies (CIDRs) whose X-Forwarded-For / X-Forwarded-Proto are believed; none by
    # default, so a client cannot choose the address the login throttle counts.
    trusted_proxies: Annotated[list[str], NoDecode] = []
    # Webhook hosts that may be private or loopback addresses (e.g. an intranet receiver).
    webhook_allowed_hosts: Annotated[list[str], NoDecode] = []
    # Worker threads that run sync routes; the database pool is sized to match.
    thread_pool_size: int = 40
    # Whole-plan reports and progress tables a worker process builds at once (api/core/heavy.py);
    # more wait for a slot, so memory under load does not grow with the number of clients.
    heavy_work_concurrency: int = Field(2, ge=1, le=64)
    max_body_bytes: int = 1_048_576
    max_upload_bytes: int = 52_428_800
    # A paper's file (PDF, DOCX, XLSX, ODT, PNG, JPEG); larger uploads are a 413.
    max_paper_bytes: int = Field(20_971_520, ge=1)
    token_ttl_minutes: int = 480
    # How long a worker process may reuse a resolved credential (api/auth/cache.py); 0 = off.
    auth_cache_seconds: float = Field(5.0, ge=0, le=300)
    # How long a worker process may reuse the list of webhook subscriptions before reading it
    # again (api/webhooks/service.py); its own webhook writes clear it at once; 0 = off.
    webhook_cache_seconds: float = Field(5.0, ge=0, le=300)
    # Failed logins per e-mail *and* client before that pair waits; the wait starts at
    # login_delay_seconds and doubles with each further failure, up to login_max_delay_seconds.
    login_attempts_per_window: int = 5
    login_delay_seconds: int = Field(30, ge=1)
    login_max_delay_seconds: int = Field(3600, ge=1)
    login_window_seconds: int = 300
    # Failed logins per client address over the window, whatever the e-mail (an office
    # behind one NAT holds several users).
    login_attempts_per_client_window: int = 20
    sqlite_busy_timeout_ms: int = 15_000
    database_connect_timeout: int = 5  # seconds (PostgreSQL)
    frontend_dist: str = "frontend/dist"
    public_base_url: str = "http://127.0.0.1:8000"
    # The residents' site at /public (pages, feeds, sitemap); false answers 404 there.
    public_site: bool = True
    # LAA RAG: amber band as a share of the baseline-to-target distance (0.05 = 5 %).
    laa_rag_tolerance: float = Field(0.05, ge=0, le=1)
    # E-mail (api/notifications): smtp://[user:pass@]host[:port][?starttls=true] or
    # smtps://...; unset, the worker writes each message as an .eml file under mail_dir.
    smtp_url: SecretStr | None = None
    mail_from: str = "LSP Hub <lsphub@example.org>"
    mail_dir: str = "var/mail"
    mail_per_minute: int = Field(120, ge=1)  # the worker sends at most this many a minute
    mail_lease_seconds: int = Field(120, ge=1)  # a claimed message is due again after this
    reminder_days_before: int = Field(7, ge=1, le=60)  # before the partnership's next meeting

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> Any:
        value = _list_from_env(value)
        if not isinstance(value, list):
            return value
        networks = []
        for item in value:
            if str(item).strip() == "*":
                raise ValueError(
                    "list the proxies' networks (CIDRs); '*' would let any client choose "
                    "the address it is counted under"
                )
            networks.append(str(ipaddress.ip_network(str(item).strip(), strict=False)))
        return networks

    @field_validator("webhook_allowed_hosts", mode="before")
    @classmethod
    def _hosts(cls, value: Any) -> Any:
        value = _list_from_env(value)
        if not isinstance(value, list):
            return value
        return [str(item).strip().lower().strip("[]").rstrip(".") for item in value]

    @model_validator(mode="after")
    def _require_secret(self) -> Self:
        if self.secret_key is None and self.env != "prod":
            self.secret_key = SecretStr(local_dev_secret())
        key = self.secret_key.get_secret_value() if self.secret_key else ""
        if len(key) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"set LSPHUB_SECRET_KEY ({MIN_SECRET_LENGTH}+ random characters); "
                "only LSPHUB_ENV=dev or test make their own"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
