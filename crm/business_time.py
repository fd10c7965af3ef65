"""Business-time arithmetic: pure functions, no database, no clock.

A ``Schedule`` says when a body is open: weekly opening slots in its time zone, minus closed days
(public holidays and its own closures). Durations are counted in real elapsed seconds inside
opening slots, so a slot that crosses a daylight-saving change counts its true length.

Semantics (documented for administrators in the admin and the README):

- ``add_hours``: N hours of opening time counted from the start; a start outside opening time
  counts from the next opening.
- ``add_days``: the closing time of the N-th working day after the start day, where a start
  outside opening time first moves to the next opening (Monday 10:00 + 3 days → Thursday's
  closing; Friday 17:00 + 3 days → Thursday's closing).
- Results never fall outside opening time: a result that lands exactly on a slot's end is that
  slot's closing time. Results are in UTC.

``seconds_between`` and ``add_seconds`` cost the same whatever the distance: the opening time of
every local day is summed once per schedule and year into a cumulative table (``_year_table``,
cached), so a span of years is two partial days plus a few table lookups.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

MAX_DAYS = 3660  # a schedule with no opening in ten years is broken, not slow


class ScheduleError(ValueError):
    """The schedule has no opening time at all."""


@lru_cache(maxsize=256)
def public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    if not country:
        return frozenset()
    return frozenset(holidays.country_holidays(country, subdiv=subdivision or None, years=year))


@dataclass(frozen=True)
class Schedule:
    """``slots[weekday]`` (Monday = 0) lists (opening, closing) local times, sorted."""

    zone: str
    slots: tuple[tuple[tuple[time, time], ...], ...]
    country: str = ""
    subdivision: str | None = None
    closures: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self):
        if len(self.slots) != 7:
            raise ValueError("slots must have 7 weekdays")
        if not any(self.slots):
            raise ScheduleError("The calendar has no opening time.")
        for day in self.slots:
            for opening, closing in day:
                if closing <= opening:
                    raise ValueError(f"slot {opening}–{closing} closes before it opens")

    @property
    def tz(self) -> ZoneInfo:
        return _zone(self.zone)

    def is_working_day(self, day: date) -> bool:
        return bool(self.slots[day.weekday()]) and not self._closed(day)

    def _closed(self, day: date) -> bool:
        return day in self.closures or day in public_holidays(
            self.country, self.subdivision, day.year
        )

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """Opening intervals of a local day as aware datetimes (empty on closed days)."""
        if not self.is_working_day(day):
            return []
        return _intervals(self, day)


# The schedule of a body that has no business calendar: Monday to Friday, 9:00 to 17:00 UTC, no
# public holidays. Only its days matter for due dates of tasks.
WORKWEEK = Schedule(zone="UTC", slots=(((time(9), time(17)),),) * 5 + ((), ()))


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=65536)
def _intervals(schedule: Schedule, day: date) -> list[tuple[datetime, datetime]]:
    # In UTC: Python subtracts two datetimes of the same zone by wall clock, which would
    # count a slot across a daylight-saving change one hour wrong.
    tz = schedule.tz
    result = []
    for opening, closing in schedule.slots[day.weekday()]:
        start = datetime.combine(day, opening, tzinfo=tz).astimezone(UTC)
        end = datetime.combine(day, closing, tzinfo=tz).astimezone(UTC)
        if end > start:
            result.append((start, end))
    return result


def _local_day(schedule: Schedule, moment: datetime) -> date:
    return moment.astimezone(schedule.tz).date()


def next_opening(schedule: Schedule, moment: datetime) -> datetime:
    """``moment`` itself if the body is open then, else the next opening."""
    moment = moment.astimezone(UTC)
    day = _local_day(schedule, moment)
    for _ in range(MAX_DAYS):
        for start, end in schedule.intervals(day):
            if moment < end:
                return max(moment, start)
        day += timedelta(days=1)
    raise ScheduleError("No opening time in the next ten years.")


def add_seconds(schedule: Schedule, start: datetime, seconds: float) -> datetime:
    """The moment when ``seconds`` of opening time have passed since ``start``."""
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    moment = next_opening(schedule, start)
    remaining = _micro(timedelta(seconds=seconds))
    first = _local_day(schedule, moment)
    # The first day, from the moment on.
    for slot_start, slot_end in schedule.intervals(first):
        if slot_end <= moment:
            continue
        begin = max(moment, slot_start)
        available = _micro(slot_end - begin)
        if remaining <= available:
            return begin + timedelta(microseconds=remaining)
        remaining -= available
    # The whole days after it, through the cumulative tables: the day on which the remaining
    # time runs out is the first whose cumulative opening time reaches it.
    day = _find_day(schedule, first + timedelta(days=1), remaining)
    if day is None or (day - first).days >= MAX_DAYS:
        raise ScheduleError("No opening time in the next ten years.")
    remaining -= _cumulative_between(schedule, first + timedelta(days=1), day)
    for slot_start, slot_end in schedule.intervals(day):
        available = _micro(slot_end - slot_start)
        if remaining <= available:
            return slot_start + timedelta(microseconds=remaining)
        remaining -= available
    raise AssertionError("the cumulative table and the day's slots disagree")  # pragma: no cover


def add_hours(schedule: Schedule, start: datetime, hours: float) -> datetime:
    return add_seconds(schedule, start, hours * 3600)


def add_days(schedule: Schedule, start: datetime, days: int) -> datetime:
    """Closing time of the ``days``-th working day after the (effective) start day."""
    if days < 0:
        raise ValueError("days must not be negative")
    moment = next_opening(schedule, start)
    day = _local_day(schedule, moment)
    counted = 0
    for _ in range(MAX_DAYS * 2):
        if counted == days and schedule.is_working_day(day):
            return schedule.intervals(day)[-1][1]
        day += timedelta(days=1)
        if schedule.is_working_day(day):
            counted += 1
            if counted == days:
                return schedule.intervals(day)[-1][1]
    raise ScheduleError("No opening time in the next ten years.")


def seconds_between(schedule: Schedule, start: datetime, end: datetime) -> float:
    """Opening time, in seconds, between two moments (0 if ``end`` is not after ``start``).

    Constant time in the distance: the first and last days are clipped, the days between are
    read from the cumulative tables.
    """
    if end <= start:
        return 0.0
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    first, last = _local_day(schedule, start), _local_day(schedule, end)
    if last < first:
        # Only where clocks go back across midnight; counted as the day-by-day walk always did.
        return 0.0
    total = _clipped(schedule, first, start, end)
    if last > first:
        total += _cumulative_between(schedule, first + timedelta(days=1), last)
        total += _clipped(schedule, last, start, end)
    return total / 10**6


# --- cumulative opening time per calendar day -------------------------------------------------
# Microseconds, as integers: sums stay exact, and dividing once by 10**6 gives the same float as
# ``timedelta.total_seconds()`` of the day-by-day sum.


def _micro(delta: timedelta) -> int:
    return (delta.days * 86400 + delta.seconds) * 10**6 + delta.microseconds


def _clipped(schedule: Schedule, day: date, start: datetime, end: datetime) -> int:
    total = 0
    for slot_start, slot_end in schedule.intervals(day):
        begin, finish = max(start, slot_start), min(end, slot_end)
        if finish > begin:
            total += _micro(finish - begin)
    return total


@lru_cache(maxsize=1024)
def _year_table(schedule: Schedule, year: int) -> tuple[int, ...]:
    """``table[i]``: opening time of the year's local days before its ``i``-th (0 = 1 January),
    so ``table[-1]`` is the whole year's."""
    day = date(year, 1, 1)
    cumulative = [0]
    while day.year == year:
        opened = 0
        if schedule.is_working_day(day):
            # Not through ``_intervals``' cache: a year of days would push out the days in use.
            opened = sum(
                _micro(end - begin) for begin, end in _intervals.__wrapped__(schedule, day)
            )
        cumulative.append(cumulative[-1] + opened)
        day += timedelta(days=1)
    return tuple(cumulative)


