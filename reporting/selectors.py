"""The reads of the managers' dashboards: sums over the summary tables (reporting/models.py),
a few live counts where "now" matters, and the names of what the keys point to.

Each function costs a fixed number of queries whatever the number of rows summarised, and
runs its queries on the reports' database (the replica when there is one): the callers wrap
them in ``routers.reading_reports()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Aggregate, CharField, Count, F, FloatField, Func, Min, Q, Sum, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone

from contacts.models import ProgramEnrolment, ServiceRecord
from crm.models import AssignmentGroup, User
from requests_app.models import (
    CourseGridImport,
    Incident,
    IncidentCategory,
    RequestType,
    ServiceRequest,
)
from tasks_app.models import Task, TaskTemplate

from .forms import Filters
from .models import (
    ActivityDaily,
    AssigneeDaily,
    AssigneeOpen,
    ClockDaily,
    ClockHistogram,
    ClockHistogramMonthly,
    ClockOutcome,
    ItemDaily,
    ItemMonthly,
    OldestOpen,
    OverdueClock,
    StepDaily,
    StepOpen,
    SummaryState,
)
from .routers import reports_database
from .summaries import STATE_NAME

OPEN_STATUSES = {
    "request": tuple(ServiceRequest.OPEN_STATUSES),
    "incident": tuple(Incident.OPEN_STATUSES),
    "task": tuple(Task.NOT_DONE_STATUSES),
}
OPEN_ROWS = reduce(or_, (Q(kind=kind, status__in=st) for kind, st in OPEN_STATUSES.items()))


class LocalTime(Func):
    """A moment as local time of a zone, ``YYYY-MM-DDTHH:MM:SS`` (PostgreSQL)."""

    arg_joiner = " AT TIME ZONE "
    template = "to_char(%(expressions)s, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
    output_field = CharField()


class Percentile(Aggregate):
    """PostgreSQL's continuous percentile of an expression (e.g. 0.5: the median)."""

    function = "percentile_cont"
    name = "Percentile"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def local_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """The period as aware moments of the body's time zone: [first day 00:00, day after last)."""
    zone = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.combine(date_from, time.min), zone)
    end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min), zone)
    return start, end


def _period(f: Filters) -> Q:
    return Q(day__gte=f.date_from, day__lte=f.date_to)


def _dims(f: Filters, *, group: bool = True, type_: bool = True, category: bool = True) -> Q:
    """The filters on the dimensions of a summary row. ``group``: the row has the ``0 = every
    group`` convention of ItemDaily (else a filter on its own group, when asked)."""
    q = Q()
    if group:
        q &= Q(group_key=f.group_id or 0)
    elif f.group_id:
        q &= Q(group_key=f.group_id)
    if type_ and f.type_id:
        q &= Q(type_key=f.type_id)
    if category and f.category_id:
        q &= Q(category_key=f.category_id)
    if f.channel:
        q &= Q(channel=f.channel)
    return q


def freshness() -> datetime | None:
    state = SummaryState.objects.filter(name=STATE_NAME).values_list("refreshed_at", flat=True)
    return next(iter(state), None)


# --- names ------------------------------------------------------------------------------------


def names(model, keys: Iterable[int], field: str = "name") -> dict[int, str]:
    keys = {key for key in keys if key}
    if not keys:
        return {}
    return dict(model.objects.filter(pk__in=keys).order_by().values_list("pk", field))


def group_names(keys) -> dict[int, str]:
    return names(AssignmentGroup, keys)


def type_names(keys) -> dict[int, str]:
    return names(RequestType, keys)


def category_names(keys) -> dict[int, str]:
    return names(IncidentCategory, keys)


def user_names(keys) -> dict[int, str]:
    keys = {key for key in keys if key}
    if not keys:
        return {}
    return {
        user.pk: user.get_full_name() or user.email
        for user in User.objects.filter(pk__in=keys).only("pk", "first_name", "last_name", "email")
    }


# --- volume -----------------------------------------------------------------------------------


