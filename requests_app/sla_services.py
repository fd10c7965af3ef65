"""The SLA engine: clocks that start, pause, resume, stop and follow policy changes, and the
escalation sweep.

Business-time arithmetic lives in ``business_time`` (pure); this module stores its results.
The sweep records each level with one conditional, set-based UPDATE (a level is recorded by
exactly one sweep even when several run at once) and a unique row per level; the level's
actions run after commit, in a task that claims each escalation once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.workflow import save_recorded

from . import business_time as bt
from .models import (
    BusinessCalendar,
    EscalationLevel,
    Incident,
    SLAClock,
    SLAEscalation,
    SLAPolicy,
)

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
        save_recorded(clock, by=None, reason="started")
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
            save_recorded(clock, by=None, reason="paused")
        elif not pausing and clock.paused_since is not None:
            schedule = schedule_of(clock.policy)
            clock.paused_seconds += bt.seconds_between(schedule, clock.paused_since, now)
            clock.paused_since = None
            _refresh(schedule, clock, clock.policy)
            save_recorded(clock, by=None, reason="resumed")


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
    save_recorded(clock, by=None, reason="stopped")
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
    save_recorded(clock, by=None, reason="restarted")
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
        save_recorded(clock, by=None, reason="policy changed")


# --- escalation sweep -----------------------------------------------------------------------


@dataclass
class SweepResult:
    examined: int = 0
    recorded: int = 0
    escalation_ids: list[int] | None = None


def sla_sweep(*, now: datetime | None = None, batch_size: int = 5000) -> SweepResult:
    """Record every level that running clocks have crossed, once each, and queue their actions.

    Candidates come from one indexed query (``next_level_at <= now``); each batch is recorded
    in its own transaction with one conditional UPDATE … RETURNING, so that of two sweeps
    running at once only one records a given level, and a sweep killed mid-way leaves no half
    recorded batch.
    """
    from .tasks import sla_escalations_execute

    now = now or timezone.now()
    result = SweepResult(escalation_ids=[])
    policies = {
        p.pk: p
        for p in SLAPolicy.objects.prefetch_related(
            Prefetch("levels", queryset=EscalationLevel.objects.order_by("percent"))
        )
    }
    schedules = {
        c.pk: c.schedule()
        for c in calendars_by_id({p.calendar_id for p in policies.values()}).values()
    }
    levels_of = {
        pk: {lv.percent: lv.pk for lv in policy.levels.all()} for pk, policy in policies.items()
    }
    percents_of = {
        (pk, kind): percents_for(policy, kind)
        for pk, policy in policies.items()
        for kind in SLAClock.Kind.values
    }
    last_id = 0
    while True:
        batch = list(
            SLAClock.objects.filter(
                stopped_at__isnull=True,
                paused_since__isnull=True,
                next_level_at__lte=now,
                pk__gt=last_id,
            )
            .order_by("pk")
            .values_list(
                "pk",
                "kind",
                "policy_id",
                "started_at",
                "target_seconds",
                "paused_seconds",
                "level_reached",
            )[:batch_size]
        )
        if not batch:
            break
        last_id = batch[-1][0]
        result.examined += len(batch)
        rows, crossed = [], {}
        for pk, kind, policy_id, started_at, target, paused, level_reached in batch:
            policy = policies[policy_id]
            schedule = schedules[policy.calendar_id]
            reached, next_at = [], None
            # Levels in order: stop at the first one still ahead, whose time is the next one.
            for percent in percents_of[policy_id, kind]:
                if percent <= level_reached:
                    continue
                at = _level_at(schedule, started_at, target, paused, percent)
                if at > now:
                    next_at = at
                    break
                reached.append(percent)
            if not reached:
                continue
            rows.append((pk, level_reached, reached[-1], next_at))
            crossed[pk] = (policy_id, reached)
        if not rows:
            continue
        with transaction.atomic():
            won = _record_levels(rows)
            escalations = [
                (clock_id, percent, levels_of[crossed[clock_id][0]].get(percent))
                for clock_id in won
                for percent in crossed[clock_id][1]
            ]
            ids = _insert_escalations(escalations, now)
            result.recorded += len(ids)
            result.escalation_ids.extend(ids)
            if ids:
                transaction.on_commit(lambda ids=ids: sla_escalations_execute.delay(ids))
    _requeue_forgotten(now)
    return result


def _record_levels(rows: list[tuple]) -> list[int]:
    """UPDATE clock SET level_reached = new WHERE level_reached = old, for every row at once;
    returns the ids this call won."""
    table = SLAClock._meta.db_table
    ops = connection.ops
    if connection.vendor == "postgresql":
        values = ", ".join(
            ["(%s::bigint, %s::smallint, %s::smallint, %s::timestamptz)"] * len(rows)
        )
    else:
        values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    params = []
    for pk, old, new, next_at in rows:
        params += [pk, old, new, ops.adapt_datetimefield_value(next_at) if next_at else None]
    sql = (
        f"WITH v(id, old_level, new_level, next_at) AS (VALUES {values}) "
        f"UPDATE {table} SET level_reached = v.new_level, next_level_at = v.next_at "
        f"FROM v WHERE {table}.id = v.id AND {table}.level_reached = v.old_level "
        f"AND {table}.stopped_at IS NULL AND {table}.paused_since IS NULL "
        f"RETURNING {table}.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _insert_escalations(rows: list[tuple], now: datetime, chunk: int = 2000) -> list[int]:
    """INSERT the (clock, percent, level) rows and return their ids; plain SQL because building
    tens of thousands of model instances was a third of a large sweep's time."""
    table = SLAEscalation._meta.db_table
    reached_at = connection.ops.adapt_datetimefield_value(now)
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            values = ", ".join(["(%s, %s, %s, %s)"] * len(part))
            params = [
                v
                for clock_id, percent, level_id in part
                for v in (clock_id, percent, level_id, reached_at)
            ]
            cursor.execute(
                f"INSERT INTO {table} (clock_id, percent, level_id, reached_at) "
                f"VALUES {values} RETURNING id",
                params,
            )
            ids += [row[0] for row in cursor.fetchall()]
    return ids