def _before(schedule: Schedule, day: date) -> int:
    """Opening time of ``day``'s year before ``day``."""
    return _year_table(schedule, day.year)[day.timetuple().tm_yday - 1]


def _cumulative_between(schedule: Schedule, first: date, last: date) -> int:
    """Opening time of the whole days from ``first`` included to ``last`` excluded."""
    if last <= first:
        return 0
    if first.year == last.year:
        return _before(schedule, last) - _before(schedule, first)
    total = _year_table(schedule, first.year)[-1] - _before(schedule, first)
    for year in range(first.year + 1, last.year):
        total += _year_table(schedule, year)[-1]
    return total + _before(schedule, last)


def _find_day(schedule: Schedule, first: date, amount: int) -> date | None:
    """The first day on or after ``first`` by whose end the whole days from ``first`` hold at
    least ``amount`` (> 0) of opening time; None past ``MAX_DAYS``."""
    year = first.year
    base = _before(schedule, first)  # what the year held before ``first``, not counted
    limit = first + timedelta(days=MAX_DAYS)
    while year <= limit.year:
        table = _year_table(schedule, year)
        if table[-1] - base >= amount:
            index = bisect.bisect_left(table, base + amount)  # table[index] is through day index-1
            return date(year, 1, 1) + timedelta(days=index - 1)
        amount -= table[-1] - base
        base = 0
        year += 1
    return None


def add_business_days(schedule: Schedule, start: date, days: int) -> date:
    """The ``days``-th working day of ``schedule`` after ``start``, or ``start``'s next working
    day (``start`` itself when it is one) when ``days`` is 0. For due dates of tasks.

    A working day is a weekday with an opening slot that is neither a public holiday of the
    schedule's country nor one of its closures. ``WORKWEEK`` is the schedule of a body with no
    calendar: Monday to Friday, no public holidays.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    closed_in_a_row = 0
    while True:
        if schedule.is_working_day(current):
            closed_in_a_row = 0
            if remaining == 0:
                return current
            remaining -= 1
        else:
            closed_in_a_row += 1
            if closed_in_a_row > MAX_DAYS:
                raise ScheduleError("No working day in the next ten years.")
        current += timedelta(days=1)
