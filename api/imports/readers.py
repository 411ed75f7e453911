"""Turn an uploaded file into a header and rows of text cells.

CSV: UTF-8 (with or without BOM) or Windows-1252 as Excel writes it, comma or semicolon
separated, quoted newlines allowed. XLSX: first sheet or a named one, read with openpyxl in
read-only mode. JSON: an array of objects. Cells come back as stripped strings (``None`` when
blank) so every format goes through the same column parsers.
"""

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

XLSX_MAGIC = b"PK\x03\x04"


class ReadError(ValueError):
    """The file as a whole cannot be read (not the fault of one row)."""


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[str | None]]]  # (row number as the user sees it, cells)
    format: str  # csv | xlsx | json
    total: int | None = None  # row count when known up front (progress bars)


def detect_format(data: bytes, file_name: str | None, content_type: str | None) -> str:
    name = (file_name or "").lower()
    ctype = (content_type or "").lower()
    if name.endswith(".xlsx") or "spreadsheetml" in ctype or data.startswith(XLSX_MAGIC):
        return "xlsx"
    if name.endswith(".json") or "json" in ctype:
        return "json"
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"["):
        return "json"
    return "csv"


def read_table(
    data: bytes,
    *,
    file_name: str | None = None,
    content_type: str | None = None,
    sheet: str | None = None,
) -> Table:
    fmt = detect_format(data, file_name, content_type)
    if fmt == "xlsx":
        return _read_xlsx(data, sheet)
    if fmt == "json":
        return _read_json(data)
    return _read_csv(data)


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM dropped) or, failing that, Windows-1252 — what Excel's "CSV" writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 maps every byte, so nothing is lost.
        return data.decode("latin-1")


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _lines(text: str) -> Iterator[str]:
    """Lines with their ``\n`` kept (the csv module joins quoted newlines itself), without a
    second copy of the text in memory."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            if start < len(text):
                yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def _read_csv(data: bytes) -> Table:
    text = decode_text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(_lines(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ReadError("The file is empty") from None
    except csv.Error as exc:
        raise ReadError(f"Not a readable CSV file: {exc}") from None
    total = max(text.count("\n") - 1, 0)

    def rows() -> Iterator[tuple[int, list[str | None]]]:
        number = 1
        # Spreadsheets repeat themselves (partnership, outcome, dates on every row): keep one
        # copy of each distinct cell text.
        seen: dict[str, str] = {}
        try:
            for cells in reader:
                number += 1
                cleaned = [seen.setdefault(c, c) if c else None for c in map(str.strip, cells)]
                if any(cleaned):
                    yield number, cleaned
        except csv.Error as exc:
            raise ReadError(f"Row {number + 1}: not readable CSV: {exc}") from None

    return Table(header=header, rows=rows(), format="csv", total=total)


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _clean(str(value))


def _read_xlsx(data: bytes, sheet: str | None) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ReadError(f"Not a readable XLSX file: {exc}") from None
    ws: Any
    if sheet is not None:
        if sheet not in book.sheetnames:
            raise ReadError(f"No sheet named '{sheet}' (sheets: {', '.join(book.sheetnames)})")
        ws = book[sheet]
    else:
        ws = book.worksheets[0]
    values = ws.iter_rows(values_only=True)
    try:
        header_cells = next(values)
    except StopIteration:
        raise ReadError("The sheet is empty") from None
    header = [_cell_text(c) or "" for c in header_cells]
    while header and not header[-1]:
        header.pop()
    total = ws.max_row - 1 if ws.max_row else None

    def rows() -> Iterator[tuple[int, list[str | None]]]:
        number = 1
        for cells in values:
            number += 1
            texts = [_cell_text(c) for c in cells]
            if any(t is not None for t in texts):
                yield number, texts
        book.close()

    return Table(header=header, rows=rows(), format="xlsx", total=total)


def _read_json(data: bytes) -> Table:
    try:
        items = json.loads(decode_text(data))
    except json.JSONDecodeError as exc:
        raise ReadError(f"Not valid JSON: {exc}") from None
    return table_from_objects(items)


def table_from_objects(items: Any) -> Table:
    """A JSON array of row objects; the header is every key seen, in first-seen order."""
    if not isinstance(items, list):
        raise ReadError("Send a JSON array of row objects")
    header: dict[str, None] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ReadError(f"Item {index + 1} is not an object")
        for key in item:
            header.setdefault(str(key), None)
    names = list(header)

    def rows() -> Iterator[tuple[int, list[str | None]]]:
        for index, item in enumerate(items):
            yield index + 1, [_json_cell(item.get(name)) for name in names]

    return Table(header=names, rows=rows(), format="json", total=len(items))


def _json_cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value)
    return _clean(str(value))