REQUEUE_AFTER = timedelta(minutes=2)


def _requeue_forgotten(now: datetime) -> None:
    """Escalations recorded but never run (the worker that should have run them died): queue
    them again. Running them twice is harmless: each is claimed once."""
    from .tasks import sla_escalations_execute

    ids = list(
        SLAEscalation.objects.filter(
            executed_at__isnull=True, reached_at__lt=now - REQUEUE_AFTER
        ).values_list("pk", flat=True)[:10000]
    )
    if ids:
        transaction.on_commit(lambda: sla_escalations_execute.delay(ids))


@transaction.atomic
def escalations_execute(*, ids: list[int], now: datetime | None = None) -> int:
    """Run the actions of the given escalations that nobody ran yet; returns how many ran.

    The claim (``executed_at`` set where it was empty) and the actions commit together, so a
    crash runs them again later and a duplicate call runs nothing.
    """
    from crm.services import notifications_send

    from .incident_services import incident_escalate

    now = now or timezone.now()
    claimed = list(
        SLAEscalation.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk__in=ids, executed_at__isnull=True)
        .select_related("clock", "level")
        # One order for every worker: incidents are then locked in the same order (no deadlock).
        .order_by("clock__incident_id", "percent", "pk")
    )
    if not claimed:
        return 0
    SLAEscalation.objects.filter(pk__in=[e.pk for e in claimed]).update(executed_at=now)
    for escalation in claimed:
        level = escalation.level
        if level is None:
            continue
        # Read the incident afresh for each escalation: an earlier one in this loop may have
        # raised its priority or moved it to another group.
        incident = (
            Incident.objects.select_for_update(of=("self",))
            .select_related(
                "assignment_group__escalation_group", "assignment_group__lead", "assignee"
            )
            .get(pk=escalation.clock.incident_id)
        )
        recipients = []
        group = incident.assignment_group
        if level.notify_assignee and incident.assignee:
            recipients.append(incident.assignee)
        if level.notify_group_lead and group and group.lead:
            recipients.append(group.lead)
        if level.notify_escalation_group and group and group.escalation_group:
            recipients += list(group.escalation_group.members.all())
        if recipients:
            notifications_send(
                recipients=recipients,
                title=_("%(number)s: %(percent)s %% of the %(kind)s target elapsed")
                % {
                    "number": incident.number,
                    "percent": escalation.percent,
                    "kind": escalation.clock.get_kind_display(),
                },
                body=incident.title,
                url=incident.get_absolute_url(),
            )
        if level.raise_priority or level.reassign_to_escalation_group:
            incident_escalate(
                incident=incident,
                raise_priority=level.raise_priority,
                reassign=level.reassign_to_escalation_group,
                reason=_("escalation at %(percent)s %%") % {"percent": escalation.percent},
                now=now,
            )
    return len(claimed)
