"""Engine, sessions and the per-request transaction.

SQLite is run in WAL mode with a busy timeout and foreign keys on. pysqlite's legacy
transaction handling is switched off so that we issue BEGIN ourselves: SAVEPOINTs then nest
(tests rely on it) and write requests take the write lock up front (``BEGIN IMMEDIATE``), so a
reader that later writes never hits ``database is locked`` on an upgraded snapshot.
"""

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import contextmanager_in_threadpool, run_in_threadpool
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, SQLModel

from api.settings import get_settings

SQLModel.metadata.naming_convention = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_write_intent: ContextVar[bool] = ContextVar("lsphub_write_intent", default=False)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    import api.models  # noqa: F401  (every table must be mapped before the first flush)

    settings = get_settings()
    url = url or settings.database_url
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    kwargs.setdefault("pool_size", settings.thread_pool_size)
    kwargs.setdefault("max_overflow", 5)
    # No pre-ping round trip per checkout: a connection found dead mid-request invalidates the
    # whole pool (SQLAlchemy's disconnect handling), that request gets a 503 and the next ones
    # reconnect.
    kwargs.setdefault("pool_pre_ping", False)
    # An unreachable server fails fast (503 from /ready) instead of hanging a worker thread.
    kwargs.setdefault("connect_args", {"connect_timeout": settings.database_connect_timeout})
    return create_engine(url, **kwargs)


@lru_cache
def get_engine() -> Engine:
    return make_engine()


SessionLocal = sessionmaker(class_=Session, expire_on_commit=False, autoflush=False)


def _bind_default() -> None:
    if SessionLocal.kw.get("bind") is None:
        SessionLocal.configure(bind=get_engine())


@lru_cache
def _autocommit(engine: Engine) -> Engine:
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def _autocommit_bind() -> Engine | Connection | None:
    """A request's reads on a PostgreSQL engine run in autocommit: under READ COMMITTED every
    statement takes its own snapshot inside a transaction too, so BEGIN and COMMIT would only
    cost two round trips. Streaming exports keep their transaction (server-side cursors need
    one). Tests bind a connection (their per-test transaction) and keep it."""
    bind = SessionLocal.kw.get("bind")
    if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        return _autocommit(bind)
    return bind


@contextmanager
def session_scope(write: bool = True, *, autocommit: bool = False) -> Iterator[Session]:
    """A session in one transaction: commit on success, roll back on any error."""
    _bind_default()
    bind = _autocommit_bind() if autocommit and not write else SessionLocal.kw.get("bind")
    with SessionLocal(bind=bind) as session, session.begin():
        if write:
            token = _write_intent.set(True)
            try:
                session.connection()  # BEGIN (IMMEDIATE on SQLite) now, not at first query
            finally:
                _write_intent.reset(token)
        yield session


def _ends_without_io(session: Session) -> bool:
    """An autocommit session's COMMIT and connection check-in send nothing to the server."""
    bind = session.bind
    return isinstance(bind, Engine) and (
        bind.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
    )


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session, with as few worker-thread hops as the work allows.

    Opening a read's session does no I/O (its transaction begins at the first query, in the
    endpoint's thread), and on PostgreSQL a read ends without I/O too (autocommit), so a read
    costs no hop here. Writes BEGIN up front and commit in a worker thread, as do SQLite reads.
    """
    write = request.method in WRITE_METHODS
    scope = session_scope(write=write, autocommit=True)
    if write:
        async with contextmanager_in_threadpool(scope) as session:
            yield session
        return
    session = scope.__enter__()
    inline = _ends_without_io(session)

    async def end(*exc_info: Any) -> bool | None:
        if inline:
            return scope.__exit__(*exc_info)
        return await run_in_threadpool(scope.__exit__, *exc_info)

    try:
        yield session
    except BaseException as error:
        if not await end(type(error), error, error.__traceback__):
            raise
    else:
        await end(None, None, None)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
