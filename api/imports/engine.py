"""The import engine: read → match the header → parse every row → resolve references in bulk →
diff against the database by natural key → (unless a dry run) write in batches, record, audit.

Nothing is written unless every row is valid; the caller's transaction makes the write
all-or-nothing (the HTTP request's session, or the CLI's ``session_scope``).
"""

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import audit, clock
from api.core.cells import FORMULA_START
from api.core.errors import Forbidden, NotFound, Unprocessable
from api.core.permissions import require_scope
from api.core.principal import Principal, Role, Scope
from api.imports.columns import normalise_header
from api.imports.kinds import KINDS
from api.imports.kinds.base import Context, Errors, Existing, Kind, Row, Update
from api.imports.models import ImportRecord
from api.imports.readers import ReadError, Table, read_table, table_from_objects
from api.imports.schemas import ImportChange, ImportErrorItem, ImportResult
from api.partnerships.access import managed_partnership_ids

ERROR_CAP = 200
CHANGE_CAP = 1_000
Progress = Callable[[str, int, int | None], None]


def get_kind(name: str) -> Kind:
    kind = KINDS.get(name.replace("_", "-"))
    if kind is None:
        raise NotFound(f"No import kind '{name}'; use one of: {', '.join(KINDS)}")
    return kind


def importable_partnerships(
    session: Session, principal: Principal, kind: Kind
) -> frozenset[int] | None:
    """Which partnerships the caller may import into (``None``: all); 403 if none at all.

    Needs the ``import`` scope. Admins import every kind. Officers import the partnership
    kinds (people, meetings, tasks) into the partnerships they manage (open chair, vice-chair
    or officer membership); reference data (organisations, indicators, targets, measurements)
    is for admins.
    """
    require_scope(principal, Scope.import_)
    if principal.is_admin:
        return None
    if principal.role != Role.officer or not kind.has_partnership:
        raise Forbidden(f"Your role may not import {kind.name}")
    ids = managed_partnership_ids(session, principal)
    if not ids:
        raise Forbidden("You manage no partnership to import into")
    return ids


