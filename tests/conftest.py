"""Database fixtures: migrate once per run with Alembic, load the demo data, roll back each test.

Runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set. Under pytest-xdist
(``-n 2``) each worker has a database of its own: a SQLite file in its own temporary directory,
or ``<database>_<worker>`` beside TEST_DATABASE_URL's database, created at the worker's start
and dropped at its end (TEST_DATABASE_URL then names the worker's database, so the scratch
databases tests derive from it stay apart too).

Passwords are hashed in-process with argon2's cheapest parameters (:mod:`tests.hashing`); the
production parameters are checked in ``tests/api/test_password_hashing.py`` and used by every
live server (``tests/live.py``, the browser tests), which run ``lsphub`` as deployed.
"""

import os
import secrets
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="lsphub-test-"))
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1"... under pytest-xdist
_SHARED_URL = os.environ.get("TEST_DATABASE_URL")
if _SHARED_URL and _WORKER:
    from tests.pg_reset import worker_database_url

    os.environ["TEST_DATABASE_URL"] = worker_database_url(_SHARED_URL, _WORKER)
DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_TMP / 'test.db'}"
os.environ["LSPHUB_DATABASE_URL"] = DATABASE_URL
os.environ["LSPHUB_ENV"] = "test"  # production is the default: the tests opt out
os.environ.setdefault("LSPHUB_SECRET_KEY", secrets.token_urlsafe(32))
os.environ["LSPHUB_FRONTEND_DIST"] = str(_TMP / "no-frontend")

import anyio.from_thread  # noqa: E402
import pytest  # noqa: E402
from alembic import command  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Connection, Engine, event, select  # noqa: E402

from api.accounts.keys import create_api_key  # noqa: E402
from api.auth import cache as principal_cache  # noqa: E402
from api.auth.models import AuthToken, User  # noqa: E402
from api.auth.security import new_token, sha256_hex  # noqa: E402
from api.cli import _alembic_config  # noqa: E402
from api.core import clock  # noqa: E402
from api.core.db import SessionLocal, make_engine, session_scope  # noqa: E402
from api.core.principal import Role  # noqa: E402
from api.core.settings import get_settings  # noqa: E402
from api.demo import seed  # noqa: E402
from api.main import create_app  # noqa: E402
from api.organisations.models import Organisation  # noqa: E402
from tests.hashing import cheap_password_hashing  # noqa: E402
from tests.pg_reset import create_database, drop_database, empty_public_schema  # noqa: E402

cheap_password_hashing()


@pytest.fixture(scope="session", autouse=True)
def one_event_loop() -> Iterator[None]:
    """Every TestClient not used as a context manager sends its requests through one event-loop
    thread. Starlette's TestClient otherwise starts a thread and an event loop for each request,
    which was a third of an in-process request's time (8.0 -> 5.1 ms a request)."""
    with anyio.from_thread.start_blocking_portal() as portal:
        TestClient.portal = portal
        yield
        TestClient.portal = None


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    own_database = bool(_SHARED_URL and _WORKER)
    if own_database:
        create_database(DATABASE_URL)
    engine = make_engine(DATABASE_URL)
    empty_public_schema(engine)
    config = _alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    yield engine
    engine.dispose()
    if own_database:
        drop_database(DATABASE_URL)


@pytest.fixture(scope="session")
def credentials(engine: Engine) -> dict[str, str]:
    """Demo data plus a bearer credential per role: users get tokens, keys for the rest."""
    SessionLocal.configure(bind=engine)
    creds: dict[str, str] = {}
    with session_scope() as session:  # links the seed's audit events after the commit
        seed(session)
        for role in (Role.admin, Role.officer, Role.member):
            user = session.scalars(select(User).where(User.role == role)).first()
            assert user is not None and user.id is not None
            token = new_token()
            session.add(
                AuthToken(
                    token_hash=sha256_hex(token),
                    user_id=user.id,
                    expires_at=clock.now() + timedelta(hours=8),
                )
            )
            creds[role.value] = token
        member = session.scalars(select(User).where(User.role == Role.member)).one()
        creds["partner"] = create_api_key(
            session,
            role=Role.partner,
            name="test partner",
            organisation_id=member.organisation_id,
        )
        creds["county"] = create_api_key(session, role=Role.county, name="test county")
    return creds