def whole_months(f: Filters) -> tuple[date, date] | None:
    """The whole calendar months inside the period, as [first day, first day after), if any."""
    start = f.date_from if f.date_from.day == 1 else _next_month(f.date_from)
    stop = (f.date_to + timedelta(days=1)).replace(day=1)
    return (start, stop) if start < stop else None


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _summed(
    where: Q,
    keys: list[str],
    measures: list[str],
    f: Filters,
    *,
    daily_model=ItemDaily,
    monthly_model=ItemMonthly,
) -> list[dict]:
    """Sums of ``measures`` per ``keys`` over the period: its whole months from the monthly
    table (ItemMonthly), the days before and after them from the daily one (ItemDaily): two
    queries, merged here."""
    months = whole_months(f)
    if months is None:
        daily, monthly = _period(f), None
    else:
        start, stop = months
        daily = Q(day__gte=f.date_from, day__lt=start) | Q(day__gte=stop, day__lte=f.date_to)
        monthly = Q(day__gte=start, day__lt=stop)
    annotations = {name: Sum(name) for name in measures}
    totals: dict[tuple, dict] = {}
    parts = [(daily_model, daily)] + ([(monthly_model, monthly)] if monthly is not None else [])
    for model, period in parts:
        rows = model.objects.filter(where, period).values(*keys).annotate(**annotations)
        for row in rows.order_by():
            key = tuple(row[k] for k in keys)
            into = totals.setdefault(
                key, {**{k: row[k] for k in keys}, **dict.fromkeys(measures, 0)}
            )
            for name in measures:
                into[name] += row[name] or 0
    return list(totals.values())


def volume_totals(f: Filters) -> dict[str, dict[str, int]]:
    """Per kind: received and resolved in the period, open now."""
    totals = {kind: {"received": 0, "resolved": 0, "open": 0} for kind in OPEN_STATUSES}
    for row in _summed(_dims(f), ["kind"], ["received", "resolved"], f):
        totals[row["kind"]].update(received=row["received"], resolved=row["resolved"])
    for row in (
        ItemDaily.objects.filter(_dims(f), OPEN_ROWS)
        .values("kind")
        .annotate(open=Sum("received"))
        .order_by()
    ):
        totals[row["kind"]]["open"] = row["open"]
    return totals


def volume_days(f: Filters) -> list[dict]:
    """Per day from the period's start to today (or its end, if later), per kind: received,
    resolved and finished (for the open count at each day's end, counted back from now)."""
    last = max(f.date_to, timezone.localdate())
    return list(
        ItemDaily.objects.filter(_dims(f), day__gte=f.date_from, day__lte=last)
        .values("day", "kind")
        .annotate(received=Sum("received"), resolved=Sum("resolved"), finished=Sum("finished"))
        .order_by("day", "kind")
    )


def volume_breakdown(f: Filters) -> list[dict]:
    """Received and resolved in the period per kind, type, category, channel and status."""
    return _summed(
        _dims(f),
        ["kind", "type_key", "category_key", "channel", "status"],
        ["received", "resolved"],
        f,
    )


def volume_by_group(f: Filters) -> list[dict]:
    where = _dims(f, group=False)
    if not f.group_id:
        where &= ~Q(group_key=0)
    return _summed(where, ["kind", "group_key"], ["received", "resolved"], f)


# --- service levels ---------------------------------------------------------------------------


def _clock_outcomes(f: Filters):
    if f.type_id:
        # Incidents have no request type: asked for one type, there are none.
        return ClockOutcome.objects.none()
    return ClockOutcome.objects.filter(_dims(f, group=False, type_=False), _period(f))


def _from_clock_daily(f: Filters) -> bool:
    """Whether ClockDaily holds what is asked: its dimensions are the day, the kind and the
    group (no category, no channel)."""
    return not (f.category_id or f.channel)


def _clock_daily(f: Filters):
    if f.type_id:
        return ClockDaily.objects.none()
    rows = ClockDaily.objects.filter(_period(f))
    return rows.filter(group_key=f.group_id) if f.group_id else rows


def histogram_percentiles(counts: list[tuple[float, int]], fractions) -> list[float | None]:
    """``percentile_cont`` of each fraction over the values ``counts`` describes (``(value,
    how many)``, sorted by value): the interpolation between the two ranks around the
    fraction's position, as PostgreSQL computes it."""
    total = sum(n for _value, n in counts)
    if not total:
        return [None for _fraction in fractions]
    found = []
    for fraction in fractions:
        position = fraction * (total - 1)
        lower, upper = int(position), min(int(position) + 1, total - 1)
        values, seen = {}, 0
        for value, n in counts:
            for rank in (lower, upper):
                if rank not in values and rank < seen + n:
                    values[rank] = value
            seen += n
            if upper in values:
                break
        found.append(values[lower] + (position - lower) * (values[upper] - values[lower]))
    return found


