"""Engine, sessions and the per-request transaction.

SQLite is run in WAL mode with a busy timeout and foreign keys on. pysqlite's legacy
transaction handling is switched off so that we issue BEGIN ourselves: SAVEPOINTs then nest
(tests rely on it) and a write request's transaction takes the write lock when it begins
(``BEGIN IMMEDIATE``), so a reader that later writes never hits ``database is locked`` on an
upgraded snapshot.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, orm
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, SQLModel

from api.core.settings import get_settings

SQLModel.metadata.naming_convention = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READ_METHODS = frozenset({"GET", "HEAD"})  # what a precompiled or in-turn operation may serve
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
    # Sessions run in UTC, whatever the server's TimeZone: the driver then returns timestamps
    # in Python's own UTC, which UTCDateTime passes through as they are.
    kwargs.setdefault(
        "connect_args",
        {"connect_timeout": settings.database_connect_timeout, "options": "-c timezone=UTC"},
    )
    return create_engine(url, **kwargs)


@lru_cache
def get_engine() -> Engine:
    return make_engine()


SessionLocal = sessionmaker(class_=Session, expire_on_commit=False, autoflush=False)


def _bind_default() -> None:
    if SessionLocal.kw.get("bind") is None:
        SessionLocal.configure(bind=get_engine())


AFTER_COMMIT = "lsphub_after_commit"  # session.info: work to run once the commit is done


def after_commit(session: orm.Session, work: Callable[[orm.Session], None]) -> None:
    """Run ``work(session)`` once the transaction of :func:`session_scope` or of a write
    request (:func:`commit_write`) has committed, in the committing thread; not at all if it
    rolls back. ``work`` begins its own transaction; the same function is run once however
    often it is added."""
    session.info.setdefault(AFTER_COMMIT, {})[work] = None


def _run_after_commit(session: Session) -> None:
    for work in session.info.pop(AFTER_COMMIT, ()):
        work(session)


@contextmanager
def session_scope(write: bool = True) -> Iterator[Session]:
    """A session in one transaction: commit on success, roll back on any error."""
    _bind_default()
    with SessionLocal() as session:
        with session.begin():
            # BEGIN now, IMMEDIATE on SQLite for a write; a read says so, as it may be opened
            # inside a write request, whose intent holds in every thread of the request.
            token = _write_intent.set(write)
            try:
                session.connection()
            finally:
                _write_intent.reset(token)
            yield session
        _run_after_commit(session)


def open_write() -> tuple[Session, Token[bool]]:
    """A write request's session, opened without I/O, and the token that ends its write
    intent (give it back to :func:`close_write`, in the same context).

    The transaction begins at the session's first statement, as ``BEGIN IMMEDIATE`` on
    SQLite: the intent is a context variable, so it holds in every worker thread the request's
    work runs in (a worker thread runs in a copy of the request's context)."""
    _bind_default()
    return SessionLocal(), _write_intent.set(True)


def commit_write(session: Session) -> None:
    """Commit a write request's work, then run its after-commit work (:func:`after_commit`)."""
    session.commit()
    _run_after_commit(session)


def close_write(session: Session, token: Token[bool]) -> None:
    """Close a write request's session (sending nothing once it has committed or rolled
    back) and end its write intent."""
    try:
        session.close()
    finally:
        _write_intent.reset(token)


@lru_cache
def _autocommit(engine: Engine) -> Engine:
    return engine.execution_options(isolation_level="AUTOCOMMIT")


READ_ONLY = "lsphub_read_only"  # session.info flag of a read request's session


class WriteInRead(RuntimeError):
    """A GET or HEAD request tried to change data."""


@event.listens_for(Session, "before_flush")
def _refuse_writes_in_reads(session: Session, *_: Any) -> None:
    if session.info.get(READ_ONLY) and (
        session.new
        or session.deleted
        or any(session.is_modified(obj, include_collections=False) for obj in session.dirty)
    ):
        raise WriteInRead("a read request tried to write; use POST, PUT, PATCH or DELETE")


def _read_session() -> tuple[Session, bool]:
    """A session for a read request, and whether closing it is free of I/O.

    On a PostgreSQL engine reads run in autocommit: under READ COMMITTED every statement takes
    its own snapshot inside a transaction too, so BEGIN and COMMIT would only cost two round
    trips, and closing the session sends nothing. (Streaming exports use :func:`session_scope`
    and keep their transaction: server-side cursors need one. Tests bind a connection, their
    per-test transaction, and keep it.) Nothing is committed: a read's session is closed, and
    it refuses to flush a change (autocommit would keep it on PostgreSQL, SQLite would not).
    """
    _bind_default()
    bind = SessionLocal.kw.get("bind")
    autocommit = isinstance(bind, Engine) and bind.dialect.name == "postgresql"
    session = SessionLocal(bind=_autocommit(bind)) if autocommit else SessionLocal()
    session.info[READ_ONLY] = True
    return session, autocommit


_turn_connections: dict[Engine, Connection] = {}  # per process: its reads in turn's connection


def ready_in_turn(session: orm.Session) -> bool:
    """Can ``session``, a read's, run its work on the event loop without opening a connection
    or waiting for one? On PostgreSQL it is then bound to the worker's own connection for reads
    in turn.

    Reads in turn run one at a time on a worker's loop, so one connection serves them all: it
    is taken from the pool's idle ones the first time (no connect on the loop), kept open in
    autocommit, and replaced once it breaks. Each read's session joins the connection's logical
    transaction (nothing is sent: autocommit) and leaves it as it found it when it closes, so
    a read in turn neither checks a connection out of the pool nor sets and resets its
    autocommit. Elsewhere (SQLite, a session already connected, the tests' sessions bound to
    their connection): whether an idle pooled connection is ready
    (:func:`idle_connection_ready`)."""
    bind = session.get_bind()
    if (
        not isinstance(bind, Engine)
        or bind.dialect.name != "postgresql"
        or session.in_transaction()
    ):
        return idle_connection_ready(session)
    connection = _turn_connections.get(bind)
    if connection is None or connection.invalidated or connection.closed:
        if connection is not None:
            connection.close()
        if not idle_connection_ready(session):
            return False
        connection = _turn_connections[bind] = bind.connect()
    if not connection.in_transaction():
        connection.begin()
    session.bind = connection
    return True


def close_turn_connections() -> None:
    """Give the reads in turn's connections back to their pools (at shutdown)."""
    while _turn_connections:
        _bind, connection = _turn_connections.popitem()
        connection.close()


def idle_connection_ready(session: orm.Session) -> bool:
    """Will ``session``'s first statement find an idle pooled connection, so that it neither
    opens one (a connect may take ``database_connect_timeout``) nor waits for one? A session
    bound to a connection (the tests') has its connection already."""
    bind = session.get_bind()
    if not isinstance(bind, Engine):
        return True
    checkedin: Callable[[], int] | None = getattr(bind.pool, "checkedin", None)
    return checkedin is not None and checkedin() > 0
