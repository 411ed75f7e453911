"""Alembic environment: the URL comes from LSPHUB settings (or a connection passed in)."""

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import api.models  # noqa: F401  (registers every table)
from api.core.db import make_engine
from api.plans.models import POSTGRES_ONLY_INDEXES
from api.search.index import is_index_table

target_metadata = SQLModel.metadata


def _include(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """The search index (api/search/index.py) is derived data the migrations own alone, and
    so are the PostgreSQL-only indexes of migration 0014."""
    if type_ == "table":
        return not is_index_table(name)
    if type_ == "index":
        return name not in POSTGRES_ONLY_INDEXES
    return True


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite and not connection.in_transaction():
        # SQLite alters a table by copying it (batch mode); with foreign keys enforced, dropping
        # the old copy of a table others refer to fails. Off for the run, checked at its end.
        # On the driver's connection (autocommit): inside a transaction SQLite ignores it.
        dbapi = connection.connection.dbapi_connection
        assert dbapi is not None
        dbapi.execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_include,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or None
    engine = make_engine(url) if url else make_engine()
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
run_migrations_online()
