"""``python -m tests.pg_reset URL``: empty a PostgreSQL database's public schema.

:func:`empty_public_schema` is also what the test session and the benchmarks start from;
:func:`worker_database_url`, :func:`create_database` and :func:`drop_database` give each
pytest-xdist worker a database of its own beside the one TEST_DATABASE_URL names.
"""

import sys

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url


def empty_public_schema(engine: Engine) -> None:
    """Drop every table, type and sequence of a PostgreSQL database (nothing on SQLite)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


def worker_database_url(url: str, worker: str) -> str:
    """``url`` with its database renamed ``<database>_<worker>`` (PostgreSQL only)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        return url
    name = f"{parsed.database}_{worker}"
    return parsed.set(database=name).render_as_string(hide_password=False)


def _server(url: str) -> tuple[Engine, str]:
    parsed = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    return admin, str(parsed.database)


def create_database(url: str) -> None:
    """Create ``url``'s PostgreSQL database afresh (dropping one a killed run left behind)."""
    admin, name = _server(url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def drop_database(url: str) -> None:
    admin, name = _server(url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


if __name__ == "__main__":
    url = sys.argv[1].replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    empty_public_schema(engine)
    engine.dispose()