def _histogram_percentiles(f: Filters) -> dict[str, tuple]:
    rows = _summed(
        Q(),
        ["kind", "bucket"],
        ["n"],
        f,
        daily_model=ClockHistogram,
        monthly_model=ClockHistogramMonthly,
    )
    by_kind: dict[str, list] = {}
    for row in sorted(rows, key=lambda row: (row["kind"], row["bucket"])):
        by_kind.setdefault(row["kind"], []).append((row["bucket"], row["n"]))
    return {kind: histogram_percentiles(counts, (0.5, 0.9)) for kind, counts in by_kind.items()}


# Past this many stopped clocks, an unfiltered period's percentiles come from ClockHistogram
# (to the width of a bucket) rather than from sorting every outcome (about 2 s for a year of
# 1.2 million): below, they are exact.
EXACT_PERCENTILES_MAX = 50_000


def summary_of_days(days: list[dict]) -> dict[str, dict]:
    """``sla_days``' rows summed per kind."""
    summary: dict[str, dict] = {}
    for row in days:
        into = summary.setdefault(row["kind"], {"kind": row["kind"], "total": 0, "met_count": 0})
        into["total"] += row["total"]
        into["met_count"] += row["met_count"]
    return summary


def sla_summary(f: Filters, days: list[dict] | None = None) -> dict[str, dict]:
    """Per clock kind: clocks stopped in the period, met, and the median and 90th percentile of
    their business durations (seconds). ``days``: ``sla_days(f)`` when the caller has read it
    (the counts are then summed from it, with no query)."""
    if _from_clock_daily(f):
        summary = summary_of_days(sla_days(f) if days is None else days)
        many = sum(row["total"] for row in summary.values()) > EXACT_PERCENTILES_MAX
        if many and not f.group_id and not f.type_id:
            for kind, (median, p90) in _histogram_percentiles(f).items():
                summary.setdefault(kind, {"kind": kind, "total": 0, "met_count": 0})
                summary[kind].update(median=median, p90=p90)
            return summary
    rows = (
        _clock_outcomes(f)
        .values("kind")
        .annotate(
            total=Count("pk"),
            met_count=Count("pk", filter=Q(met=True)),
            median=Percentile("business_seconds", 0.5),
            p90=Percentile("business_seconds", 0.9),
        )
        .order_by()
    )
    return {row["kind"]: row for row in rows}


def sla_days(f: Filters) -> list[dict]:
    if _from_clock_daily(f):
        return list(
            _clock_daily(f)
            .values("day", "kind")
            .annotate(total=Sum("total"), met_count=Sum("met_count"))
            .order_by("day", "kind")
        )
    return list(
        _clock_outcomes(f)
        .values("day", "kind")
        .annotate(total=Count("pk"), met_count=Count("pk", filter=Q(met=True)))
        .order_by("day", "kind")
    )


def sla_by_group(f: Filters) -> list[dict]:
    if _from_clock_daily(f):
        return [
            {**row, "breached": row["total"] - row["met_count"]}
            for row in _clock_daily(f)
            .values("group_key", "kind")
            .annotate(total=Sum("total"), met_count=Sum("met_count"))
            .order_by()
        ]
    return list(
        _clock_outcomes(f)
        .values("group_key", "kind")
        .annotate(total=Count("pk"), breached=Count("pk", filter=Q(met=False)))
        .order_by()
    )


def sla_overdue(f: Filters) -> list[dict]:
    """Running clocks already past due at the last refresh, per kind and group of their
    incident (breaches in the making, not yet in the outcomes)."""
    if f.type_id:
        return []
    return list(
        OverdueClock.objects.filter(_dims(f, group=False, type_=False))
        .values("kind", "group_key")
        .annotate(n=Sum("overdue"))
        .order_by()
    )


# --- backlog ----------------------------------------------------------------------------------


def backlog_days(f: Filters) -> list[dict]:
    """Open items now per kind and local day of creation."""
    return list(
        ItemDaily.objects.filter(_dims(f), OPEN_ROWS)
        .values("kind", "day")
        .annotate(open=Sum("received"))
        .order_by()
    )


def oldest_open(f: Filters) -> list[OldestOpen]:
    rows = OldestOpen.objects.filter(_dims(f)).order_by("kind", "created_at", "item_id")
    return list(rows)


# --- workload ---------------------------------------------------------------------------------


def workload(f: Filters) -> tuple[list[dict], list[dict]]:
    """Open now and closed in the period, per kind, assignee and group."""
    dims = _dims(f, group=False)
    open_rows = list(
        AssigneeOpen.objects.filter(dims)
        .values("kind", "user_key", "group_key")
        .annotate(n=Sum("open"))
        .order_by()
    )
    closed_rows = list(
        AssigneeDaily.objects.filter(dims, _period(f))
        .values("kind", "user_key", "group_key")
        .annotate(n=Sum("closed"))
        .order_by()
    )
    return open_rows, closed_rows


