"""The ``lsphub`` command line."""

import json
import os
import secrets
import sys
from pathlib import Path
from typing import Annotated

import typer
from alembic.config import Config
from rich.console import Console

import api.models  # noqa: F401  (every table mapped before the first flush)
from api.core.audit_chain import Tip
from api.imports import cli as imports_cli

app = typer.Typer(
    help="LSP Hub: run a Local Strategic Partnership.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()

ROOT = Path(__file__).resolve().parent.parent


def _alembic_config(url: str | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


def _ensure_sqlite_dir() -> None:
    from sqlalchemy.engine import make_url

    from api.core.settings import get_settings

    url = make_url(get_settings().database_url)
    if url.drivername.startswith("sqlite") and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


@app.command()
def migrate() -> None:
    """Bring the database schema to the latest revision and load reference data."""
    from alembic import command

    from api.core.db import session_scope
    from api.indicators.catalogue import load_national_indicators

    _ensure_sqlite_dir()
    command.upgrade(_alembic_config(), "head")
    with session_scope() as session:
        added = load_national_indicators(session)
    console.print(f"[green]Database migrated[/green]; {added} National Indicators added.")


@app.command("seed-demo")
def seed_demo(
    force: Annotated[bool, typer.Option(help="Seed even if data exists")] = False,
) -> None:
    """Load the fictional demo partnership (idempotent: does nothing if already loaded)."""
    from api.core.db import session_scope
    from api.demo import seed

    with session_scope() as session:
        result = seed(session, force=force)
    if result is None:
        console.print("Demo data already present; nothing to do.")
        return
    console.print("[green]Demo data loaded.[/green]")
    for line in result:
        console.print(line, soft_wrap=True)


@app.command("demo-credentials")
def demo_credentials() -> None:
    """Print the demo logins and fresh demo API keys (earlier demo keys are revoked)."""
    from api.core.db import session_scope
    from api.demo import issue_demo_credentials

    with session_scope() as session:
        lines = issue_demo_credentials(session)
    console.print("[bold]Demo credentials (fictional):[/bold]")
    for line in lines:
        console.print(line, soft_wrap=True)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    reload: bool = False,
    access_log: Annotated[bool, typer.Option(help="Log every request to stdout")] = True,
    graceful_timeout: Annotated[
        int, typer.Option(help="Seconds a stopping worker may finish its requests")
    ] = 20,
    factory: Annotated[str, typer.Option(hidden=True)] = "api.main:create_app",
) -> None:
    """Serve the API (and the built SPA) with uvicorn. Forwarded headers are believed only
    from LSPHUB_TRUSTED_PROXIES (the application applies it; uvicorn's own trust is off).

    Once the settings are read this process becomes the server's command line (same process
    id). One worker is uvicorn alone; more are uvicorn workers forked by gunicorn's arbiter
    (api/core/web/server.py), which loads the application once and forks the workers from it,
    so that they share its memory, and, unlike uvicorn's supervisor, starts no extra
    resource-tracker process (bench/memory_bench.py). The hidden ``--factory`` serves another
    app the same way (the benchmarks' variants of it)."""
    from api.core.settings import get_settings

    limit = str(get_settings().thread_pool_size * 4)
    if workers > 1 and not reload:
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        argv = [sys.executable, "-m", "gunicorn", f"{factory}()", "--preload",
                "--config", "python:api.core.web.server",
                "--worker-class", "api.core.web.server.Worker", "--workers", str(workers),
                "--bind", bind, "--worker-connections", limit, "--keep-alive", "5",
                "--graceful-timeout", str(graceful_timeout), "--no-control-socket"]  # fmt: skip
        if access_log:
            argv += ["--access-logfile", "-"]
    else:
        argv = [sys.executable, "-m", "uvicorn", factory, "--factory",
                "--host", host, "--port", str(port), "--workers", str(workers),
                "--no-proxy-headers", "--limit-concurrency", limit,
                "--timeout-graceful-shutdown", str(graceful_timeout)]  # fmt: skip
        if not access_log:
            argv.append("--no-access-log")
        if reload:
            argv.append("--reload")
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, argv)


