"""``python -m tests.pg_reset URL``: empty a PostgreSQL database's public schema."""

import sys

from sqlalchemy import create_engine, text

if __name__ == "__main__":
    url = sys.argv[1].replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
