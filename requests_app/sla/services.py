"""The SLA clocks: they start, pause, resume, stop and follow policy changes.

Business-time arithmetic lives in ``crm.business_time`` (pure); this module stores its results.
The escalation sweep is in ``sweep``; the actions of a level live with incidents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import DateField, IntegerField, TimeField, Value

from crm import business_time as bt
from crm.workflow import save_recorded

from .models import BusinessCalendar, Closure, OpeningSlot, SLAClock, SLAPolicy

if TYPE_CHECKING:
    from ..incidents.models import Incident

# --- arithmetic on one clock (pure, given a schedule) ----------------------------------------


def compute_due(
    schedule: bt.Schedule, *, value: int, unit: str, started_at: datetime, paused_seconds: float
) -> tuple[datetime, float]:
    """(due time, target in business seconds) of a target counted from ``started_at``."""
    start = bt.next_opening(schedule, started_at)
    if unit == SLAPolicy.Unit.DAYS:
        base = bt.add_days(schedule, start, value)
    else:
        base = bt.add_seconds(schedule, start, value * 3600)
    target = bt.seconds_between(schedule, start, base)
    due = base if paused_seconds <= 0 else bt.add_seconds(schedule, base, paused_seconds)
    return due, target


PREVIEW_FRIDAY = 4  # Monday is 0
PREVIEW_FRIDAY_TIME = time(15, 0)


def preview_starts(schedule: bt.Schedule, now: datetime) -> list[datetime]:
    """The starts an administrator checks a calendar with: now, and the next Friday 15:00 in the
    calendar's time zone (a weekend or a holiday comes right after it)."""
    local = now.astimezone(schedule.tz)
    friday = local.date() + timedelta(days=(PREVIEW_FRIDAY - local.weekday()) % 7)
    start = datetime.combine(friday, PREVIEW_FRIDAY_TIME, tzinfo=schedule.tz)
    if start <= local:
        start += timedelta(days=7)
    return [now, start]


def preview_dues(
    schedule: bt.Schedule, *, targets: list[tuple[int, str]], now: datetime
) -> list[tuple[datetime, list[datetime]]]:
    """For each preview start, the due time of each ``(value, unit)`` target, without pauses."""
    return [
        (
            start,
            [
                compute_due(schedule, value=value, unit=unit, started_at=start, paused_seconds=0)[0]
                for value, unit in targets
            ],
        )
        for start in preview_starts(schedule, now)
    ]


def level_time(schedule: bt.Schedule, clock: SLAClock, percent: int) -> datetime:
    """When ``percent`` of the clock's target will have elapsed (pauses push it back)."""
    return _level_at(
        schedule, clock.started_at, clock.target_seconds, clock.paused_seconds, percent
    )


def _level_at(
    schedule: bt.Schedule, started_at: datetime, target: float, paused: float, percent: int
) -> datetime:
    return bt.add_seconds(schedule, started_at, target * percent / 100 + paused)


def percents_for(policy: SLAPolicy, kind: str) -> list[int]:
    return sorted({lv.percent for lv in policy.levels.all() if lv.applies(kind)})


def next_percent(percents: list[int], reached: int) -> int | None:
    return next((p for p in percents if p > reached), None)


@dataclass
class ClockState:
    """What a person reads about a clock: on track / at risk / breached / paused."""

    badge: str
    remaining_seconds: float
    elapsed_percent: float


AT_RISK_PERCENT = 75


def clock_state(schedule: bt.Schedule, clock: SLAClock, now: datetime) -> ClockState:
    end = clock.stopped_at or clock.paused_since or now
    elapsed = max(0.0, bt.seconds_between(schedule, clock.started_at, end) - clock.paused_seconds)
    percent = 100 * elapsed / clock.target_seconds if clock.target_seconds else 100.0
    remaining = clock.target_seconds - elapsed
    if clock.stopped_at is not None:
        badge = "met" if clock.met else "breached"
    elif end > clock.due_at or remaining <= 0:
        badge = "breached"
    elif clock.paused_since is not None:
        badge = "paused"
    elif percent >= AT_RISK_PERCENT:
        badge = "at_risk"
    else:
        badge = "on_track"
    return ClockState(badge=badge, remaining_seconds=remaining, elapsed_percent=percent)


# --- schedules ------------------------------------------------------------------------------


def calendars_by_id(ids) -> dict[int, BusinessCalendar]:
    return BusinessCalendar.objects.prefetch_related("slots", "closures").in_bulk(list(ids))


def schedules_for(calendars) -> dict[int, bt.Schedule]:
    """The schedules of already loaded calendars, their slots and closures read in one query
    (a UNION of both), for pages that count their queries."""
    calendars = {calendar.pk: calendar for calendar in calendars}
    if not calendars:
        return {}
    slots = (
        OpeningSlot.objects.filter(calendar_id__in=calendars)
        .order_by()
        .values_list("calendar_id", "weekday", "opens", "closes", Value(None, DateField()))
    )
    closures = (
        Closure.objects.filter(calendar_id__in=calendars)
        .order_by()
        .values_list(
            "calendar_id",
            Value(None, IntegerField()),
            Value(None, TimeField()),
            Value(None, TimeField()),
            "day",
        )
    )
    parts: dict[int, tuple[list, list]] = {pk: ([], []) for pk in calendars}
    for calendar_id, weekday, opens, closes, day in slots.union(closures, all=True):
        if day is None:
            parts[calendar_id][0].append((weekday, opens, closes))
        else:
            parts[calendar_id][1].append(day)
    return {
        pk: calendar.schedule(slots=parts[pk][0], closures=parts[pk][1])
        for pk, calendar in calendars.items()
    }


