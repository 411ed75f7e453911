"""Pure date rules of the terms of reference (no database)."""

from datetime import date

from api.core.calendar import add_months


def earliest_resignation(notice_given_on: date, notice_months: int) -> date:
    """A resignation takes effect no sooner than ``notice_months`` after notice is given."""
    return add_months(notice_given_on, notice_months)


def chair_term_end(started_on: date, term_months: int) -> date:
    return add_months(started_on, term_months)
