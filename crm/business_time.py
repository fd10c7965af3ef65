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
"""

from __future__ import annotations

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
    remaining = timedelta(seconds=seconds)
    day = _local_day(schedule, moment)
    for _ in range(MAX_DAYS):
        for slot_start, slot_end in schedule.intervals(day):
            if slot_end <= moment:
                continue
            begin = max(moment, slot_start)
            available = slot_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += timedelta(days=1)
    raise ScheduleError("No opening time in the next ten years.")


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
    """Opening time, in seconds, between two moments (0 if ``end`` is not after ``start``)."""
    if end <= start:
        return 0.0
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    total = timedelta()
    day = _local_day(schedule, start)
    last = _local_day(schedule, end)
    while day <= last:
        for slot_start, slot_end in schedule.intervals(day):
            begin, finish = max(start, slot_start), min(end, slot_end)
            if finish > begin:
                total += finish - begin
        day += timedelta(days=1)
    return total.total_seconds()


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
