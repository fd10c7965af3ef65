"""The refresh of the summary tables (reporting/models.py), incremental and set-based.

Every run reads what changed since the last one's watermark: the rows whose ``updated_at``
passed it, and the rows with a history version written since (django-simple-history keeps one
for every save, and one for every deletion). Every version of those rows, old and new, names
days (created, resolved, closed…): those days are *dirty*, and only they are computed again,
each with one ``DELETE`` and one ``INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE``. A
request reopened moves out of the day it had been resolved on: that day is among its old
versions' days, so it is counted again too.

The snapshots (open work per agent, the oldest open items, the waiting steps) describe now, not
days: they are replaced whole at each run, also set-based.

The SLA outcomes need business-time arithmetic (crm/business_time.py), which SQL cannot do:
the clocks that changed are read in one query, their business durations computed in Python,
and written back in one ``INSERT … ON CONFLICT`` per chunk.

A run takes a transaction-level advisory lock: two workers (or a retry racing the first try)
never refresh at once; the second returns at once. Running twice gives the same tables: every
step recomputes from the source rows, none adds to what is there.

PostgreSQL only (time zones, ``= ANY``, advisory locks): on another database the refresh does
nothing and says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from time import perf_counter

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from crm import business_time as bt
from requests_app.models import Incident, ServiceRequest, SLAClock
from requests_app.sla.services import calendars_by_id, schedules_for
from tasks_app.models import Task

from .models import SummaryState

log = logging.getLogger(__name__)

STATE_NAME = "dashboards"
# A transaction that commits after a run began may carry an older ``updated_at``: each run reads
# again this much before its watermark (recomputing a day twice changes nothing).
SAFETY_MARGIN = timedelta(minutes=10)
# pg_advisory_xact_lock key: "GUICHET_SUMMARIES" folded to an integer.
LOCK_KEY = 7_310_642_201
OLDEST_KEPT = 20
CLOCK_CHUNK = 5_000
# Rewritten by a full refresh, then analysed.
SUMMARY_TABLES = (
    "reporting_itemdaily",
    "reporting_itemmonthly",
    "reporting_stepdaily",
    "reporting_assigneedaily",
    "reporting_activitydaily",
    "reporting_clockoutcome",
    "reporting_clockdaily",
    "reporting_clockhistogram",
    "reporting_clockhistogrammonthly",
)
# The buckets of ClockHistogram: (below this many business seconds, the bucket's width).
CLOCK_BUCKETS = ((86_400, 60), (30 * 86_400, 900), (None, 3_600))

REQUESTS = ServiceRequest._meta.db_table
REQUESTS_HISTORY = ServiceRequest.history.model._meta.db_table
INCIDENTS = Incident._meta.db_table
INCIDENTS_HISTORY = Incident.history.model._meta.db_table
TASKS = Task._meta.db_table
TASKS_HISTORY = Task.history.model._meta.db_table
CLOCKS = SLAClock._meta.db_table
CLOCKS_HISTORY = SLAClock.history.model._meta.db_table


def _local(column: str) -> str:
    """The local day (body's time zone) of a timestamptz column, as SQL."""
    return f"(({column}) AT TIME ZONE %(tz)s)::date"


@dataclass
class RefreshResult:
    ran: bool
    full: bool = False
    days: dict[str, int] = field(default_factory=dict)
    rows: int = 0
    seconds: float = 0.0
    refreshed_at: datetime | None = None


# --- dirty days -------------------------------------------------------------------------------


_VERSION_COLUMNS = {
    REQUESTS: ["id", "created_at", "resolved_at", "closed_at"],
    INCIDENTS: ["id", "created_at", "resolved_at", "closed_at"],
    TASKS: ["id", "kind", "created_at", "closed_at", "due_date", "request_id"],
    "contacts_call": ["id", "starts_at"],
    "contacts_meeting": ["id", "starts_at"],
}


def _dirty_days(
    cursor,
    params: dict,
    *,
    live: str,
    history: str,
    day_sql: list[str],
    where: str = "",
    extra_ids: str = "",
) -> list[date]:
    """The days named by any version (live or historical) of the rows changed since
    ``params["wm"]``. ``day_sql`` are SQL expressions of a day over a version's columns."""
    columns = ", ".join(_VERSION_COLUMNS[live])
    days = " UNION ".join(f"SELECT {expression} AS day FROM versions" for expression in day_sql)
    sql = f"""
        WITH changed AS (
            SELECT id FROM {live} WHERE updated_at > %(wm)s {where}
            UNION SELECT id FROM {history} WHERE history_date > %(wm)s {where}
            {extra_ids}
        ), versions AS (
            SELECT {columns} FROM {live} WHERE id IN (SELECT id FROM changed)
            UNION ALL
            SELECT {columns} FROM {history} WHERE id IN (SELECT id FROM changed)
        )
        SELECT day FROM ({days}) d WHERE day IS NOT NULL
    """
    cursor.execute(sql, params)
    return sorted({row[0] for row in cursor.fetchall()})


# --- items: requests, incidents, tasks ----------------------------------------------------------

_ITEM_COLUMNS = (
    "kind, day, group_key, type_key, category_key, channel, status, received, resolved, finished"
)
_ITEM_CONFLICT = (
    "ON CONFLICT (kind, day, group_key, type_key, category_key, channel, status) DO UPDATE SET "
    "received = EXCLUDED.received, resolved = EXCLUDED.resolved, finished = EXCLUDED.finished"
)


def _day_filter(alias: str) -> str:
    return f"(%(all)s OR {alias} = ANY(%(days)s))"


def _events_insert(kind: str, source: str) -> str:
    """INSERT the day counts of ``source`` (a CTE with c_day, r_day, f_day, group_key,
    type_key, category_key, channel, status) for the dirty days."""
    return f"""
        , events AS (
            SELECT c_day AS day, group_key, type_key, category_key, channel, status,
                   1 AS received, 0 AS resolved, 0 AS finished
            FROM {source} WHERE {_day_filter("c_day")}
            UNION ALL
            SELECT r_day, group_key, type_key, category_key, channel, status, 0, 1, 0
            FROM {source} WHERE r_day IS NOT NULL AND {_day_filter("r_day")}
            UNION ALL
            SELECT f_day, group_key, type_key, category_key, channel, status, 0, 0, 1
            FROM {source} WHERE f_day IS NOT NULL AND {_day_filter("f_day")}
        )
        INSERT INTO reporting_itemdaily ({_ITEM_COLUMNS})
        SELECT '{kind}', day, group_key, type_key, category_key, channel, status,
               SUM(received), SUM(resolved), SUM(finished)
        FROM events
        GROUP BY day, group_key, type_key, category_key, channel, status
        {_ITEM_CONFLICT}
    """


def _touches(*days: str) -> str:
    return "(%(all)s OR " + " OR ".join(f"{day} = ANY(%(days)s)" for day in days) + ")"


REQUEST_ITEMS = f"""
    WITH r AS (
        SELECT id, request_type_id AS type_key, 0::bigint AS category_key, channel, status,
               {_local("created_at")} AS c_day,
               {_local("resolved_at")} AS r_day,
               {_local("COALESCE(resolved_at, closed_at)")} AS f_day
        FROM {REQUESTS} WHERE status <> 'draft'
    ), rd AS (
        SELECT * FROM r WHERE {_touches("c_day", "r_day", "f_day")}
    ), rg AS (
        SELECT rd.*, 0::bigint AS group_key FROM rd
        UNION ALL
        SELECT rd.*, g.group_id FROM rd JOIN (
            SELECT DISTINCT request_id, assignment_group_id AS group_id FROM {TASKS}
            WHERE assignment_group_id IS NOT NULL AND request_id IN (SELECT id FROM rd)
        ) g ON g.request_id = rd.id
    )
    {_events_insert("request", "rg")}
"""

INCIDENT_ITEMS = f"""
    WITH i AS (
        SELECT id, 0::bigint AS type_key, COALESCE(category_id, 0) AS category_key, channel,
               status, COALESCE(assignment_group_id, 0) AS own_group,
               {_local("created_at")} AS c_day,
               {_local("resolved_at")} AS r_day,
               {_local("COALESCE(resolved_at, closed_at)")} AS f_day
        FROM {INCIDENTS}
    ), id_ AS (
        SELECT * FROM i WHERE {_touches("c_day", "r_day", "f_day")}
    ), ig AS (
        SELECT id_.*, 0::bigint AS group_key FROM id_
        UNION ALL
        SELECT id_.*, own_group FROM id_ WHERE own_group <> 0
    )
    {_events_insert("incident", "ig")}
"""

TASK_ITEMS = f"""
    WITH t AS (
        SELECT t.id, COALESCE(r.request_type_id, 0) AS type_key, 0::bigint AS category_key,
               COALESCE(r.channel, '') AS channel, t.status,
               COALESCE(t.assignment_group_id, 0) AS own_group,
               {_local("t.created_at")} AS c_day,
               {_local("CASE WHEN t.status = 'closed' THEN t.closed_at END")} AS r_day,
               {_local("t.closed_at")} AS f_day
        FROM {TASKS} t LEFT JOIN {REQUESTS} r ON r.id = t.request_id
        WHERE t.kind IN ('service', 'support')
    ), td AS (
        SELECT * FROM t WHERE {_touches("c_day", "r_day", "f_day")}
    ), tg AS (
        SELECT td.*, 0::bigint AS group_key FROM td
        UNION ALL
        SELECT td.*, own_group FROM td WHERE own_group <> 0
    )
    {_events_insert("task", "tg")}
"""

# Closed work per agent: tasks closed, incidents resolved, per local day.
ASSIGNEE_CLOSED = f"""
    INSERT INTO reporting_assigneedaily
        (kind, day, user_key, group_key, type_key, category_key, channel, closed)
    SELECT kind, day, user_key, group_key, type_key, category_key, channel, COUNT(*)
    FROM (
        SELECT 'task' AS kind, {_local("t.closed_at")} AS day,
               COALESCE(t.assignee_id, 0) AS user_key,
               COALESCE(t.assignment_group_id, 0) AS group_key,
               COALESCE(r.request_type_id, 0) AS type_key, 0::bigint AS category_key,
               COALESCE(r.channel, '') AS channel
        FROM {TASKS} t LEFT JOIN {REQUESTS} r ON r.id = t.request_id
        WHERE t.kind IN ('service', 'support') AND t.status = 'closed'
              AND t.closed_at IS NOT NULL
        UNION ALL
        SELECT 'incident', {_local("resolved_at")}, COALESCE(assignee_id, 0),
               COALESCE(assignment_group_id, 0), 0, COALESCE(category_id, 0), channel
        FROM {INCIDENTS} WHERE resolved_at IS NOT NULL
    ) closed
    WHERE {_day_filter("day")}
    GROUP BY kind, day, user_key, group_key, type_key, category_key, channel
    ON CONFLICT (kind, day, user_key, group_key, type_key, category_key, channel)
    DO UPDATE SET closed = EXCLUDED.closed
"""

STEP_CLOSED = f"""
    INSERT INTO reporting_stepdaily
        (day, template_key, group_key, type_key, channel, closed, open_seconds)
    SELECT day, template_key, group_key, type_key, channel, COUNT(*), SUM(seconds)
    FROM (
        SELECT {_local("t.closed_at")} AS day, t.template_id AS template_key,
               COALESCE(t.assignment_group_id, 0) AS group_key,
               COALESCE(r.request_type_id, 0) AS type_key, COALESCE(r.channel, '') AS channel,
               GREATEST(0, EXTRACT(EPOCH FROM t.closed_at - COALESCE(t.opened_at, t.created_at)))
                   AS seconds
        FROM {TASKS} t LEFT JOIN {REQUESTS} r ON r.id = t.request_id
        WHERE t.kind = 'service' AND t.status = 'closed' AND t.template_id IS NOT NULL
              AND t.closed_at IS NOT NULL
    ) closed
    WHERE {_day_filter("day")}
    GROUP BY day, template_key, group_key, type_key, channel
    ON CONFLICT (day, template_key, group_key, type_key, channel)
    DO UPDATE SET closed = EXCLUDED.closed, open_seconds = EXCLUDED.open_seconds
"""

# Calls and meetings on the day they take place, to-dos on the day they are due (or were
# created, when undated).
ACTIVITY_SOURCES = {
    "call": ("contacts_call", "contacts_historicalcall", "starts_at"),
    "meeting": ("contacts_meeting", "contacts_historicalmeeting", "starts_at"),
}

ACTIVITIES = f"""
    INSERT INTO reporting_activitydaily (kind, day, user_key, count)
    SELECT kind, day, user_key, COUNT(*) FROM (
        SELECT 'call' AS kind, {_local("starts_at")} AS day,
               COALESCE(assigned_to_id, 0) AS user_key
        FROM contacts_call
        UNION ALL
        SELECT 'meeting', {_local("starts_at")}, COALESCE(assigned_to_id, 0) FROM contacts_meeting
        UNION ALL
        SELECT 'todo', COALESCE(due_date, {_local("created_at")}), COALESCE(assignee_id, 0)
        FROM {TASKS} WHERE kind = 'todo' AND status <> 'cancelled'
    ) a
    WHERE {_day_filter("day")}
    GROUP BY kind, day, user_key
    ON CONFLICT (kind, day, user_key) DO UPDATE SET count = EXCLUDED.count
"""

# Whole months of ItemDaily summed into ItemMonthly, for the months holding a dirty day.
ITEM_MONTHS = f"""
    INSERT INTO reporting_itemmonthly ({_ITEM_COLUMNS})
    SELECT kind, date_trunc('month', day)::date AS month, group_key, type_key, category_key,
           channel, status, SUM(received), SUM(resolved), SUM(finished)
    FROM reporting_itemdaily
    WHERE kind IN ('request', 'incident', 'task')
          AND (%(all)s OR date_trunc('month', day)::date = ANY(%(days)s))
    GROUP BY kind, month, group_key, type_key, category_key, channel, status
    ON CONFLICT (kind, day, group_key, type_key, category_key, channel, status) DO UPDATE SET
        received = EXCLUDED.received, resolved = EXCLUDED.resolved, finished = EXCLUDED.finished
"""

# --- snapshots --------------------------------------------------------------------------------

ASSIGNEE_OPEN = f"""
    INSERT INTO reporting_assigneeopen
        (kind, user_key, group_key, type_key, category_key, channel, open)
    SELECT kind, user_key, group_key, type_key, category_key, channel, COUNT(*) FROM (
        SELECT 'task' AS kind, COALESCE(t.assignee_id, 0) AS user_key,
               COALESCE(t.assignment_group_id, 0) AS group_key,
               COALESCE(r.request_type_id, 0) AS type_key, 0::bigint AS category_key,
               COALESCE(r.channel, '') AS channel
        FROM {TASKS} t LEFT JOIN {REQUESTS} r ON r.id = t.request_id
        WHERE t.kind IN ('service', 'support')
              AND t.status IN ('open', 'in_progress', 'on_hold')
        UNION ALL
        SELECT 'incident', COALESCE(assignee_id, 0), COALESCE(assignment_group_id, 0), 0,
               COALESCE(category_id, 0), channel
        FROM {INCIDENTS} WHERE status IN ('new', 'in_progress', 'awaiting_requester')
    ) o
    GROUP BY kind, user_key, group_key, type_key, category_key, channel
"""

STEP_OPEN = f"""
    INSERT INTO reporting_stepopen
        (template_key, group_key, type_key, channel, waiting, since_sum, since_min)
    SELECT t.template_id, COALESCE(t.assignment_group_id, 0),
           COALESCE(r.request_type_id, 0), COALESCE(r.channel, ''), COUNT(*),
           SUM(EXTRACT(EPOCH FROM COALESCE(t.opened_at, t.created_at))),
           MIN(COALESCE(t.opened_at, t.created_at))
    FROM {TASKS} t LEFT JOIN {REQUESTS} r ON r.id = t.request_id
    WHERE t.kind = 'service' AND t.template_id IS NOT NULL
          AND t.status IN ('open', 'in_progress', 'on_hold')
    GROUP BY 1, 2, 3, 4
"""

_OLDEST_INSERT = f"""
    INSERT INTO reporting_oldestopen
        (kind, group_key, rank, item_id, type_key, category_key, channel, title, status,
         created_at)
    SELECT kind, group_key, rank, id, type_key, category_key, channel, title, status,
           created_at
    FROM (
        SELECT o.*, ROW_NUMBER() OVER (
            PARTITION BY group_key ORDER BY created_at, id) AS rank
        FROM ({{source}}) o
    ) ranked
    WHERE rank <= {OLDEST_KEPT}
"""

OLDEST_REQUESTS = _OLDEST_INSERT.format(
    source=f"""
        SELECT 'request' AS kind, r.id, 0::bigint AS group_key, r.request_type_id AS type_key,
               0::bigint AS category_key, r.channel, LEFT(r.title, 255) AS title, r.status,
               r.created_at
        FROM {REQUESTS} r WHERE r.status IN ('submitted', 'in_progress')
        UNION ALL
        SELECT DISTINCT 'request', r.id, t.assignment_group_id, r.request_type_id, 0, r.channel,
               LEFT(r.title, 255), r.status, r.created_at
        FROM {REQUESTS} r JOIN {TASKS} t ON t.request_id = r.id
        WHERE r.status IN ('submitted', 'in_progress') AND t.assignment_group_id IS NOT NULL
    """
)

OLDEST_INCIDENTS = _OLDEST_INSERT.format(
    source=f"""
        SELECT 'incident' AS kind, id, g.group_key, 0::bigint AS type_key,
               COALESCE(category_id, 0) AS category_key, channel, LEFT(title, 255) AS title,
               status, created_at
        FROM {INCIDENTS}
        CROSS JOIN LATERAL (VALUES (0::bigint), (assignment_group_id)) g(group_key)
        WHERE status IN ('new', 'in_progress', 'awaiting_requester') AND g.group_key IS NOT NULL
    """
)

OLDEST_TASKS = _OLDEST_INSERT.format(
    source=f"""
        SELECT 'task' AS kind, t.id, g.group_key, COALESCE(r.request_type_id, 0) AS type_key,
               0::bigint AS category_key, COALESCE(r.channel, '') AS channel,
               LEFT(t.title, 255) AS title, t.status, t.created_at
        FROM {TASKS} t LEFT JOIN {REQUESTS} r ON r.id = t.request_id
        CROSS JOIN LATERAL (VALUES (0::bigint), (t.assignment_group_id)) g(group_key)
        WHERE t.kind IN ('service', 'support')
              AND t.status IN ('open', 'in_progress', 'on_hold')
              AND g.group_key IS NOT NULL
    """
)


# --- the run ----------------------------------------------------------------------------------


def _execute(cursor, sql: str, params: dict) -> int:
    cursor.execute(sql, params)
    return max(cursor.rowcount, 0)


def _delete_days(cursor, table: str, days: list[date] | None, where: str = "") -> None:
    if days is None:
        cursor.execute(f"DELETE FROM {table} WHERE TRUE {where}")
    elif days:
        cursor.execute(f"DELETE FROM {table} WHERE day = ANY(%(days)s) {where}", {"days": days})


def _refresh_days(cursor, days: list[date] | None, statements: list[tuple[str, str, str]]) -> int:
    """For each (table, kind filter, insert), delete the rows of the dirty days and insert
    them again; ``days`` None: every day."""
    if days is not None and not days:
        return 0
    params = {"tz": settings.TIME_ZONE, "all": days is None, "days": days or []}
    rows = 0
    for table, where, insert in statements:
        _delete_days(cursor, table, days, where)
        rows += _execute(cursor, insert, params)
    return rows


def _task_days(cursor, params: dict) -> list[date]:
    return _dirty_days(
        cursor,
        params,
        live=TASKS,
        history=TASKS_HISTORY,
        day_sql=[_local("created_at"), _local("closed_at")],
    )


def summaries_refresh(*, full: bool = False) -> RefreshResult:
    """Bring every summary table up to date. ``full``: recompute every day, as on the first
    run. Returns what was done; ``ran`` is False when another refresh holds the lock or the
    database is not PostgreSQL."""
    if connection.vendor != "postgresql":
        log.warning("The dashboards' summaries are computed on PostgreSQL only.")
        return RefreshResult(ran=False)
    started = perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            return RefreshResult(ran=False)
        # The application's clock, the one that wrote updated_at and history_date.
        run_at = timezone.now()
        state, _created = SummaryState.objects.select_for_update().get_or_create(name=STATE_NAME)
        watermark = None if full else state.watermark
        result = RefreshResult(ran=True, full=watermark is None)
        params = {"tz": settings.TIME_ZONE, "wm": watermark}

        if watermark is None:
            request_days = incident_days = task_days = activity_days = None
        else:
            task_days = _task_days(cursor, params)
            request_days = _dirty_days(
                cursor,
                params,
                live=REQUESTS,
                history=REQUESTS_HISTORY,
                day_sql=[_local("created_at"), _local("resolved_at"), _local("closed_at")],
                # A task's change of group changes its request's group rows.
                extra_ids=f"""UNION SELECT request_id FROM {TASKS}
                    WHERE updated_at > %(wm)s AND request_id IS NOT NULL
                    UNION SELECT request_id FROM {TASKS_HISTORY}
                    WHERE history_date > %(wm)s AND request_id IS NOT NULL""",
            )
            incident_days = _dirty_days(
                cursor,
                params,
                live=INCIDENTS,
                history=INCIDENTS_HISTORY,
                day_sql=[_local("created_at"), _local("resolved_at"), _local("closed_at")],
            )
            activity_days = sorted(
                set(_activity_days(cursor, params))
                | set(
                    _dirty_days(
                        cursor,
                        params,
                        live=TASKS,
                        history=TASKS_HISTORY,
                        day_sql=["due_date", _local("created_at")],
                        where="AND kind = 'todo'",
                    )
                )
            )

        rows = 0
        rows += _refresh_days(
            cursor, request_days, [("reporting_itemdaily", "AND kind = 'request'", REQUEST_ITEMS)]
        )
        rows += _refresh_days(
            cursor,
            incident_days,
            [("reporting_itemdaily", "AND kind = 'incident'", INCIDENT_ITEMS)],
        )
        rows += _refresh_days(
            cursor,
            task_days,
            [
                ("reporting_itemdaily", "AND kind = 'task'", TASK_ITEMS),
                ("reporting_stepdaily", "", STEP_CLOSED),
            ],
        )
        item_days = (
            None
            if watermark is None
            else sorted(set(request_days) | set(incident_days) | set(task_days))
        )
        months = None if item_days is None else sorted({day.replace(day=1) for day in item_days})
        rows += _refresh_days(cursor, months, [("reporting_itemmonthly", "", ITEM_MONTHS)])
        closed_days = (
            None if watermark is None else sorted(set(task_days or []) | set(incident_days or []))
        )
        rows += _refresh_days(
            cursor, closed_days, [("reporting_assigneedaily", "", ASSIGNEE_CLOSED)]
        )
        rows += _refresh_days(cursor, activity_days, [("reporting_activitydaily", "", ACTIVITIES)])
        rows += _refresh_snapshots(cursor, run_at)
        rows += _refresh_clocks(cursor, watermark)
        if watermark is None:
            # Every row rewritten: the planner's statistics of the old ones would mislead it
            # (a year of outcomes estimated at a few thousand rows).
            for table in SUMMARY_TABLES:
                cursor.execute(f"ANALYZE {table}")

        for name, days in (
            ("requests", request_days),
            ("incidents", incident_days),
            ("tasks", task_days),
            ("activities", activity_days),
        ):
            result.days[name] = -1 if days is None else len(days)
        result.rows = rows
        result.seconds = perf_counter() - started
        result.refreshed_at = run_at
        state.watermark = run_at - SAFETY_MARGIN
        state.refreshed_at = run_at
        state.days_refreshed = sum(max(0, n) for n in result.days.values())
        state.rows_written = rows
        state.seconds = result.seconds
        state.save()
    return result


def _activity_days(cursor, params: dict) -> list[date]:
    days: set[date] = set()
    for live, history, column in ACTIVITY_SOURCES.values():
        days.update(
            _dirty_days(cursor, params, live=live, history=history, day_sql=[_local(column)])
        )
    return sorted(days)


OVERDUE_CLOCKS = f"""
    INSERT INTO reporting_overdueclock (kind, group_key, category_key, channel, overdue)
    SELECT c.kind, COALESCE(i.assignment_group_id, 0), COALESCE(i.category_id, 0), i.channel,
           COUNT(*)
    FROM {CLOCKS} c JOIN {INCIDENTS} i ON i.id = c.incident_id
    WHERE c.stopped_at IS NULL AND c.paused_since IS NULL AND c.due_at < %(now)s
    GROUP BY 1, 2, 3, 4
"""

SNAPSHOTS = (
    ("reporting_assigneeopen", [ASSIGNEE_OPEN]),
    ("reporting_stepopen", [STEP_OPEN]),
    ("reporting_overdueclock", [OVERDUE_CLOCKS]),
    ("reporting_oldestopen", [OLDEST_REQUESTS, OLDEST_INCIDENTS, OLDEST_TASKS]),
)


def _refresh_snapshots(cursor, now) -> int:
    rows = 0
    for table, inserts in SNAPSHOTS:
        cursor.execute(f"DELETE FROM {table}")
        for insert in inserts:
            rows += _execute(cursor, insert, {"now": now})
    return rows


# --- SLA outcomes -----------------------------------------------------------------------------

_CLOCKS_STOPPED = f"""
    SELECT c.id, c.incident_id, c.kind, c.started_at, c.stopped_at, c.paused_seconds, c.met,
           p.calendar_id, COALESCE(i.assignment_group_id, 0), COALESCE(i.category_id, 0),
           i.channel
    FROM {CLOCKS} c
    JOIN requests_app_slapolicy p ON p.id = c.policy_id
    JOIN {INCIDENTS} i ON i.id = c.incident_id
    WHERE c.stopped_at IS NOT NULL AND {{where}}
    ORDER BY c.id
    LIMIT {CLOCK_CHUNK}
"""

_OUTCOME_UPSERT = """
    INSERT INTO reporting_clockoutcome
        (clock_id, incident_id, kind, day, group_key, category_key, channel, met,
         business_seconds)
    VALUES {values}
    ON CONFLICT (clock_id) DO UPDATE SET
        incident_id = EXCLUDED.incident_id, kind = EXCLUDED.kind, day = EXCLUDED.day,
        group_key = EXCLUDED.group_key, category_key = EXCLUDED.category_key,
        channel = EXCLUDED.channel, met = EXCLUDED.met,
        business_seconds = EXCLUDED.business_seconds
"""


def _bucket_sql(column: str) -> str:
    """The SQL of ``column`` (business seconds) rounded down to its CLOCK_BUCKETS bucket."""
    cases = " ".join(
        f"WHEN {column} < {limit} THEN floor({column} / {width}) * {width}"
        for limit, width in CLOCK_BUCKETS
        if limit is not None
    )
    last = CLOCK_BUCKETS[-1][1]
    return f"CASE {cases} ELSE floor({column} / {last}) * {last} END"


def bucket_of(seconds: float) -> float:
    """``seconds`` rounded down to its bucket, as ``_bucket_sql`` does (for the tests)."""
    for limit, width in CLOCK_BUCKETS:
        if limit is None or seconds < limit:
            return float((seconds // width) * width)
    raise AssertionError("unreachable")


CLOCK_DAILY = f"""
INSERT INTO reporting_clockdaily (day, kind, group_key, total, met_count)
SELECT day, kind, group_key, count(*), count(*) FILTER (WHERE met)
FROM reporting_clockoutcome WHERE {_day_filter("day")}
GROUP BY day, kind, group_key
"""

CLOCK_HISTOGRAM = f"""
INSERT INTO reporting_clockhistogram (day, kind, bucket, n)
SELECT day, kind, bucket, count(*) FROM (
    SELECT day, kind, {_bucket_sql("business_seconds")} AS bucket
    FROM reporting_clockoutcome WHERE {_day_filter("day")}
) AS rounded
GROUP BY day, kind, bucket
"""

CLOCK_HISTOGRAM_MONTHS = f"""
INSERT INTO reporting_clockhistogrammonthly (day, kind, bucket, n)
SELECT date_trunc('month', day)::date AS month, kind, bucket, SUM(n)
FROM reporting_clockhistogram
WHERE {_day_filter("date_trunc('month', day)::date")}
GROUP BY month, kind, bucket
"""


def _clock_derived(cursor, days: list[date] | None) -> int:
    """ClockDaily and ClockHistogram of ``days`` (None: every day) from the outcomes, then the
    monthly histogram of their months."""
    rows = _refresh_days(
        cursor,
        days,
        [
            ("reporting_clockdaily", "", CLOCK_DAILY),
            ("reporting_clockhistogram", "", CLOCK_HISTOGRAM),
        ],
    )
    months = None if days is None else sorted({day.replace(day=1) for day in days})
    return rows + _refresh_days(
        cursor, months, [("reporting_clockhistogrammonthly", "", CLOCK_HISTOGRAM_MONTHS)]
    )


def _write_outcomes(cursor, rows: list[tuple], schedules: dict) -> int:
    """Business durations of stopped clocks (pauses taken out), upserted in one statement."""
    zone = timezone.get_default_timezone()
    values = []
    for (
        clock_id,
        incident_id,
        kind,
        started_at,
        stopped_at,
        paused_seconds,
        met,
        calendar_id,
        group_key,
        category_key,
        channel,
    ) in rows:
        schedule = schedules.get(calendar_id)
        try:
            seconds = bt.seconds_between(schedule, started_at, stopped_at) if schedule else 0.0
        except bt.ScheduleError:
            seconds = 0.0
        values.append(
            (
                clock_id,
                incident_id,
                kind,
                timezone.localtime(stopped_at, zone).date(),
                group_key,
                category_key,
                channel,
                bool(met),
                max(0.0, seconds - (paused_seconds or 0.0)),
            )
        )
    if values:
        placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(values))
        cursor.execute(
            _OUTCOME_UPSERT.format(values=placeholders), [v for row in values for v in row]
        )
    return len(values)


def _refresh_clocks(cursor, watermark) -> int:
    """The outcome of every stopped clock that changed (or whose incident changed); outcomes
    of clocks restarted or deleted since are removed. Read by chunks of ``CLOCK_CHUNK`` in id
    order, so that a full rebuild of millions of clocks holds one chunk at a time."""
    cursor.execute("SELECT DISTINCT calendar_id FROM requests_app_slapolicy")
    schedules = schedules_for(calendars_by_id(row[0] for row in cursor.fetchall()).values())
    written = 0
    if watermark is None:
        cursor.execute("DELETE FROM reporting_clockoutcome")
        last = 0
        while True:
            cursor.execute(_CLOCKS_STOPPED.format(where="c.id > %(last)s"), {"last": last})
            rows = cursor.fetchall()
            if not rows:
                break
            written += _write_outcomes(cursor, rows, schedules)
            last = rows[-1][0]
        return written + _clock_derived(cursor, None)
    cursor.execute(
        f"""SELECT id FROM {CLOCKS_HISTORY} WHERE history_date > %(wm)s
            UNION SELECT id FROM {CLOCKS} WHERE incident_id IN (
                SELECT id FROM {INCIDENTS} WHERE updated_at > %(wm)s)
            ORDER BY 1""",
        {"wm": watermark},
    )
    changed = [row[0] for row in cursor.fetchall()]
    # The days whose counts change: those the changed outcomes leave and those they land on.
    days: set[date] = set()
    for start in range(0, len(changed), CLOCK_CHUNK):
        ids = changed[start : start + CLOCK_CHUNK]
        cursor.execute(
            "DELETE FROM reporting_clockoutcome WHERE clock_id = ANY(%(ids)s) RETURNING day",
            {"ids": ids},
        )
        days.update(row[0] for row in cursor.fetchall())
        cursor.execute(_CLOCKS_STOPPED.format(where="c.id = ANY(%(ids)s)"), {"ids": ids})
        written += _write_outcomes(cursor, cursor.fetchall(), schedules)
        cursor.execute(
            "SELECT DISTINCT day FROM reporting_clockoutcome WHERE clock_id = ANY(%(ids)s)",
            {"ids": ids},
        )
        days.update(row[0] for row in cursor.fetchall())
    return written + _clock_derived(cursor, sorted(days))
