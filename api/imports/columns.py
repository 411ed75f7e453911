"""Declarative column specs: one table per kind drives parsing, validation, docs and export.

A :class:`Column` knows how to turn a spreadsheet cell into a value (``parse``, raising
``ValueError`` with a readable message) and a value back into a cell (``format``). The same
list gives the import header, the export header, the OpenAPI description and the README table.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from api.core.clock import LONDON


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # what the README/OpenAPI say: text, integer, number, date, datetime, boolean, ...
    parse: Callable[[str], Any]
    required: bool = False
    help: str = ""
    key: bool = False  # part of the natural key
    text: bool = False  # free text: CSV export escapes formula-like cells
    format: Callable[[Any], Any] | None = None
    default: Any = None  # what a blank cell means (None: clear the field)

    def to_cell(self, value: Any) -> Any:
        """The value as written to an export (JSON keeps numbers and booleans)."""
        if value is None:
            return None
        if self.format is not None:
            return self.format(value)
        return value


def normalise_header(name: str) -> str:
    """``" Outcome Code "`` / ``"OUTCOME_CODE"`` / ``"outcome code"`` -> ``"outcome_code"``."""
    return re.sub(r"[\s_\-]+", "_", name.strip().lower()).strip("_")


# -- parsers: str -> value; ValueError carries the message shown to the user ------------------


def text(max_length: int) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if len(raw) > max_length:
            raise ValueError(f"longer than {max_length} characters")
        return raw

    return parse


def long_text(raw: str) -> str:
    return raw


def integer(raw: str) -> int:
    try:
        number = float(raw) if "." in raw else int(raw)
    except ValueError:
        raise ValueError("not a whole number") from None
    if isinstance(number, float):
        if not number.is_integer():
            raise ValueError("not a whole number")
        number = int(number)
    if not -2_147_483_648 <= number <= 2_147_483_647:
        raise ValueError("out of range")
    return number


def number(raw: str) -> float:
    try:
        value = float(raw.replace(",", "")) if raw.count(",") and "." in raw else float(raw)
    except ValueError:
        raise ValueError("not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    return value


_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def iso_date(raw: str) -> date:
    """ISO ``2009-03-31`` (also the date part of a datetime) or UK ``31/03/2009``."""
    uk = _UK_DATE.match(raw)
    try:
        if uk:
            return date(int(uk.group(3)), int(uk.group(2)), int(uk.group(1)))
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise ValueError("not a date (use YYYY-MM-DD)") from None


def aware_datetime(raw: str) -> datetime:
    """ISO 8601; a time without an offset is Europe/London local time."""
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("not a date-time (use YYYY-MM-DDTHH:MM, optionally with +01:00)") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=LONDON)
    return value.astimezone(UTC)


_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}


def boolean(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("not yes/no (use true/false, yes/no or 1/0)")


def choice(enum: type[StrEnum]) -> Callable[[str], str]:
    """Any case; spaces and hyphens read as underscores (``Vice chair`` -> ``vice_chair``)."""
    allowed = {member.value: member.value for member in enum}

    def parse(raw: str) -> str:
        value = normalise_header(raw)
        if value not in allowed:
            raise ValueError(f"not one of {', '.join(allowed)}")
        return allowed[value]

    return parse


def slug_ref(raw: str) -> str:
    return raw.strip()


# -- formatters: value -> cell -----------------------------------------------------------------


def format_date(value: date) -> str:
    return value.isoformat()


def format_datetime(value: datetime) -> str:
    """Europe/London local time with its offset, so a spreadsheet reads the meeting's hour."""
    local = value.astimezone(LONDON)
    exact = local.second == 0 and local.microsecond == 0
    return local.isoformat(timespec="minutes" if exact else "auto")


def format_number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def format_upper(value: str) -> str:
    return value.upper()


def enum_help(enum: type[StrEnum]) -> str:
    return "one of " + ", ".join(f"`{m.value}`" for m in enum)


def help_table(columns: Sequence[Column]) -> str:
    """A Markdown table of a kind's columns (README and OpenAPI descriptions)."""
    lines = ["| column | type | required | notes |", "| --- | --- | --- | --- |"]
    for c in columns:
        required = "key" if c.key else ("yes" if c.required else "")
        lines.append(f"| `{c.name}` | {c.type} | {required} | {c.help} |")
    return "\n".join(lines)
