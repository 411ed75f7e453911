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
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core.cells import escape_value
from api.core.db import session_scope
from api.core.errors import Forbidden
from api.core.principal import Principal, Role, Scope
from api.imports.engine import get_kind
from api.imports.kinds.base import Kind
from api.partnerships.access import contacts_visible, partnership_ids_for
from api.people.models import Person

ExportFormat = Literal["csv", "json", "xlsx"]
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FLUSH_EVERY = 500


@dataclass(frozen=True)
class ExportScope:
    """What the caller may export of a kind."""

    kind: Kind
    partnerships: frozenset[int] | None  # rows of these partnerships only; None: every one
    # People: only the rows of the people whose contact details the caller may see (an
    # e-mail is the row's key, so a row without it cannot be exported); None: everyone.
    emails: frozenset[str] | None = None

    def allows(self, values: dict[str, Any]) -> bool:
        return self.emails is None or values.get("email") in self.emails


def authorize_export(session: Session, principal: Principal, kind_name: str) -> ExportScope:
    """The kind and the rows the caller may export.

    Admins export everything; officers and members the partnership kinds for the partnerships
    they belong to, and the reference kinds; the county the indicator kinds. Officers export
    the people whose contact details they may see (api.partnerships.access.contacts_visible).
    """
    kind = get_kind(kind_name)
    if principal.role == Role.county and kind.name in ("indicators", "laa-targets", "measurements"):
        if not principal.scopes & {Scope.read, Scope.laa_read}:
            raise Forbidden("This credential lacks the 'read' scope")
        return ExportScope(kind, None)
    if principal.role not in (Role.admin, Role.officer, Role.member):
        raise Forbidden(f"Your role may not export {kind.name}")
    if not principal.has_scope(Scope.read):
        raise Forbidden("This credential lacks the 'read' scope")
    if kind.name == "people" and principal.role == Role.member:
        raise Forbidden("Your role may not export people")
    partnerships = partnership_ids_for(session, principal) if kind.has_partnership else None
    emails = None
    if kind.name == "people" and not principal.is_admin:
        shown = select(col(Person.email)).where(
            col(Person.email).is_not(None), contacts_visible(session, principal)
        )
        emails = frozenset(e for e in session.scalars(shown) if e is not None)
    return ExportScope(kind, partnerships, emails)


def _rows(scope: ExportScope) -> Iterator[list[Any]]:
    kind = scope.kind
    with session_scope(write=False) as session:
        allowed = set(scope.partnerships) if scope.partnerships is not None else None
        for values in kind.export(session, allowed):
            if scope.allows(values):
                yield [c.to_cell(values.get(c.name)) for c in kind.columns]


def stream(scope: ExportScope, fmt: ExportFormat) -> Iterator[bytes]:
    if fmt == "json":
        return _json(scope)
    if fmt == "xlsx":
        return _xlsx(scope)
    return _csv(scope)


def _csv(scope: ExportScope) -> Iterator[bytes]:
    kind = scope.kind
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    text_columns = [c.text for c in kind.columns]
    buffer.write("\ufeff")  # Excel reads UTF-8 only with a BOM; the importer skips it
    writer.writerow([c.name for c in kind.columns])
    for count, cells in enumerate(_rows(scope), start=1):
        writer.writerow(
            [escape_value(v) if t else v for v, t in zip(cells, text_columns, strict=True)]
        )
        if count % FLUSH_EVERY == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _json(scope: ExportScope) -> Iterator[bytes]:
    names = [c.name for c in scope.kind.columns]
    chunk: list[str] = []
    yield b"["
    first = True
    for cells in _rows(scope):
        item = json.dumps(dict(zip(names, cells, strict=True)), ensure_ascii=False)
        chunk.append(item if first else "," + item)
        first = False
        if len(chunk) >= FLUSH_EVERY:
            yield "\n".join(chunk).encode()
            chunk = []
    yield ("\n".join(chunk) + "]\n").encode()


def _xlsx(scope: ExportScope) -> Iterator[bytes]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(scope.kind.name)
    sheet.append([c.name for c in scope.kind.columns])
    for cells in _rows(scope):
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
