"""The escalation sweep: records every level that running clocks crossed, once each.

Each level is recorded with one conditional, set-based UPDATE (a level is recorded by exactly one
sweep even when several run at once) and a unique row per level. What a level does (notify,
raise the priority, reassign) belongs to incidents: the sweep hands the new escalation ids to
``on_recorded`` after each batch commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone

from .models import EscalationLevel, SLAClock, SLAEscalation, SLAPolicy
from .services import _level_at, calendars_by_id, percents_for


@dataclass
class SweepResult:
    examined: int = 0
    recorded: int = 0
    escalation_ids: list[int] | None = None


def sla_sweep(
    *,
    now: datetime | None = None,
    batch_size: int = 5000,
    on_recorded: Callable[[list[int]], None] | None = None,
) -> SweepResult:
    """Record every level that running clocks have crossed, once each, and queue their actions.

    Candidates come from one indexed query (``next_level_at <= now``); each batch is recorded
    in its own transaction with one conditional UPDATE … RETURNING, so that of two sweeps
    running at once only one records a given level, and a sweep killed mid-way leaves no half
    recorded batch.
    """
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
            if ids and on_recorded is not None:
                transaction.on_commit(lambda ids=ids: on_recorded(ids))
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


# An escalation recorded this long ago and still not run is queued again (its worker died or
# its message was lost), and again each time this much passes without it running.
REQUEUE_AFTER = timedelta(minutes=2)
# At most this many per sweep: after a long outage of the workers, the backlog is handed back
# a slice a minute rather than in one message of every pending id.
REQUEUE_LIMIT = 5000


def escalations_requeue(*, now: datetime, limit: int = REQUEUE_LIMIT) -> list[int]:
    """Stamp ``requeued_at`` on the escalations recorded but never run that nobody queued
    within ``REQUEUE_AFTER``, and return their ids: the caller queues them again.

    One set-based UPDATE … RETURNING: the rows picked are locked, skipping those locked
    elsewhere, so of two sweeps at once one stamps a given escalation and the other skips it
    (or, once the first committed, finds it stamped); an escalation being run at this moment
    is locked by its worker and skipped too.
    """
    table = connection.ops.quote_name(SLAEscalation._meta.db_table)
    ops = connection.ops
    cutoff = ops.adapt_datetimefield_value(now - REQUEUE_AFTER)
    stamp = ops.adapt_datetimefield_value(now)
    due = "executed_at IS NULL AND reached_at < %s AND (requeued_at IS NULL OR requeued_at < %s)"
    postgresql = connection.vendor == "postgresql"
    # The pick is materialized, computed once: as a subquery of ``IN``, PostgreSQL may scan it
    # again while updating, skip the rows it has just stamped, and go past the limit.
    sql = (
        f"WITH picked AS {'MATERIALIZED ' if postgresql else ''}("
        f"SELECT id FROM {table} WHERE {due} ORDER BY reached_at, id LIMIT %s"
        f"{' FOR UPDATE SKIP LOCKED' if postgresql else ''}) "
        f"UPDATE {table} SET requeued_at = %s FROM picked "
        f"WHERE {table}.id = picked.id RETURNING {table}.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [cutoff, cutoff, limit, stamp])
        return sorted(row[0] for row in cursor.fetchall())
