"""The cumulative-table arithmetic gives exactly what walking the calendar day by day gave.

The day-by-day walks below are the former implementations, kept as the oracle: over random
schedules (several slots a day, time zones with daylight-saving changes, public holidays and
closures) and instants years apart, the fast functions must agree to the microsecond.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from crm import business_time as bt


def walk_seconds_between(schedule: bt.Schedule, start: datetime, end: datetime) -> float:
    if end <= start:
        return 0.0
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    total = timedelta()
    day = start.astimezone(schedule.tz).date()
    last = end.astimezone(schedule.tz).date()
    while day <= last:
        for slot_start, slot_end in schedule.intervals(day):
            begin, finish = max(start, slot_start), min(end, slot_end)
            if finish > begin:
                total += finish - begin
        day += timedelta(days=1)
    return total.total_seconds()


def walk_add_seconds(schedule: bt.Schedule, start: datetime, seconds: float) -> datetime:
    moment = bt.next_opening(schedule, start)
    remaining = timedelta(seconds=seconds)
    day = moment.astimezone(schedule.tz).date()
    for _ in range(bt.MAX_DAYS):
        for slot_start, slot_end in schedule.intervals(day):
            if slot_end <= moment:
                continue
            begin = max(moment, slot_start)
            available = slot_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += timedelta(days=1)
    raise bt.ScheduleError("No opening time in the next ten years.")


# Zones whose clocks change away from midnight, north and south, and one without changes.
ZONES = ["America/Montreal", "Europe/Paris", "Australia/Sydney", "America/Vancouver", "UTC"]
HOLIDAYS = [("", None), ("CA", "QC"), ("FR", None), ("FR", "57"), ("AU", "NSW")]


@st.composite
def day_slots(draw):
    """0 to 3 sorted, disjoint slots of one weekday, to the minute, some across 2–3 a.m."""
    marks = sorted(draw(st.sets(st.integers(0, 24 * 60 - 1), max_size=6)))
    if len(marks) % 2:
        marks = marks[:-1]
    return tuple(
        (time(*divmod(marks[i], 60)), time(*divmod(marks[i + 1], 60)))
        for i in range(0, len(marks), 2)
    )


@st.composite
def schedules(draw):
    slots = tuple(draw(day_slots()) for _ in range(7))
    if not any(slots):
        slots = (((time(8, 30), time(16, 30)),),) + slots[1:]
    country, subdivision = draw(st.sampled_from(HOLIDAYS))
    closures = draw(st.frozensets(st.dates(date(2024, 1, 1), date(2030, 12, 31)), max_size=30))
    return bt.Schedule(draw(st.sampled_from(ZONES)), slots, country, subdivision, closures)


instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
# Around the daylight-saving changes, where a wrong day boundary would show.
dst_instants = st.sampled_from(
    [
        datetime(2026, 3, 8, 7, tzinfo=UTC),  # Montreal 2 a.m. → 3 a.m.
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # Montreal 1 a.m. twice
        datetime(2026, 3, 29, 1, tzinfo=UTC),  # Paris
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 4, 4, 15, 30, tzinfo=UTC),  # Sydney
        datetime(2026, 10, 3, 16, tzinfo=UTC),
    ]
).flatmap(lambda t: st.integers(-3 * 3600, 3 * 3600).map(lambda s: t + timedelta(seconds=s)))
any_instant = st.one_of(instants, dst_instants)


@settings(max_examples=400, deadline=None)
@given(schedule=schedules(), a=any_instant, b=any_instant)
def test_seconds_between_equals_the_day_by_day_walk(schedule, a, b):
    assert bt.seconds_between(schedule, a, b) == walk_seconds_between(schedule, a, b)
    assert bt.seconds_between(schedule, b, a) == walk_seconds_between(schedule, b, a)


@settings(max_examples=400, deadline=None)
@given(
    schedule=schedules(),
    start=any_instant,
    # Up to about four years of a full-time schedule's opening time, to the microsecond.
    seconds=st.one_of(
        st.integers(0, 8 * 3600),
        st.integers(0, 4 * 2000 * 3600),
        st.floats(0, 4 * 2000 * 3600, allow_nan=False),
    ),
)
def test_add_seconds_equals_the_day_by_day_walk(schedule, start, seconds):
    # Both give the same moment, or both find no opening time within ten years.
    assert _outcome(bt.add_seconds, schedule, start, seconds) == _outcome(
        walk_add_seconds, schedule, start, seconds
    )


def _outcome(function, *args):
    try:
        return function(*args)
    except bt.ScheduleError:
        return "no opening time within ten years"


@settings(max_examples=100, deadline=None)
@given(schedule=schedules(), start=any_instant)
def test_a_measured_span_adds_back_to_its_end(schedule, start):
    end = start + timedelta(days=700)
    span = bt.seconds_between(schedule, start, end)
    assert bt.seconds_between(schedule, start, bt.add_seconds(schedule, start, span)) == span


def test_whole_days_before_the_year_boundary_count_once():
    # 31 December 2026 to 2 January 2027 on a seven-day schedule in Montreal: the 31st from
    # noon, the 1st (no holidays here) whole, the 2nd until 10:00.
    mtl = ZoneInfo("America/Montreal")
    every_day = bt.Schedule("America/Montreal", (((time(9), time(17)),),) * 7)
    start = datetime(2026, 12, 31, 12, tzinfo=mtl)
    end = datetime(2027, 1, 2, 10, tzinfo=mtl)
    assert bt.seconds_between(every_day, start, end) == (5 + 8 + 1) * 3600


def test_a_two_year_old_clock_costs_no_more_than_a_fresh_one(monkeypatch):
    # given the tables of the years in use, built once
    faculty = bt.Schedule(
        "America/Montreal", (((time(8, 30), time(16, 30)),),) * 5 + ((), ()), "CA", "QC"
    )
    now = datetime(2026, 11, 18, 19, tzinfo=UTC)
    bt.seconds_between(faculty, now - timedelta(days=800), now)
    # when the days whose opening hours are read one by one are counted
    read = []
    intervals = bt.Schedule.intervals
    monkeypatch.setattr(
        bt.Schedule, "intervals", lambda self, day: read.append(day) or intervals(self, day)
    )
    tables = bt._year_table.cache_info().misses

    def days_read(start) -> int:
        read.clear()
        bt.seconds_between(faculty, start, now)
        return len(read)

    # then a span of two years reads its first and last days only, as a span of one day does
    # (a day-by-day walk read 730), and no year's table is built again
    assert days_read(now - timedelta(days=1)) == 2
    assert days_read(now - timedelta(days=730)) == 2
    assert bt._year_table.cache_info().misses == tables
