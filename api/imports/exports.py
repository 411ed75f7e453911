"""Exports in exactly the import format: export → edit in a spreadsheet → import back.

The rows come from the kind's own ``export`` (the same column dicts the importer diffs), the
header from its column table. CSV and JSON are streamed with a session of their own, so the
response starts at once and memory stays flat; XLSX is written to a spooled temporary file
first (a zip cannot be streamed while it is written).
"""

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from typing import Any, Literal

from sqlalchemy.orm import Session

from api.core.cells import escape_value
from api.core.db import session_scope
from api.core.errors import Forbidden
from api.core.principal import Principal, Role, Scope
from api.imports.engine import get_kind
from api.imports.kinds.base import Kind
from api.partnerships.access import partnership_ids_for

ExportFormat = Literal["csv", "json", "xlsx"]
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FLUSH_EVERY = 500


def authorize_export(
    session: Session, principal: Principal, kind_name: str
) -> tuple[Kind, frozenset[int] | None]:
    """The kind and the partnerships whose rows the caller may export (``None``: all).

    Admins export everything; officers and members the partnership kinds for the partnerships
    they belong to, and the reference kinds; the county the indicator kinds.
    """
    kind = get_kind(kind_name)
    if principal.role == Role.county and kind.name in ("indicators", "laa-targets", "measurements"):
        if not principal.scopes & {Scope.read, Scope.laa_read}:
            raise Forbidden("This credential lacks the 'read' scope")
        return kind, None
    if principal.role not in (Role.admin, Role.officer, Role.member):
        raise Forbidden(f"Your role may not export {kind.name}")
    if not principal.has_scope(Scope.read):
        raise Forbidden("This credential lacks the 'read' scope")
    if kind.name == "people" and principal.role == Role.member:
        raise Forbidden("Your role may not export people")
    return kind, partnership_ids_for(session, principal) if kind.has_partnership else None


def _rows(kind: Kind, partnerships: frozenset[int] | None) -> Iterator[list[Any]]:
    with session_scope(write=False) as session:
        allowed = set(partnerships) if partnerships is not None else None
        for values in kind.export(session, allowed):
            yield [c.to_cell(values.get(c.name)) for c in kind.columns]


def stream(kind: Kind, partnerships: frozenset[int] | None, fmt: ExportFormat) -> Iterator[bytes]:
    if fmt == "json":
        return _json(kind, partnerships)
    if fmt == "xlsx":
        return _xlsx(kind, partnerships)
    return _csv(kind, partnerships)


def _csv(kind: Kind, partnerships: frozenset[int] | None) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    text_columns = [c.text for c in kind.columns]
    buffer.write("\ufeff")  # Excel reads UTF-8 only with a BOM; the importer skips it
    writer.writerow([c.name for c in kind.columns])
    for count, cells in enumerate(_rows(kind, partnerships), start=1):
        writer.writerow(
            [escape_value(v) if t else v for v, t in zip(cells, text_columns, strict=True)]
        )
        if count % FLUSH_EVERY == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _json(kind: Kind, partnerships: frozenset[int] | None) -> Iterator[bytes]:
    names = [c.name for c in kind.columns]
    chunk: list[str] = []
    yield b"["
    first = True
    for cells in _rows(kind, partnerships):
        item = json.dumps(dict(zip(names, cells, strict=True)), ensure_ascii=False)
        chunk.append(item if first else "," + item)
        first = False
        if len(chunk) >= FLUSH_EVERY:
            yield "\n".join(chunk).encode()
            chunk = []
    yield ("\n".join(chunk) + "]\n").encode()


def _xlsx(kind: Kind, partnerships: frozenset[int] | None) -> Iterator[bytes]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(kind.name)
    sheet.append([c.name for c in kind.columns])
    for cells in _rows(kind, partnerships):
        row = []
        for value in cells:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            row.append(cell)
        sheet.append(row)
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as out:
        book.save(out)
        out.seek(0)
        while chunk := out.read(64 * 1024):
            yield chunk
