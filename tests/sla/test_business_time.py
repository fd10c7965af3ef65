"""Business-time arithmetic: worked examples with Québec holidays, and properties."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm import business_time as bt

MTL = ZoneInfo("America/Montreal")
WEEKDAYS_0830_1630 = tuple([((time(8, 30), time(16, 30)),)] * 5 + [(), ()])
FACULTY = bt.Schedule("America/Montreal", WEEKDAYS_0830_1630, "CA", "QC")
SPLIT = bt.Schedule(
    "America/Montreal",
    tuple([((time(8, 30), time(12, 0)), (time(13, 0), time(16, 30)))] * 5 + [(), ()]),
    "CA",
    "QC",
    frozenset({date(2026, 11, 27)}),
)
NIGHT_DST = bt.Schedule(  # a slot across the 2 a.m. daylight-saving changes
    "America/Montreal", tuple([((time(0, 0), time(6, 0)),)] * 7), "", None
)


def at(*args, tz=MTL):
    return datetime(*args, tzinfo=tz)


@pytest.mark.parametrize(
    "start,hours,due",
    [
        (at(2026, 12, 24, 10), 8, at(2026, 12, 28, 10)),  # Christmas Day is a holiday
        (at(2026, 12, 18, 15), 8, at(2026, 12, 21, 15)),  # over a weekend
        (at(2026, 11, 23, 7, 0), 1, at(2026, 11, 23, 9, 30)),  # before opening
        (at(2026, 11, 23, 18, 0), 8, at(2026, 11, 24, 16, 30)),  # after closing → closing
        (at(2026, 6, 23, 16, 0), 1, at(2026, 6, 25, 9, 0)),  # Fête nationale (24 June)
        (at(2026, 11, 23, 16, 30), 0, at(2026, 11, 24, 8, 30)),  # closing is not open
    ],
)
def test_hours_worked_examples(start, hours, due):
    assert bt.add_hours(FACULTY, start, hours) == due


@pytest.mark.parametrize(
    "start,days,due",
    [
        (at(2026, 11, 23, 10), 3, at(2026, 11, 26, 16, 30)),  # Monday 10:00 → Thursday
        (at(2026, 11, 27, 17), 3, at(2026, 12, 3, 16, 30)),  # Friday 17:00 → Thursday
        (at(2026, 12, 23, 10), 1, at(2026, 12, 24, 16, 30)),
        (at(2026, 12, 24, 10), 1, at(2026, 12, 28, 16, 30)),  # holiday and weekend
        (at(2026, 11, 23, 10), 0, at(2026, 11, 23, 16, 30)),
    ],
)
def test_days_worked_examples(start, days, due):
    assert bt.add_days(FACULTY, start, days) == due


def test_split_day_and_own_closure():
    # Wednesday 11:00 + 4 h: 1 h before lunch, 3 h after → 16:00
    assert bt.add_hours(SPLIT, at(2026, 11, 25, 11), 4) == at(2026, 11, 25, 16)
    # Thursday 16:00 + 1 h: Friday 27 is the body's own closure → Monday 09:00
    assert bt.add_hours(SPLIT, at(2026, 11, 26, 16), 1) == at(2026, 11, 30, 9)


def test_daylight_saving_changes_count_real_hours():
    # 8 March 2026: clocks jump from 2:00 to 3:00, so 00:00–06:00 lasts 5 real hours.
    assert bt.seconds_between(NIGHT_DST, at(2026, 3, 8, 0), at(2026, 3, 8, 6)) == 5 * 3600
    assert bt.add_hours(NIGHT_DST, at(2026, 3, 8, 0), 5) == at(2026, 3, 8, 6)
    # 1 November 2026: 01:00–02:00 happens twice, so the slot lasts 7 real hours.
    assert bt.seconds_between(NIGHT_DST, at(2026, 11, 1, 0), at(2026, 11, 1, 6)) == 7 * 3600


def test_a_schedule_without_opening_time_is_refused():
    with pytest.raises(bt.ScheduleError):
        bt.Schedule("America/Montreal", tuple([()] * 7))


def test_french_calendar_with_alsace_moselle_holidays():
    moselle = bt.Schedule("Europe/Paris", WEEKDAYS_0830_1630, "FR", "57")
    paris = ZoneInfo("Europe/Paris")
    # 26 December (Saint-Étienne) is a holiday in Moselle only.
    start = datetime(2025, 12, 24, 16, 0, tzinfo=paris)
    assert bt.add_hours(moselle, start, 1) == datetime(2025, 12, 29, 9, 0, tzinfo=paris)


moments = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2028, 12, 31),
    timezones=st.just(MTL),
)
hours = st.integers(min_value=0, max_value=200 * 60).map(lambda m: m * 60)
schedules = st.sampled_from([FACULTY, SPLIT, NIGHT_DST])


def _is_open(schedule, moment):
    day = moment.astimezone(schedule.tz).date()
    return any(
        s <= moment <= e for d in (day - timedelta(days=1), day) for s, e in schedule.intervals(d)
    )


@settings(max_examples=300, deadline=None)
@given(schedule=schedules, start=moments, a=hours, b=hours.filter(lambda s: s > 0))
def test_adding_a_then_b_equals_adding_a_plus_b(schedule, start, a, b):
    # (b > 0: adding nothing to a closing time moves to the next opening, by definition)
    assert bt.add_seconds(schedule, bt.add_seconds(schedule, start, a), b) == bt.add_seconds(
        schedule, start, a + b
    )


@settings(max_examples=300, deadline=None)
@given(schedule=schedules, start=moments, a=hours, b=hours)
def test_monotone(schedule, start, a, b):
    low, high = sorted((a, b))
    assert bt.add_seconds(schedule, start, low) <= bt.add_seconds(schedule, start, high)


@settings(max_examples=300, deadline=None)
@given(schedule=schedules, start=moments, seconds=hours)
def test_result_is_inside_opening_time_and_measures_back(schedule, start, seconds):
    due = bt.add_seconds(schedule, start, seconds)
    assert due >= start
    assert _is_open(schedule, due)
    assert bt.seconds_between(schedule, start, due) == pytest.approx(seconds)


@settings(max_examples=200, deadline=None)
@given(schedule=schedules, start=moments, days=st.integers(0, 30))
def test_days_end_at_a_closing_time_of_a_working_day(schedule, start, days):
    due = bt.add_days(schedule, start, days)
    day = due.astimezone(schedule.tz).date()
    assert schedule.is_working_day(day)
    assert due == schedule.intervals(day)[-1][1]
    assert due >= start


# --- business days, for due dates of tasks -----------------------------------------------------


def test_business_days_worked_examples():
    # Tuesday 23 June 2026 + 1: Québec is closed on Wednesday 24 June, France is not
    france = bt.Schedule("Europe/Paris", WEEKDAYS_0830_1630, "FR", None)
    assert bt.add_business_days(FACULTY, date(2026, 6, 23), 1) == date(2026, 6, 25)
    assert bt.add_business_days(france, date(2026, 6, 23), 1) == date(2026, 6, 24)
    # a start on a closed day moves to the next working day first
    assert bt.add_business_days(bt.WORKWEEK, date(2026, 6, 27), 0) == date(2026, 6, 29)
    assert bt.add_business_days(SPLIT, date(2026, 11, 26), 1) == date(2026, 11, 30)


def _working_days_schedule(days, country, closures):
    slots = tuple(((time(9), time(17)),) if d in days else () for d in range(7))
    return bt.Schedule("America/Montreal", slots, *country, frozenset(closures))


business_schedules = st.builds(
    _working_days_schedule,
    st.sets(st.integers(0, 6), min_size=1),
    st.sampled_from([("", None), ("CA", "QC"), ("FR", None), ("FR", "57")]),
    st.sets(st.dates(date(2025, 1, 1), date(2028, 12, 31)), max_size=40),
)
start_days = st.dates(date(2025, 1, 1), date(2027, 12, 31))


@settings(max_examples=300, deadline=None)
@given(schedule=business_schedules, start=start_days, days=st.integers(0, 60))
def test_a_due_date_is_never_a_closed_day_and_grows_with_the_offset(schedule, start, days):
    due = bt.add_business_days(schedule, start, days)
    following = bt.add_business_days(schedule, start, days + 1)

    assert due >= start
    assert schedule.is_working_day(due)
    assert following > due
    # exactly ``days`` working days lie after the first working day, up to the due date
    first = bt.add_business_days(schedule, start, 0)
    between = [
        first + timedelta(days=i)
        for i in range(1, (due - first).days + 1)
        if schedule.is_working_day(first + timedelta(days=i))
    ]
    assert len(between) == days