def schedule_of(policy: SLAPolicy) -> bt.Schedule:
    calendar = BusinessCalendar.objects.prefetch_related("slots", "closures").get(
        pk=policy.calendar_id
    )
    return calendar.schedule()


def policy_for(incident: Incident) -> SLAPolicy | None:
    """The most specific active policy: category and priority, then one of them, then none."""
    candidates = SLAPolicy.objects.filter(active=True).prefetch_related("levels").order_by("name")
    best, best_score = None, -1
    for policy in candidates:
        if policy.category_id not in (None, incident.category_id):
            continue
        if policy.priority not in (None, incident.priority):
            continue
        score = (policy.category_id is not None) * 2 + (policy.priority is not None)
        if score > best_score:
            best, best_score = policy, score
    return best


# --- clock life cycle (called by incident services, inside their transaction) ---------------
#
# Every save of a clock goes through ``_save``, which copies the resolution clock's due time to
# its incident (``Incident.resolution_due_at``, what the lists sort on) in the same transaction.
# A paused clock keeps its due time until it resumes (then pushed back by the pause), and a
# stopped one keeps the due time it was met or breached against: the copy is always the clock's.


def _save(clock: SLAClock, incident: Incident, *, reason: str) -> None:
    save_recorded(clock, by=None, reason=reason)
    if clock.kind == SLAClock.Kind.RESOLUTION and incident.resolution_due_at != clock.due_at:
        incident.resolution_due_at = clock.due_at
        # A set-based update: a derived column, no history row of the incident for it.
        type(incident)._default_manager.filter(pk=incident.pk).update(
            resolution_due_at=clock.due_at
        )


def _refresh(schedule: bt.Schedule, clock: SLAClock, policy: SLAPolicy) -> None:
    value, unit = policy.target(clock.kind)
    clock.due_at, clock.target_seconds = compute_due(
        schedule,
        value=value,
        unit=unit,
        started_at=clock.started_at,
        paused_seconds=clock.paused_seconds,
    )
    percent = next_percent(percents_for(policy, clock.kind), clock.level_reached)
    clock.next_level_at = level_time(schedule, clock, percent) if percent else None


def clocks_start(*, incident: Incident, policy: SLAPolicy, now: datetime) -> list[SLAClock]:
    schedule = schedule_of(policy)
    clocks = []
    for kind in SLAClock.Kind.values:
        clock = SLAClock(
            incident=incident,
            kind=kind,
            policy=policy,
            started_at=now,
            due_at=now,
            target_seconds=0,
        )
        _refresh(schedule, clock, policy)
        _save(clock, incident, reason="clock_started")
        clocks.append(clock)
    return clocks


def _clocks(incident: Incident):
    return list(
        SLAClock.objects.select_for_update().filter(incident=incident).select_related("policy")
    )


def clocks_sync_pause(*, incident: Incident, now: datetime) -> None:
    """Pause the running clocks when the status is one of the policy's pause statuses; resume
    them (pushing their due times back by the paused business time) when it is not."""
    for clock in _clocks(incident):
        if clock.stopped_at is not None:
            continue
        pausing = incident.status in (clock.policy.pause_statuses or [])
        if pausing and clock.paused_since is None:
            clock.paused_since = now
            clock.next_level_at = None
            _save(clock, incident, reason="clock_paused")
        elif not pausing and clock.paused_since is not None:
            schedule = schedule_of(clock.policy)
            clock.paused_seconds += bt.seconds_between(schedule, clock.paused_since, now)
            clock.paused_since = None
            _refresh(schedule, clock, clock.policy)
            _save(clock, incident, reason="clock_resumed")


def clock_stop(*, incident: Incident, kind: str, now: datetime) -> SLAClock | None:
    clock = next((c for c in _clocks(incident) if c.kind == kind), None)
    if clock is None or clock.stopped_at is not None:
        return clock
    if clock.paused_since is not None:
        schedule = schedule_of(clock.policy)
        clock.paused_seconds += bt.seconds_between(schedule, clock.paused_since, now)
        clock.paused_since = None
        _refresh(schedule, clock, clock.policy)
    clock.stopped_at = now
    clock.met = now <= clock.due_at
    clock.next_level_at = None
    _save(clock, incident, reason="clock_stopped")
    return clock


def clock_restart(*, incident: Incident, kind: str, now: datetime) -> SLAClock | None:
    """A reopened incident: the time while it was resolved counts as paused."""
    clock = next((c for c in _clocks(incident) if c.kind == kind), None)
    if clock is None or clock.stopped_at is None:
        return clock
    schedule = schedule_of(clock.policy)
    clock.paused_seconds += bt.seconds_between(schedule, clock.stopped_at, now)
    clock.stopped_at = None
    clock.met = None
    _refresh(schedule, clock, clock.policy)
    _save(clock, incident, reason="clock_restarted")
    return clock


def clocks_change_policy(*, incident: Incident, policy: SLAPolicy, now: datetime) -> None:
    """Follow a new policy; the start, the paused time and the levels already reached stay."""
    schedule = schedule_of(policy)
    for clock in _clocks(incident):
        if clock.policy_id == policy.pk:
            continue
        if clock.paused_since is not None:
            clock.paused_seconds += bt.seconds_between(schedule, clock.paused_since, now)
            clock.paused_since = now
        clock.policy = policy
        if clock.stopped_at is None:
            _refresh(schedule, clock, policy)
            if clock.paused_since is not None:
                clock.next_level_at = None
        _save(clock, incident, reason="policy_changed")
