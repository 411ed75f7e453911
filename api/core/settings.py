"""Runtime configuration, read once from the environment (prefix ``LSPHUB_``)."""

from functools import lru_cache
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LSPHUB_", env_file=".env", extra="ignore")

    env: Literal["dev", "test", "prod"] = "dev"
    database_url: str = "sqlite:///./var/lsphub.db"
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    cors_origins: list[str] = ["http://127.0.0.1:5173", "http://localhost:5173"]
    # Worker threads that run sync routes; the database pool is sized to match.
    thread_pool_size: int = 40
    max_body_bytes: int = 1_048_576
    max_upload_bytes: int = 52_428_800
    token_ttl_minutes: int = 480
    # How long a worker process may reuse a resolved credential (api/auth/cache.py); 0 = off.
    auth_cache_seconds: float = Field(5.0, ge=0, le=300)
    login_attempts_per_window: int = 5
    login_window_seconds: int = 300
    # Failed logins per client address (an office behind one NAT holds several users).
    login_attempts_per_client_window: int = 20
    sqlite_busy_timeout_ms: int = 15_000
    database_connect_timeout: int = 5  # seconds (PostgreSQL)
    frontend_dist: str = "frontend/dist"
    public_base_url: str = "http://127.0.0.1:8000"
    # LAA RAG: amber band as a share of the baseline-to-target distance (0.05 = 5 %).
    laa_rag_tolerance: float = Field(0.05, ge=0, le=1)

    @model_validator(mode="after")
    def _refuse_weak_secret(self) -> Self:
        key = self.secret_key.get_secret_value()
        if self.env != "dev" and (key == DEV_SECRET or len(key) < 32):
            raise ValueError("set LSPHUB_SECRET_KEY (32+ characters) outside LSPHUB_ENV=dev")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
