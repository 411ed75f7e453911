"""Liveness and readiness probes."""

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.core.db import SessionLocal, _bind_default

router = APIRouter(tags=["health"])

ROOT = Path(__file__).resolve().parents[3]


@lru_cache
def migration_head() -> str | None:
    """Alembic is loaded for this, at the first readiness probe, not with the app."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


@router.get("/health", operation_id="health")
def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get(
    "/ready",
    operation_id="ready",
    responses={503: {"description": "Database unreachable or not migrated"}},
)
def ready() -> JSONResponse:
    """The database answers and is migrated to the head revision."""
    _bind_default()
    try:
        with SessionLocal() as session:
            current = session.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception:
        return JSONResponse(
            {"status": "unavailable", "detail": "database unreachable"},
            503,
        )
    head = migration_head()
    if current != head:
        return JSONResponse(
            {"status": "unavailable", "detail": f"database at {current}, code expects {head}"},
            503,
        )
    return JSONResponse({"status": "ok", "migration": current})
