"""``python -m tests.pg_reset URL``: empty a PostgreSQL database's public schema.

:func:`empty_public_schema` is also what the test session and the benchmarks start from.
"""

import sys

from sqlalchemy import Engine, create_engine, text


def empty_public_schema(engine: Engine) -> None:
    """Drop every table, type and sequence of a PostgreSQL database (nothing on SQLite)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


if __name__ == "__main__":
    url = sys.argv[1].replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    empty_public_schema(engine)
    engine.dispose()