@pytest.fixture
def db(engine: Engine, credentials: dict[str, str]) -> Iterator[Connection]:
    """Each test runs inside a transaction that is rolled back afterwards."""
    with engine.connect() as conn:
        outer = conn.begin()
        SessionLocal.configure(bind=conn, join_transaction_mode="create_savepoint")
        yield conn
        outer.rollback()
        SessionLocal.configure(bind=engine, join_transaction_mode="conditional_savepoint")
    principal_cache.forget_all()  # a rolled-back role change must not outlive its test


@pytest.fixture(scope="session")
def app() -> FastAPI:
    return create_app()


def _client(app: FastAPI, secret: str | None) -> TestClient:
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return TestClient(app, headers=headers, raise_server_exceptions=False)


@pytest.fixture
def client(app: FastAPI, db: Connection, credentials: dict[str, str]) -> TestClient:
    """A client authenticated as the demo administrator."""
    return _client(app, credentials["admin"])


@pytest.fixture
def anon(app: FastAPI, db: Connection) -> TestClient:
    return _client(app, None)


@pytest.fixture
def as_role(app: FastAPI, db: Connection, credentials: dict[str, str]):  # type: ignore[no-untyped-def]
    """``as_role("member")`` -> a client acting as that demo principal."""
    return lambda role: _client(app, credentials[role])


@pytest.fixture
def query_counter(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Collects every SQL statement the test runs. Credentials are resolved on every request
    (no principal cache), so each request's count is the same whatever ran before it."""
    monkeypatch.setattr(get_settings(), "auth_cache_seconds", 0)
    principal_cache.forget_all()
    statements: list[str] = []

    def _count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    yield statements
    event.remove(engine, "before_cursor_execute", _count)


@pytest.fixture
def safer_slug(client: TestClient) -> str:
    """The slug of an active thematic partnership of the demo data."""
    items = client.get("/api/v1/partnerships", params={"limit": 50}).json()["items"]
    return next(p["slug"] for p in items if p["kind"] == "thematic" and p["status"] == "active")


@pytest.fixture
def dialect(engine: Engine) -> str:
    return engine.dialect.name


@pytest.fixture
def org_id(db: Connection) -> int:
    """The id of a demo organisation."""
    with SessionLocal() as session:
        found = session.scalar(select(Organisation.id).order_by(Organisation.id).limit(1))
    assert found is not None
    return found


def _shares_an_expensive_fixture(item: pytest.Item) -> bool:
    """Whether the test uses a fixture set up once per module (a live server, a throw-away
    database) or a session fixture of a sub-directory's conftest (``live_db``)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    for defs in info.name2fixturedefs.values():
        fixture = defs[-1]
        if fixture.scope in ("module", "package", "class"):
            return True
        module = getattr(fixture.func, "__module__", "")
        if fixture.scope == "session" and module.startswith("tests.") and module != __name__:
            return True
    return False


def _give_each_operation_its_own_id(items: list[pytest.Item]) -> None:
    """schemathesis' plugin names the items of every operation alike
    (``test_operation_conforms``). Identical ids stall pytest's progress short of 100 % and,
    worse, ``--dist loadgroup`` keeps only one of them: append the operation."""
    counts = Counter(item.nodeid for item in items)
    for item in items:
        label = getattr(item, "operation_label", None)
        if counts[item.nodeid] < 2 or not label:
            continue
        nodeid = f"{item.nodeid}[{label}]"
        try:
            from _pytest.nodeid import coerce_node_id  # pytest >= 9: a structured id
        except ImportError:
            item._nodeid = nodeid
        else:
            item._id = coerce_node_id(nodeid)  # type: ignore[attr-defined]
    assert len({item.nodeid for item in items}) == len(items), "duplicate test ids"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``pytest -n N --dist loadgroup`` a module whose tests share an expensive fixture
    runs on one worker, in order, so its server or database is built once; the hardening
    modules' live servers all run on one worker (one ``live_db``, and two bursts of concurrent
    requests never compete for the CPU or PostgreSQL's connections). Every other test (the
    schemathesis cases above all) goes to whichever worker is free."""
    _give_each_operation_its_own_id(items)
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue
        if not _shares_an_expensive_fixture(item):
            continue
        module = item.module.__name__ if item.module else ""
        group = "live-servers" if module.startswith("tests.hardening.") else module
        item.add_marker(pytest.mark.xdist_group(group))
