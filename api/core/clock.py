"""The one clock: instants in UTC, calendar dates in Europe/London.

Storage keeps instants as aware UTC datetimes (every ``*_at`` column), so :func:`now` returns
UTC. The partnership's calendar is London's: :func:`today` is the date in Europe/London, which
is what ``*_on`` fields, "not in the future" checks, staleness and governance windows mean by
today, whatever zone the server runs in (between 00:00 and 01:00 BST the server's UTC date is
still yesterday). Tests freeze both with ``time-machine``.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in London."""
    return datetime.now(LONDON).date()
