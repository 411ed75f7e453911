"""Pure date rules of the terms of reference (no database)."""

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later, clamped to the month's end (31 Jan + 1 =
    28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def earliest_resignation(notice_given_on: date, notice_months: int) -> date:
    """A resignation takes effect no sooner than ``notice_months`` after notice is given."""
    return add_months(notice_given_on, notice_months)


def chair_term_end(started_on: date, term_months: int) -> date:
    return add_months(started_on, term_months)