# --- chains -----------------------------------------------------------------------------------


def steps(f: Filters) -> tuple[list[dict], list[dict], dict[int, TaskTemplate]]:
    dims = _dims(f, group=False, category=False)
    closed = list(
        StepDaily.objects.filter(dims, _period(f))
        .values("template_key")
        .annotate(closed=Sum("closed"), seconds=Sum("open_seconds"))
        .order_by()
    )
    waiting = list(
        StepOpen.objects.filter(dims)
        .values("template_key")
        .annotate(waiting=Sum("waiting"), since_sum=Sum("since_sum"), since_min=Min("since_min"))
        .order_by()
    )
    keys = {row["template_key"] for row in closed} | {row["template_key"] for row in waiting}
    templates = (
        TaskTemplate.objects.filter(pk__in=keys).select_related("chain").in_bulk() if keys else {}
    )
    return closed, waiting, templates


# --- CRM activity -----------------------------------------------------------------------------


def _activity_rows(f: Filters):
    rows = ActivityDaily.objects.filter(_period(f))
    if f.group_id:
        members = AssignmentGroup.members.through.objects.filter(
            assignmentgroup_id=f.group_id
        ).values("user_id")
        rows = rows.filter(user_key__in=members)
    return rows


def activity_days(f: Filters) -> list[dict]:
    return list(
        _activity_rows(f).values("day", "kind").annotate(n=Sum("count")).order_by("day", "kind")
    )


def activity_by_agent(f: Filters) -> list[dict]:
    return list(_activity_rows(f).values("user_key", "kind").annotate(n=Sum("count")).order_by())


def _overlapping(model, f: Filters):
    return model.objects.filter(start_date__lte=f.date_to).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=f.date_from)
    )


def clients_served(f: Filters) -> tuple[list[dict], list[dict]]:
    """Clients and partners with an enrolment in each program, a record of each service, whose
    dates meet the period."""
    programs = list(
        _overlapping(ProgramEnrolment, f)
        .values(name=F("program__name"))
        .annotate(
            clients=Count("client", distinct=True),
            partners=Count("partner", distinct=True),
            records=Count("pk"),
        )
        .order_by("-clients", "name")
    )
    services = list(
        _overlapping(ServiceRecord, f)
        .values(name=F("service__name"))
        .annotate(
            clients=Count("client", distinct=True),
            partners=Count("partner", distinct=True),
            records=Count("pk"),
        )
        .order_by("-clients", "name")
    )
    return programs, services


# --- imports ----------------------------------------------------------------------------------

IMPORTS_SHOWN = 200


def imports(f: Filters) -> list[CourseGridImport]:
    start, end = local_bounds(f.date_from, f.date_to)
    return list(
        CourseGridImport.objects.filter(created_at__gte=start, created_at__lt=end)
        .select_related("uploaded_by")
        .order_by("-created_at", "-pk")[:IMPORTS_SHOWN]
    )


# --- the detail export ------------------------------------------------------------------------


def requests_received(f: Filters):
    """Every request received in the period (the rows behind the volume's figures), to be read
    with ``.iterator()`` (a server-side cursor): an export of a million rows holds a chunk in
    memory, not the list."""
    start, end = local_bounds(f.date_from, f.date_to)
    rows = ServiceRequest.objects.filter(created_at__gte=start, created_at__lt=end).exclude(
        status=ServiceRequest.Status.DRAFT
    )
    if f.type_id:
        rows = rows.filter(request_type_id=f.type_id)
    if f.channel:
        rows = rows.filter(channel=f.channel)
    if f.group_id:
        rows = rows.filter(
            pk__in=Task.objects.filter(assignment_group_id=f.group_id).values("request_id")
        )
    if f.category_id:
        # Requests have no incident category: asked for one, there are none.
        rows = rows.none()
    # Formatted by the database: the export writes the rows as they come, a million of them.
    # Pinned now: the rows are read while the response streams, after the caller's block.
    tz = Value(settings.TIME_ZONE)
    return (
        rows.using(reports_database())
        .order_by("created_at", "pk")
        .values_list(
            Concat(
                Value(ServiceRequest.NUMBER_PREFIX), LPad(Cast("pk", CharField()), 7, Value("0"))
            ),
            "title",
            "request_type__name",
            "channel",
            "status",
            LocalTime("created_at", tz),
            LocalTime("resolved_at", tz),
            LocalTime("closed_at", tz),
        )
    )