@app.command()
def openapi(
    output: Annotated[Path, typer.Option(help="Where to write the schema")] = ROOT
    / "openapi"
    / "openapi.json",
) -> None:
    """Write the OpenAPI schema (committed; a test fails when it drifts).

    The schema describes the code, not an installation, so it is written without production
    settings (no secret key needed); an explicit LSPHUB_ENV still wins."""
    os.environ.setdefault("LSPHUB_ENV", "test")
    from api.main import create_app

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(create_app().openapi(), indent=2, sort_keys=True) + "\n")
    console.print(f"Wrote {output}")


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="Deliver one batch and exit")] = False,
    interval: Annotated[float, typer.Option(help="Seconds to sleep when idle")] = 2.0,
) -> None:
    """Deliver queued webhook events and e-mail, queue the reminders and digests that are due,
    and link audit events a crash left pending (run one or more; they share the work safely)."""
    import logging
    import signal
    import threading

    from api.core.audit import AuditEvent
    from api.core.audit_chain import link_chore
    from api.core.housekeeping import periodic_sweep
    from api.main import install_features
    from api.notifications.worker import mail_chore, schedule_chore
    from api.webhooks.service import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):  # `docker stop` sends SIGTERM
        signal.signal(sig, lambda *_: stopping.set())
    console.print("Worker started; SIGTERM or Ctrl-C stops it after the delivery in hand.")
    install_features()
    events = AuditEvent.__table__  # type: ignore[attr-defined]
    chores = [periodic_sweep(), link_chore(events), schedule_chore(), mail_chore(stopping)]
    run_worker(interval_seconds=interval, once=once, stopping=stopping, chores=chores)
    console.print("Worker stopped.")


@app.command("send-mail")
def send_mail(
    once: Annotated[bool, typer.Option(help="Send one batch and exit")] = False,
) -> None:
    """Send the queued e-mail now, until nothing is due (through LSPHUB_SMTP_URL, or as .eml
    files under LSPHUB_MAIL_DIR without it). Prints a line per message sent."""
    import sys

    from api.main import install_features
    from api.notifications.worker import drain, run_once

    install_features()

    def sent(mail_id: int) -> None:
        print(f"sent {mail_id}", file=sys.stderr, flush=True)

    count = run_once(on_sent=sent) if once else drain(on_sent=sent)
    console.print(f"{count} messages attempted")


@app.command()
def notify() -> None:
    """Queue the reminders and weekly digests that are due now (the worker does this every
    few minutes; running it again queues nothing twice)."""
    from api.main import install_features
    from api.notifications.schedule import run_due

    install_features()
    counts = run_due()
    console.print(", ".join(f"{name}: {count} queued" for name, count in counts.items()))


@app.command()
def sweep() -> None:
    """Delete expired records now (the worker also does this hourly): stored idempotent
    responses past their day, login tokens a month past expiry, old failed-login records,
    password links a month after use or expiry."""
    from api.core.db import session_scope
    from api.core.housekeeping import sweep as sweep_expired
    from api.main import install_features

    install_features()
    with session_scope() as session:
        removed = sweep_expired(session)
    console.print(", ".join(f"{table}: {count} deleted" for table, count in removed.items()))


@app.command("export-all")
def export_all(
    file: Annotated[Path, typer.Argument(help="Where to write the JSON backup ('-' for stdout)")],
) -> None:
    """Back up every table (users and key hashes included) to one JSON file."""
    import sys

    from api.backup import export_all as dump
    from api.core.db import get_engine

    with get_engine().connect() as conn, conn.begin():
        document = dump(conn)
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    if str(file) == "-":
        sys.stdout.write(text + "\n")
        return
    file.write_text(text + "\n", encoding="utf-8")
    rows = sum(len(r) for r in document["tables"].values())
    console.print(f"Exported {rows} rows from {len(document['tables'])} tables to {file}")


@app.command()
def restore(
    file: Annotated[
        Path, typer.Argument(help="A JSON backup from `lsphub export-all` ('-' for stdin)")
    ],
) -> None:
    """Restore a backup into an empty, freshly migrated database (refuses one with data)."""
    import sys

    from api.backup import BackupError
    from api.backup import restore as load
    from api.core.db import get_engine

    raw = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    try:
        document = json.loads(raw)
        if not isinstance(document, dict):
            raise BackupError("not an lsphub-backup document")
        with get_engine().begin() as conn:
            counts = load(conn, document)
    except (BackupError, json.JSONDecodeError) as exc:
        console.print(f"[red]Not restored:[/red] {exc}")
        raise typer.Exit(1) from exc
    console.print(f"[green]Restored[/green] {sum(counts.values())} rows into {len(counts)} tables")


audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


def _anchor(value: str | None) -> Tip | None:
    if value is None:
        return None
    seq, _, digest = value.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise typer.BadParameter("give SEQ:HASH, as `lsphub audit verify` printed it")
    return Tip(int(seq), digest.lower())


@audit_app.command("verify")
def audit_verify(
    anchor: Annotated[
        str | None,
        typer.Option(help="SEQ:HASH of a tip noted earlier; it must still be in the chain"),
    ] = None,
) -> None:
    """Walk the audit trail's hash chain: OK with the count and the tip, or the first broken
    event (exit status 1)."""
    from api.core.audit import AuditEvent
    from api.core.audit_chain import verify
    from api.core.db import get_engine

    noted = _anchor(anchor)
    with get_engine().connect() as conn, conn.begin():
        verdict = verify(conn, AuditEvent.__table__, noted)  # type: ignore[attr-defined]
    pending = f"; {verdict.pending} pending (not linked yet)" if verdict.pending else ""
    if verdict.broken is not None:
        typer.echo(f"BROKEN after {verdict.events} good events at {verdict.broken}{pending}")
        raise typer.Exit(1)
    typer.echo(f"OK: {verdict.events} events; tip {verdict.tip.seq}:{verdict.tip.hash}{pending}")


@app.command("create-key")
def create_key(
    role: Annotated[str, typer.Option(help="admin, officer, member, partner or county")],
    name: Annotated[str, typer.Option(help="Who or what uses the key")],
    organisation: Annotated[str | None, typer.Option(help="Organisation slug")] = None,
    scope: Annotated[list[str] | None, typer.Option(help="Repeat for each scope")] = None,
) -> None:
    """Create an API key and print it once."""
    from api.accounts.keys import create_api_key
    from api.core.db import session_scope

    with session_scope() as session:
        key = create_api_key(session, role=role, name=name, organisation=organisation, scopes=scope)
    console.print(key)


@app.command("create-user")
def create_user(
    email: Annotated[str, typer.Option(help="Login e-mail")],
    name: Annotated[str, typer.Option(help="Display name")],
    role: Annotated[str, typer.Option(help="admin, officer, member or county")] = "member",
    organisation: Annotated[str | None, typer.Option(help="Organisation slug")] = None,
    person_email: Annotated[
        str | None, typer.Option(help="E-mail of the person record (for memberships)")
    ] = None,
    password: Annotated[
        str | None, typer.Option(help="At least 12 characters; omit to generate one")
    ] = None,
) -> None:
    """Create a login; a generated password is printed once."""
    from pydantic import ValidationError
    from sqlmodel import select

    from api.accounts.schemas import UserCreate
    from api.accounts.service import add_user
    from api.core.db import session_scope
    from api.core.errors import DomainError
    from api.organisations.models import Organisation
    from api.people.models import Person

    chosen = password or random_password()
    try:
        with session_scope() as session:
            org_id = person_id = None
            if organisation:
                org_id = session.scalar(
                    select(Organisation.id).where(Organisation.slug == organisation)
                )
                if org_id is None:
                    raise typer.BadParameter(f"no organisation '{organisation}'")
            if person_email:
                person_id = session.scalar(
                    select(Person.id).where(Person.email == person_email.strip().lower())
                )
                if person_id is None:
                    raise typer.BadParameter(f"no person with e-mail '{person_email}'")
            body = UserCreate(
                email=email,
                name=name,
                password=chosen,
                role=role,
                organisation_id=org_id,
                person_id=person_id,
            )
            user = add_user(session, "cli", body)
    except (ValidationError, DomainError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"Created user {user.id} <{user.email}> ({user.role})")
    if password is None:
        console.print(f"Password (shown once): {chosen}")


app.command("import")(imports_cli.import_command)
app.command("export")(imports_cli.export_command)


def random_password() -> str:
    return secrets.token_urlsafe(12)


if __name__ == "__main__":
    app()
