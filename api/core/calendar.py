"""Calendar arithmetic on dates."""

from datetime import date

from dateutil.relativedelta import relativedelta


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (earlier when negative), clamped to the
    month's end: 31 Jan + 1 month = 28 (or 29) Feb, 31 Mar - 1 month = 28 (or 29) Feb."""
    return day + relativedelta(months=months)
