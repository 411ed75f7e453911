"""``lsphub import`` and ``lsphub export``: against the local database or a remote server.

Exit codes of ``import``: 0 imported (or dry run passed), 1 rejected (bad rows; nothing
written), 2 could not run (no file, unknown kind, no access, server unreachable, …).
"""

import getpass
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console()
err_console = Console(stderr=True)

EXIT_OK, EXIT_REJECTED, EXIT_FAILED = 0, 1, 2
SHOWN_ERRORS = 50
SHOWN_CHANGES = 20

UrlOption = Annotated[
    str | None, typer.Option(help="Remote server, e.g. https://lsp.example.org (else local DB)")
]
KeyOption = Annotated[
    str | None, typer.Option(envvar="LSPHUB_API_KEY", help="API key for --url (scope 'import')")
]


def import_command(
    kind: Annotated[str, typer.Argument(help="organisations, people, meetings, tasks, …")],
    file: Annotated[Path, typer.Argument(help="CSV, XLSX or JSON file")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and report only")] = False,
    partnership: Annotated[
        str | None, typer.Option(help="Partnership slug for rows that leave it blank")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet (default: the first)")] = None,
    url: UrlOption = None,
    api_key: KeyOption = None,
) -> None:
    """Import a file of one kind; nothing is written unless every row is valid."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        err_console.print(f"[red]Cannot read {file}: {exc.strerror}[/red]")
        raise typer.Exit(EXIT_FAILED) from None
    if url:
        status, body = _remote_import(
            url, api_key, kind, file.name, data, dry_run, partnership, sheet
        )
    else:
        status, body = _local_import(kind, file.name, data, dry_run, partnership, sheet)
    if status == 200:
        _print_summary(body)
        raise typer.Exit(EXIT_OK)
    if status == 422 and body.get("type") == "/problems/import-rejected":
        _print_errors(body)
        raise typer.Exit(EXIT_REJECTED)
    err_console.print(f"[red]Import failed ({status}): {body.get('detail') or body}[/red]")
    raise typer.Exit(EXIT_FAILED)


def _local_import(
    kind: str,
    file_name: str,
    data: bytes,
    dry_run: bool,
    partnership: str | None,
    sheet: str | None,
) -> tuple[int, dict[str, Any]]:
    from api.core.db import session_scope
    from api.core.errors import DomainError
    from api.core.principal import Principal, Role
    from api.imports.engine import run_import

    principal = Principal(kind="system", id=0, label=f"cli:{getpass.getuser()}", role=Role.admin)
    with _progress() as report:
        try:
            with session_scope() as session:
                result = run_import(
                    session,
                    principal,
                    kind,
                    data=data,
                    file_name=file_name,
                    dry_run=dry_run,
                    partnership=partnership,
                    sheet=sheet,
                    progress=report,
                )
                report("committing", 0, None)
        except DomainError as exc:
            return exc.status, {
                "type": f"/problems/{exc.slug}",
                "detail": exc.detail,
                "errors": exc.errors or [],
                **exc.extra,
            }
        except Exception as exc:  # database unreachable, locked, …
            return 500, {"detail": f"{type(exc).__name__}: {exc}"}
    return 200, result.model_dump(mode="json")


def _remote_import(
    url: str,
    api_key: str | None,
    kind: str,
    file_name: str,
    data: bytes,
    dry_run: bool,
    partnership: str | None,
    sheet: str | None,
) -> tuple[int, dict[str, Any]]:
    import httpx

    params: dict[str, str] = {"dry_run": str(dry_run).lower()}
    if partnership:
        params["partnership"] = partnership
    if sheet:
        params["sheet"] = sheet
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    endpoint = f"{url.rstrip('/')}/api/v1/imports/{kind}"
    try:
        with console.status(f"Uploading {file_name} ({len(data):,} bytes)…"):
            response = httpx.post(
                endpoint,
                files={"file": (file_name, data)},
                params=params,
                headers=headers,
                timeout=httpx.Timeout(600.0, connect=10.0),
            )
    except httpx.HTTPError as exc:
        return 0, {"detail": f"cannot reach {url}: {exc}"}
    try:
        body = response.json()
    except ValueError:
        body = {"detail": response.text[:500]}
    return response.status_code, body if isinstance(body, dict) else {"detail": body}


class _progress:
    """A rich progress bar on a terminal; plain ``phase done/total`` lines otherwise."""

    def __enter__(self) -> "_progress":
        self.interactive = err_console.is_terminal
        self.bar: Progress | None = None
        self.tasks: dict[str, Any] = {}
        if self.interactive:
            self.bar = Progress(
                TextColumn("{task.description:<22}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err_console,
                transient=True,
            )
            self.bar.start()
        return self

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if self.bar is None:
            print(f"{phase} {done}/{total if total is not None else '?'}", file=sys.stderr)
            sys.stderr.flush()
            return
        if phase not in self.tasks:
            self.tasks[phase] = self.bar.add_task(phase, total=total)
        self.bar.update(self.tasks[phase], completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _print_summary(body: dict[str, Any]) -> None:
    verb = "Dry run" if body.get("dry_run") else "Imported"
    console.print(
        f"[green]{verb}[/green] {body['kind']}: {body['rows']:,} rows — "
        f"{body['created']:,} created, {body['updated']:,} updated, "
        f"{body['unchanged']:,} unchanged, {body.get('deleted', 0)} deleted"
    )
    if body.get("unknown_columns"):
        console.print(f"[yellow]Ignored columns:[/yellow] {', '.join(body['unknown_columns'])}")
    changes = body.get("changes") or []
    if changes:
        table = Table("row", "action", "key", "before → after", title="Would change")
        for change in changes[:SHOWN_CHANGES]:
            key = " / ".join(str(v) for v in change["key"].values())
            before = change.get("before") or {}
            diff = "; ".join(f"{k}: {before.get(k)!r} → {v!r}" for k, v in change["after"].items())
            table.add_row(str(change["row"]), change["action"], key, diff)
        console.print(table)
        if body.get("changes_total", 0) > SHOWN_CHANGES:
            console.print(f"… and {body['changes_total'] - SHOWN_CHANGES:,} more")
    if body.get("import_id"):
        console.print(f"Import record #{body['import_id']}.")
    elif body.get("duplicate_of"):
        console.print(f"Nothing changed: same as import #{body['duplicate_of']}.")


def _print_errors(body: dict[str, Any]) -> None:
    errors = body.get("errors") or []
    table = Table("row", "column", "value", "problem", title="Rejected: nothing was imported")
    for error in errors[:SHOWN_ERRORS]:
        table.add_row(
            str(error.get("row", "")),
            error.get("column") or "",
            error.get("value") or "",
            error.get("message") or error.get("msg", ""),
        )
    err_console.print(table)
    count = body.get("error_count", len(errors))
    if count > SHOWN_ERRORS:
        err_console.print(f"… {count - SHOWN_ERRORS:,} more errors not shown")
    err_console.print(f"[red]{body.get('detail')}[/red]")


def export_command(
    kind: Annotated[str, typer.Argument(help="organisations, people, meetings, tasks, …")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: stdout)")
    ] = None,
    format: Annotated[str, typer.Option("--format", help="csv, json or xlsx")] = "csv",
    url: UrlOption = None,
    api_key: KeyOption = None,
) -> None:
    """Export every row of a kind in its import format."""
    if format not in ("csv", "json", "xlsx"):
        err_console.print("[red]--format must be csv, json or xlsx[/red]")
        raise typer.Exit(EXIT_FAILED)
    if format == "xlsx" and output is None:
        err_console.print("[red]XLSX needs --output[/red]")
        raise typer.Exit(EXIT_FAILED)
    sink = output.open("wb") if output else sys.stdout.buffer
    try:
        if url:
            _remote_export(url, api_key, kind, format, sink)
        else:
            from api.core.errors import DomainError
            from api.imports.engine import get_kind
            from api.imports.exports import ExportScope, stream

            try:
                found = get_kind(kind)
            except DomainError as exc:
                err_console.print(f"[red]{exc.detail}[/red]")
                raise typer.Exit(EXIT_FAILED) from None
            for chunk in stream(ExportScope(found, None), format):  # type: ignore[arg-type]
                sink.write(chunk)
    finally:
        if output:
            sink.close()


def _remote_export(url: str, api_key: str | None, kind: str, fmt: str, sink: Any) -> None:
    import httpx

    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    endpoint = f"{url.rstrip('/')}/api/v1/exports/{kind}"
    try:
        with httpx.stream(
            "GET", endpoint, params={"format": fmt}, headers=headers, timeout=600
        ) as response:
            if response.status_code != 200:
                response.read()
                err_console.print(f"[red]Export failed ({response.status_code}): {response.text}")
                raise typer.Exit(EXIT_FAILED)
            for chunk in response.iter_bytes():
                sink.write(chunk)
    except httpx.HTTPError as exc:
        err_console.print(f"[red]Cannot reach {url}: {exc}[/red]")
        raise typer.Exit(EXIT_FAILED) from None