def run_import(
    session: Session,
    principal: Principal,
    kind_name: str,
    *,
    data: bytes | None = None,
    items: Any = None,
    file_name: str | None = None,
    content_type: str | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    partnership: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a file (``data``) or already-decoded JSON rows (``items``)."""
    kind = get_kind(kind_name)
    allowed = importable_partnerships(session, principal, kind)
    if data is None:
        data = json.dumps(items, sort_keys=True, separators=(",", ":")).encode()
    sha256 = hashlib.sha256(data).hexdigest()
    table = _read(data, items, file_name=file_name, content_type=content_type, sheet=sheet)

    now = clock.now()
    errors = Errors(ERROR_CAP)
    ctx = Context(
        session=session,
        principal=principal,
        errors=errors,
        columns_present=set(),
        allowed_partnerships=allowed,
        today=clock.today(),
        now=now,
        progress=progress or (lambda phase, done, total: None),
    )
    rows, unknown = _parse(kind, table, ctx, partnership)
    _check_duplicates(kind, rows, errors)
    if ctx.header_ok:  # check references even if some rows failed to parse
        kind.resolve(ctx, [r for r in rows if r.number not in errors.rows])
    if errors:
        raise _rejected(kind, errors, len(rows), unknown)
    creates, updates, unchanged = _diff(kind, rows, kind.load(ctx, rows))
    kind.check(ctx, creates, updates)
    if errors:
        raise _rejected(kind, errors, len(rows), unknown)

    result = ImportResult(
        kind=kind.name,
        dry_run=dry_run,
        file_name=file_name,
        sha256=sha256,
        rows=len(rows),
        created=len(creates),
        updated=len(updates),
        unchanged=unchanged,
        deleted=0,
        unknown_columns=unknown,
    )
    if dry_run:
        result.changes, result.changes_total = _changes(kind, creates, updates)
        return result
    if creates or updates:
        kind.apply(ctx, creates, updates)
        result.import_id = _record_import(ctx, result)
    else:
        # Nothing changed: not a new import, point at the earlier run of the same file if any.
        result.duplicate_of = session.scalar(
            select(ImportRecord.id)
            .where(col(ImportRecord.kind) == kind.name, col(ImportRecord.sha256) == sha256)
            .order_by(col(ImportRecord.id).desc())
            .limit(1)
        )
    return result


def _read(
    data: bytes,
    items: Any,
    *,
    file_name: str | None,
    content_type: str | None,
    sheet: str | None,
) -> Table:
    """The upload as a table of cells: decoded JSON rows as they are, a file by its type."""
    try:
        if items is not None:
            return table_from_objects(items)
        return read_table(data, file_name=file_name, content_type=content_type, sheet=sheet)
    except ReadError as exc:
        raise Unprocessable(str(exc), slug="unreadable-file") from None


def _record_import(ctx: Context, result: ImportResult) -> int | None:
    """Remember an import that wrote something, audited like any other write."""
    record = ImportRecord(
        kind=result.kind,
        file_name=result.file_name,
        sha256=result.sha256,
        principal=ctx.principal.label,
        counts=result.counts(),
        created_at=ctx.now,
    )
    ctx.session.add(record)
    ctx.session.flush()
    audit.record(
        ctx.session,
        ctx.principal,
        "import",
        "import_record",
        record.id,
        after=audit.snapshot(record),
    )
    return record.id


def _unescape(value: str) -> str:
    """Undo the export's formula escape: ``'=SUM`` -> ``=SUM``."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        return value[1:]
    return value


def _parse(
    kind: Kind, table: Table, ctx: Context, partnership: str | None
) -> tuple[list[Row], list[str]]:
    errors = ctx.errors
    by_name = {c.name: c for c in kind.columns}
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for index, heading in enumerate(table.header):
        name = normalise_header(heading or "")
        if not name:
            continue
        if name in by_name and name not in positions:
            positions[name] = index
        elif name in by_name:
            errors.add(1, name, heading, "column appears twice")
        else:
            unknown.append(heading)
    default_partnership = partnership if kind.has_partnership else None
    if default_partnership is not None and "partnership" not in positions:
        positions["partnership"] = len(table.header)  # a virtual column, blank in every row
    for c in kind.columns:
        if c.required and c.name not in positions:
            errors.add(1, c.name, None, "required column is missing")
    ctx.columns_present = set(positions)
    ctx.header_ok = not errors
    rows: list[Row] = []
    # Parsed dates, choices and numbers are shared between rows with the same cell text
    # (a memo per non-text column), which saves time and memory on long files.
    specs: list[tuple[Any, ...]] = [
        (name, index, by_name[name].parse, by_name[name].required, by_name[name].default,
         by_name[name].text, None if by_name[name].text else {})
        for name, index in positions.items()
    ]  # fmt: skip
    width = max(positions.values(), default=-1) + 1
    partnership_index = positions.get("partnership", -1)
    for number, cells in table.rows:
        if len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        if default_partnership is not None:
            given = cells[partnership_index]
            if given is None:
                cells[partnership_index] = default_partnership
            elif given != default_partnership:
                errors.add(
                    number, "partnership", given, f"only '{default_partnership}' is allowed here"
                )
        values: dict[str, Any] = {}
        for name, index, parse, required, default, is_text, memo in specs:
            cell = cells[index]
            if cell is None:
                if required:
                    errors.add(number, name, None, "required")
                values[name] = default
                continue
            if is_text and cell[0] == "'":
                cell = cells[index] = _unescape(cell)
            if memo is not None and cell in memo:
                values[name] = memo[cell]
                continue
            try:
                values[name] = parsed = parse(cell)
            except ValueError as exc:
                errors.add(number, name, cell, str(exc))
                values[name] = None
                continue
            if memo is not None and len(memo) < 10_000:
                memo[cell] = parsed
        rows.append(Row(number, values, cells, positions))
        if len(rows) % 5_000 == 0:
            ctx.progress("reading", len(rows), table.total)
    ctx.progress("reading", len(rows), len(rows))
    return rows, unknown


def _check_duplicates(kind: Kind, rows: list[Row], errors: Errors) -> None:
    seen: dict[Any, int] = {}
    for row in rows:
        key = kind.row_key(row)
        if any(v is None for v in key[:1]):
            continue
        first = seen.setdefault(key, row.number)
        if first != row.number:
            errors.add(row.number, kind.key[-1], row.cell(kind.key[-1]), f"same key as row {first}")


def _diff(
    kind: Kind, rows: list[Row], existing: Iterable[tuple[Any, Existing]]
) -> tuple[list[Row], list[Update], int]:
    """Split rows into creates, updates (with the columns that change) and a count unchanged.

    Only columns the file has are compared: a column left out keeps what is stored.
    """
    pending = {kind.row_key(row): row for row in rows}
    updates: list[Update] = []
    unchanged = 0
    for key, current in existing:
        row = pending.pop(key, None)
        if row is None:
            continue
        stored = current.values
        changed = {
            name: (stored[name], value)
            for name, value in row.values.items()
            if name in stored and stored[name] != value
        }
        if changed:
            updates.append(Update(row=row, existing=current, changed=changed))
        else:
            unchanged += 1
    updates.sort(key=lambda u: u.row.number)
    return list(pending.values()), updates, unchanged


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _changes(
    kind: Kind, creates: list[Row], updates: list[Update]
) -> tuple[list[ImportChange], int]:
    changes: list[ImportChange] = []
    total = len(creates) + len(updates)
    for row in creates[:CHANGE_CAP]:
        changes.append(
            ImportChange(
                row=row.number,
                action="create",
                key={k: _jsonable(row.values.get(k)) for k in kind.key},
                before=None,
                after={k: _jsonable(v) for k, v in row.values.items()},
            )
        )
    for upd in updates[: max(CHANGE_CAP - len(changes), 0)]:
        changes.append(
            ImportChange(
                row=upd.row.number,
                action="update",
                key={k: _jsonable(upd.row.values.get(k)) for k in kind.key},
                before={k: _jsonable(b) for k, (b, _) in upd.changed.items()},
                after={k: _jsonable(a) for k, (_, a) in upd.changed.items()},
            )
        )
    changes.sort(key=lambda c: c.row)
    return changes, total


def _rejected(kind: Kind, errors: Errors, rows: int, unknown: list[str]) -> Unprocessable:
    items = [
        ImportErrorItem(
            loc=["file", e.row, e.column or ""],
            msg=e.message,
            row=e.row,
            column=e.column,
            value=e.value,
            message=e.message,
        ).model_dump()
        for e in sorted(errors.items, key=lambda e: (e.row, e.column or ""))
    ]
    noun = "error" if errors.count == 1 else "errors"
    return Unprocessable(
        f"{errors.count} {noun} in {len(errors.rows)} of {rows} rows; nothing was imported",
        slug="import-rejected",
        errors=items,
        error_count=errors.count,
        rows=rows,
        kind=kind.name,
        unknown_columns=unknown,
    )
