"""Spreadsheet cells: text a spreadsheet would run as a formula is escaped on the way out."""

from typing import Any

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(text: str) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ tab or CR gets a '."""
    return f"'{text}" if text.startswith(FORMULA_START) else text


def escape_value(value: Any) -> Any:
    """:func:`escape_cell` for a cell of any type: only text can be a formula."""
    return escape_cell(value) if isinstance(value, str) else value
