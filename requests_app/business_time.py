"""Business-day arithmetic on calendar dates (weekends and public holidays are not worked).

Pure functions: no database, no clock.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year).keys())


def is_business_day(day: date, *, country: str = "CA", subdivision: str | None = "QC") -> bool:
    return day.weekday() < 5 and day not in _holidays(country, subdivision, day.year)


def add_business_days(
    start: date, days: int, *, country: str = "CA", subdivision: str | None = "QC"
) -> date:
    """The ``days``-th business day after ``start`` (``start`` itself if ``days`` is 0 and it is
    a business day, else the next business day)."""
    current = start
    while not is_business_day(current, country=country, subdivision=subdivision):
        current += timedelta(days=1)
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_business_day(current, country=country, subdivision=subdivision):
            remaining -= 1
    return current
