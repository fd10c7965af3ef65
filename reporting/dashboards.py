"""The managers' dashboards, each a ``ReportDocument`` of sections (a chart and the table of
its figures) built from the selectors: the page, its PDF and its CSVs show the same document.

volume, service levels, backlog, workload, chains, CRM activity and imports; each is also
exportable by name (``manage.py export_report volume --format pdf …``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from requests_app.models import Incident, ServiceRequest
from tasks_app.models import Task

from . import charts, selectors
from .exportables import Link, ReportDocument, Section, Table, register_exportable
from .forms import Filters
from .routers import reading_reports

# Bars shown in a chart; the table under it has them all.
CHART_TOP = 15
OLDEST_SHOWN = 10

KIND_LABELS = {
    "request": _("Requests"),
    "incident": _("Incidents"),
    "task": _("Tasks"),
}
STATUS_LABELS = {
    "request": dict(ServiceRequest.Status.choices),
    "incident": dict(Incident.Status.choices),
    "task": dict(Task.Status.choices),
}
CHANNEL_LABELS = {**dict(Incident.Channel.choices), **dict(ServiceRequest.Channel.choices)}
AGE_BUCKETS = (
    (2, _("0–2 days")),
    (7, _("3–7 days")),
    (30, _("8–30 days")),
    (90, _("31–90 days")),
    (None, _("more than 90 days")),
)
DETAIL_URLS = {"request": "requests:detail", "incident": "incidents:detail", "task": "tasks:detail"}
NUMBER_PREFIX = {
    "request": ServiceRequest.NUMBER_PREFIX,
    "incident": Incident.NUMBER_PREFIX,
    "task": Task.NUMBER_PREFIX,
}


# --- small helpers ----------------------------------------------------------------------------


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


def days_of(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 86400, 1)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def bucket_of(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def buckets(f: Filters) -> list[date]:
    keys, day = [], f.date_from
    while day <= f.date_to:
        key = bucket_of(day, f.granularity)
        if not keys or keys[-1] != key:
            keys.append(key)
        day += timedelta(days=1)
    return keys


def bucket_label(key: date, granularity: str) -> str:
    if granularity == "month":
        return key.strftime("%Y-%m")
    return key.isoformat()


def bucket_heading(granularity: str) -> str:
    return {"day": _t("Day"), "week": _t("Week of"), "month": _t("Month")}[granularity]


def _label(mapping: dict, key, default=None) -> str:
    if key in mapping:
        return str(mapping[key])
    return str(default if default is not None else _("(none)"))


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _document(title, f: Filters, sections: list[Section]) -> ReportDocument:
    return ReportDocument(
        title=str(title),
        period_label=f.period_label,
        sections=sections,
        fresh_as_of=selectors.freshness(),
    )


def _top(rows: list, key: Callable) -> list:
    return sorted(rows, key=key, reverse=True)[:CHART_TOP]


# --- volume -----------------------------------------------------------------------------------


def _open_at_ends(f: Filters, days: list[dict], open_now: dict[str, int]) -> dict[date, dict]:
    """Open items at the end of each bucket of the period, counted back from the open items
    now: open at the end of day D = open now − (received − finished) of the days after D."""
    net = defaultdict(lambda: defaultdict(int))
    for row in days:
        net[row["day"]][row["kind"]] += row["received"] - row["finished"]
    today = timezone.localdate()
    last = max(f.date_to, today)
    running = dict(open_now)
    at_end: dict[date, dict] = {}
    day = last
    while day >= f.date_from:
        at_end[day] = dict(running)
        for kind, change in net.get(day, {}).items():
            running[kind] = running.get(kind, 0) - change
        day -= timedelta(days=1)
    result = {}
    for key in buckets(f):
        end = {"day": key, "week": key + timedelta(days=6)}.get(f.granularity)
        if end is None:  # month
            following = (key.replace(day=28) + timedelta(days=4)).replace(day=1)
            end = following - timedelta(days=1)
        end = min(end, f.date_to)
        result[key] = at_end.get(end, dict(open_now))
    return result


def volume(f: Filters) -> ReportDocument:
    with reading_reports():
        totals = selectors.volume_totals(f)
        days = selectors.volume_days(f)
        breakdown = selectors.volume_breakdown(f)
        by_group = selectors.volume_by_group(f)
        types = selectors.type_names(row["type_key"] for row in breakdown)
        categories = selectors.category_names(row["category_key"] for row in breakdown)
        groups = selectors.group_names(row["group_key"] for row in by_group)
        document = _document(_("Volume"), f, [])
    kinds = list(KIND_LABELS)
    granularity = f.granularity
    sections = []

    # Totals.
    headers = [
        _t("What"),
        pgettext("figures", "Received"),
        pgettext("figures", "Resolved"),
        _t("Open now"),
    ]
    rows = [
        [str(KIND_LABELS[k]), totals[k]["received"], totals[k]["resolved"], totals[k]["open"]]
        for k in kinds
    ]
    chart = charts.bar(
        _t("Received, resolved and open"),
        [row[0] for row in rows],
        [(headers[i], [row[i] for row in rows]) for i in (1, 2, 3)],
    )
    sections.append(
        Section(
            _t("Received, resolved and open"),
            chart,
            Table(_t("Received, resolved and open"), headers, rows),
            note=_t(
                "Received and resolved in the period; open now, whenever received. "
                "A request counts in each group that holds one of its tasks."
            ),
        )
    )

    # Over time.
    keys = buckets(f)
    per_bucket = defaultdict(lambda: defaultdict(int))
    for row in days:
        if f.date_from <= row["day"] <= f.date_to:
            key = bucket_of(row["day"], granularity)
            per_bucket[key][(row["kind"], "received")] += row["received"]
            per_bucket[key][(row["kind"], "resolved")] += row["resolved"]
    measures = [
        ("request", "received", _t("Requests received")),
        ("request", "resolved", _t("Requests resolved")),
        ("incident", "received", _t("Incidents received")),
        ("incident", "resolved", _t("Incidents resolved")),
    ]
    labels = [bucket_label(key, granularity) for key in keys]
    rows = [
        [labels[i], *(per_bucket[key][(kind, m)] for kind, m, _label_ in measures)]
        for i, key in enumerate(keys)
    ]
    title = _t("Received and resolved over time")
    sections.append(
        Section(
            title,
            charts.line(
                title,
                labels,
                [
                    (name, [per_bucket[key][(kind, m)] for key in keys])
                    for kind, m, name in measures
                ],
            ),
            Table(title, [bucket_heading(granularity), *(m[2] for m in measures)], rows),
        )
    )

    # Open over time.
    open_now = {k: totals[k]["open"] for k in kinds}
    at_ends = _open_at_ends(f, days, open_now)
    title = _t("Open at the end of each period")
    rows = [[labels[i], *(at_ends[key].get(k, 0) for k in kinds)] for i, key in enumerate(keys)]
    sections.append(
        Section(
            title,
            charts.line(
                title,
                labels,
                [(str(KIND_LABELS[k]), [at_ends[key].get(k, 0) for key in keys]) for k in kinds],
            ),
            Table(
                title, [bucket_heading(granularity), *(str(KIND_LABELS[k]) for k in kinds)], rows
            ),
        )
    )

    # By type (requests), by category (incidents), by status, by channel.
    by_type = defaultdict(lambda: [0, 0])
    by_category = defaultdict(lambda: [0, 0])
    by_status = defaultdict(int)
    by_channel = defaultdict(lambda: defaultdict(int))
    for row in breakdown:
        if row["kind"] == "request":
            by_type[row["type_key"]][0] += row["received"]
            by_type[row["type_key"]][1] += row["resolved"]
        if row["kind"] == "incident":
            by_category[row["category_key"]][0] += row["received"]
            by_category[row["category_key"]][1] += row["resolved"]
        by_status[(row["kind"], row["status"])] += row["received"]
        if row["kind"] in ("request", "incident"):
            by_channel[row["channel"]][row["kind"]] += row["received"]

    headers = [_t("Request type"), pgettext("figures", "Received"), pgettext("figures", "Resolved")]
    rows = sorted(
        ([_label(types, key), *counts] for key, counts in by_type.items()),
        key=lambda row: (-row[1], row[0]),
    )
    title = _t("Requests by type")
    sections.append(
        Section(
            title,
            charts.bar(
                title,
                [row[0] for row in rows[:CHART_TOP]],
                [
                    (headers[1], [r[1] for r in rows[:CHART_TOP]]),
                    (headers[2], [r[2] for r in rows[:CHART_TOP]]),
                ],
                horizontal=True,
            ),
            Table(title, headers, rows),
        )
    )

    headers = [_t("What"), _t("Status"), _t("Received in the period")]
    rows = [
        [str(KIND_LABELS[kind]), _label(STATUS_LABELS[kind], status, status), n]
        for (kind, status), n in sorted(
            by_status.items(), key=lambda item: (kinds.index(item[0][0]), -item[1])
        )
    ]
    title = _t("By current status")
    sections.append(
        Section(
            title,
            charts.bar(
                title,
                [f"{row[0]} · {row[1]}" for row in rows],
                [(headers[2], [row[2] for row in rows])],
                horizontal=True,
            ),
            Table(title, headers, rows),
        )
    )

    headers = [_t("Channel"), _t("Requests"), _t("Incidents")]
    rows = sorted(
        (
            [_label(CHANNEL_LABELS, ch, ch or _("(none)")), n["request"], n["incident"]]
            for ch, n in by_channel.items()
        ),
        key=lambda row: (-(row[1] + row[2]), row[0]),
    )
    title = _t("By channel")
    sections.append(
        Section(
            title,
            charts.bar(
                title,
                [row[0] for row in rows],
                [(headers[1], [r[1] for r in rows]), (headers[2], [r[2] for r in rows])],
            ),
            Table(title, headers, rows),
        )
    )

    group_counts = defaultdict(lambda: defaultdict(int))
    for row in by_group:
        group_counts[row["group_key"]][(row["kind"], "received")] += row["received"]
        group_counts[row["group_key"]][(row["kind"], "resolved")] += row["resolved"]
    headers = [
        _t("Group"),
        _t("Requests received"),
        _t("Incidents received"),
        _t("Incidents resolved"),
        _t("Tasks received"),
        _t("Tasks closed"),
    ]
    rows = sorted(
        (
            [
                _label(groups, key),
                n[("request", "received")],
                n[("incident", "received")],
                n[("incident", "resolved")],
                n[("task", "received")],
                n[("task", "resolved")],
            ]
            for key, n in group_counts.items()
        ),
        key=lambda row: (-(row[1] + row[2] + row[4]), row[0]),
    )
    top = rows[:CHART_TOP]
    title = _t("By group")
    sections.append(
        Section(
            title,
            charts.bar(
                title,
                [row[0] for row in top],
                [(headers[i], [row[i] for row in top]) for i in (1, 2, 4)],
                horizontal=True,
            ),
            Table(title, headers, rows),
        )
    )

    headers = [_t("Category"), pgettext("figures", "Received"), pgettext("figures", "Resolved")]
    rows = sorted(
        ([_label(categories, key), *counts] for key, counts in by_category.items()),
        key=lambda row: (-row[1], row[0]),
    )
    title = _t("Incidents by category")
    sections.append(
        Section(
            title,
            charts.bar(
                title,
                [row[0] for row in rows[:CHART_TOP]],
                [
                    (headers[1], [r[1] for r in rows[:CHART_TOP]]),
                    (headers[2], [r[2] for r in rows[:CHART_TOP]]),
                ],
                horizontal=True,
            ),
            Table(title, headers, rows),
        )
    )
    document.sections = sections
    return document


# --- service levels ---------------------------------------------------------------------------

CLOCK_LABELS = {"response": _("First response"), "resolution": _("Resolution")}


def service_levels(f: Filters) -> ReportDocument:
    with reading_reports():
        days = selectors.sla_days(f)
        summary = selectors.sla_summary(f, days)
        by_group = selectors.sla_by_group(f)
        overdue = selectors.sla_overdue(f)
        groups = selectors.group_names(
            [row["group_key"] for row in by_group] + [row["group_key"] for row in overdue]
        )
        document = _document(_("Service levels"), f, [])
    granularity = f.granularity
    overdue_by_kind = defaultdict(int)
    for row in overdue:
        overdue_by_kind[row["kind"]] += row["n"]

    headers = [
        _t("Target"),
        _t("Clocks stopped"),
        _t("Met"),
        _t("Breached"),
        _t("Compliance (%)"),
        _t("Median (business hours)"),
        _t("90th percentile (business hours)"),
        _t("Running and past due"),
    ]
    rows = []
    for kind, label in CLOCK_LABELS.items():
        row = summary.get(kind, {})
        total, met = row.get("total", 0), row.get("met_count", 0)
        rows.append(
            [
                str(label),
                total,
                met,
                total - met,
                percent(met, total),
                hours(row.get("median")),
                hours(row.get("p90")),
                overdue_by_kind[kind],
            ]
        )
    title = _t("SLA compliance")
    sections = [
        Section(
            title,
            charts.bar(
                title,
                [row[0] for row in rows],
                [(headers[4], [row[4] for row in rows])],
                value_suffix=" %",
            ),
            Table(title, headers, rows),
            note=_t(
                "Clocks stopped in the period, against their policy's targets; times in business "
                "hours of the policy's calendar, pauses taken out. Running and past due: at the "
                "last refresh."
            ),
        )
    ]

    keys = buckets(f)
    per_bucket = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in days:
        counts = per_bucket[bucket_of(row["day"], granularity)][row["kind"]]
        counts[0] += row["total"]
        counts[1] += row["met_count"]
    labels = [bucket_label(key, granularity) for key in keys]
    headers = [
        bucket_heading(granularity),
        _t("First response met (%)"),
        _t("Resolution met (%)"),
        _t("Clocks stopped"),
    ]
    rows = []
    for i, key in enumerate(keys):
        response, resolution = per_bucket[key]["response"], per_bucket[key]["resolution"]
        rows.append(
            [
                labels[i],
                percent(response[1], response[0]),
                percent(resolution[1], resolution[0]),
                response[0] + resolution[0],
            ]
        )
    title = _t("Compliance over time")
    sections.append(
        Section(
            title,
            charts.line(
                title,
                labels,
                [(headers[1], [r[1] for r in rows]), (headers[2], [r[2] for r in rows])],
            ),
            Table(title, headers, rows),
        )
    )

    breaches = defaultdict(lambda: defaultdict(int))
    for row in by_group:
        breaches[row["group_key"]][row["kind"]] += row["breached"]
        breaches[row["group_key"]][("total", row["kind"])] += row["total"]
    for row in overdue:
        breaches[row["group_key"] or 0][("overdue", row["kind"])] += row["n"]
    headers = [
        _t("Group"),
        _t("First responses breached"),
        _t("Resolutions breached"),
        _t("Resolution compliance (%)"),
        _t("Running and past due"),
    ]
    rows = sorted(
        (
            [
                _label(groups, key),
                n["response"],
                n["resolution"],
                percent(n[("total", "resolution")] - n["resolution"], n[("total", "resolution")]),
                n[("overdue", "response")] + n[("overdue", "resolution")],
            ]
            for key, n in breaches.items()
        ),
        key=lambda row: (-(row[1] + row[2] + row[4]), row[0]),
    )
    top = rows[:CHART_TOP]
    title = _t("Breaches by group")
    sections.append(
        Section(
            title,
            charts.bar(
                title,
                [row[0] for row in top],
                [(headers[i], [row[i] for row in top]) for i in (1, 2, 4)],
                stacked=True,
                horizontal=True,
            ),
            Table(title, headers, rows),
        )
    )
    document.sections = sections
    return document


# --- backlog ----------------------------------------------------------------------------------


def age_bucket(age_days: int) -> int:
    for index, (limit, _name) in enumerate(AGE_BUCKETS):
        if limit is None or age_days <= limit:
            return index
    return len(AGE_BUCKETS) - 1


def backlog(f: Filters, *, today: date | None = None) -> ReportDocument:
    today = today or timezone.localdate()
    with reading_reports():
        days = selectors.backlog_days(f)
        oldest = selectors.oldest_open(f)
        document = _document(_("Backlog"), f, [])
    kinds = list(KIND_LABELS)
    counts = defaultdict(lambda: defaultdict(int))
    for row in days:
        counts[age_bucket((today - row["day"]).days)][row["kind"]] += row["open"]
    headers = [_t("Age"), *(str(KIND_LABELS[k]) for k in kinds)]
    rows = [
        [str(label), *(counts[index][k] for k in kinds)]
        for index, (_limit, label) in enumerate(AGE_BUCKETS)
    ]
    title = _t("Age of the open items")
    sections = [
        Section(
            title,
            charts.bar(
                title,
                [row[0] for row in rows],
                [(headers[i + 1], [row[i + 1] for row in rows]) for i in range(len(kinds))],
                stacked=True,
            ),
            Table(title, headers, rows),
            note=_t("Open now, by the time since they were received; tasks include pending ones."),
        )
    ]
    headings = {
        "request": _t("Oldest open requests"),
        "incident": _t("Oldest open incidents"),
        "task": _t("Oldest open tasks"),
    }
    for kind in kinds:
        items = [item for item in oldest if item.kind == kind][:OLDEST_SHOWN]
        headers = [
            _t("Number"),
            _t("Title"),
            _t("Status"),
            pgettext("figures", "Received"),
            _t("Age (days)"),
        ]
        rows = [
            [
                Link(
                    f"{NUMBER_PREFIX[kind]}{item.item_id:07d}",
                    reverse(DETAIL_URLS[kind], args=[item.item_id]),
                ),
                item.title,
                _label(STATUS_LABELS[kind], item.status, item.status),
                _when(item.created_at),
                (today - timezone.localtime(item.created_at).date()).days,
            ]
            for item in items
        ]
        sections.append(Section(headings[kind], None, Table(headings[kind], headers, rows)))
    document.sections = sections
    return document


# --- workload ---------------------------------------------------------------------------------


def workload(f: Filters) -> ReportDocument:
    with reading_reports():
        open_rows, closed_rows = selectors.workload(f)
        users = selectors.user_names(
            [r["user_key"] for r in open_rows] + [r["user_key"] for r in closed_rows]
        )
        groups = selectors.group_names(
            [r["group_key"] for r in open_rows] + [r["group_key"] for r in closed_rows]
        )
        document = _document(_("Workload"), f, [])
    headers_tail = [
        _t("Open tasks"),
        _t("Open incidents"),
        _t("Tasks closed"),
        _t("Incidents resolved"),
    ]
    sections = []
    for key_name, names, heading, first in (
        ("user_key", users, _t("Per agent"), _t("Agent")),
        ("group_key", groups, _t("Per group"), _t("Group")),
    ):
        per = defaultdict(lambda: [0, 0, 0, 0])
        for row in open_rows:
            per[row[key_name]][0 if row["kind"] == "task" else 1] += row["n"]
        for row in closed_rows:
            per[row[key_name]][2 if row["kind"] == "task" else 3] += row["n"]
        nobody = _("(unassigned)") if key_name == "user_key" else _("(no group)")
        rows = sorted(
            ([_label(names, key, nobody), *values] for key, values in per.items()),
            key=lambda row: (-(row[1] + row[2]), -(row[3] + row[4]), row[0]),
        )
        top = rows[:CHART_TOP]
        sections.append(
            Section(
                heading,
                charts.bar(
                    heading,
                    [row[0] for row in top],
                    [(headers_tail[i], [row[i + 1] for row in top]) for i in range(4)],
                    horizontal=True,
                ),
                Table(heading, [first, *headers_tail], rows),
                note=_t("Open now; closed and resolved in the period."),
            )
        )
    document.sections = sections
    return document


# --- chains -----------------------------------------------------------------------------------


def chains(f: Filters, *, now: datetime | None = None) -> ReportDocument:
    now = now or timezone.now()
    with reading_reports():
        closed, waiting, templates = selectors.steps(f)
        document = _document(_("Chains"), f, [])
    closed_by = {row["template_key"]: row for row in closed}
    waiting_by = {row["template_key"]: row for row in waiting}
    epoch = now.timestamp()

    def step_label(key: int) -> tuple[str, str]:
        template = templates.get(key)
        if template is None:
            return str(_("(deleted step)")), ""
        return template.chain.name, f"{template.sequence} {template.name}"

    def order(key: int):
        template = templates.get(key)
        return (template.chain.name, template.sequence) if template else ("", "")

    headers = [
        _t("Chain"),
        _t("Step"),
        _t("Closed in the period"),
        _t("Average days open"),
        _t("Open now"),
        _t("Average days waiting"),
        _t("Waiting since"),
    ]
    rows = []
    for key in sorted(set(closed_by) | set(waiting_by), key=order):
        c, w = closed_by.get(key, {}), waiting_by.get(key, {})
        n_closed, n_waiting = c.get("closed") or 0, w.get("waiting") or 0
        rows.append(
            [
                *step_label(key),
                n_closed,
                days_of(c["seconds"] / n_closed) if n_closed else None,
                n_waiting,
                days_of(epoch - w["since_sum"] / n_waiting) if n_waiting else None,
                _when(w.get("since_min")),
            ]
        )
    title = _t("Time in each step")
    sections = [
        Section(
            title,
            charts.bar(
                title,
                [f"{row[0]} · {row[1]}" for row in rows[:CHART_TOP]],
                [
                    (headers[3], [row[3] for row in rows[:CHART_TOP]]),
                    (headers[5], [row[5] for row in rows[:CHART_TOP]]),
                ],
                horizontal=True,
            ),
            Table(title, headers, rows),
            note=_t(
                "Service tasks closed in the period: from opened to closed, in calendar days. "
                "Open now: since they opened."
            ),
        )
    ]
    waits = sorted(
        (row for row in rows if row[4]), key=lambda row: (-(row[5] or 0), row[0], row[1])
    )
    headers = [_t("Chain"), _t("Step"), _t("Open now"), _t("Average days waiting")]
    rows = [[row[0], row[1], row[4], row[5]] for row in waits]
    title = _t("Where requests wait longest")
    sections.append(
        Section(
            title,
            charts.bar(
                title,
                [f"{row[0]} · {row[1]}" for row in rows[:CHART_TOP]],
                [(headers[3], [row[3] for row in rows[:CHART_TOP]])],
                horizontal=True,
            ),
            Table(title, headers, rows),
        )
    )
    document.sections = sections
    return document


# --- CRM activity -----------------------------------------------------------------------------

ACTIVITY_KINDS = {
    "call": _("Calls"),
    "meeting": _("Meetings"),
    "todo": _("To-dos"),
}


def activity(f: Filters) -> ReportDocument:
    with reading_reports():
        days = selectors.activity_days(f)
        by_agent = selectors.activity_by_agent(f)
        users = selectors.user_names(row["user_key"] for row in by_agent)
        programs, services = selectors.clients_served(f)
        document = _document(_("CRM activity"), f, [])
    kinds = list(ACTIVITY_KINDS)
    weeks = []
    day = f.date_from - timedelta(days=f.date_from.weekday())
    while day <= f.date_to:
        weeks.append(day)
        day += timedelta(days=7)
    per_week = defaultdict(lambda: defaultdict(int))
    for row in days:
        per_week[bucket_of(row["day"], "week")][row["kind"]] += row["n"]
    headers = [_t("Week of"), *(str(ACTIVITY_KINDS[k]) for k in kinds)]
    rows = [[week.isoformat(), *(per_week[week][k] for k in kinds)] for week in weeks]
    title = _t("Calls, meetings and to-dos per week")
    sections = [
        Section(
            title,
            charts.bar(
                title,
                [row[0] for row in rows],
                [(headers[i + 1], [row[i + 1] for row in rows]) for i in range(len(kinds))],
                stacked=True,
            ),
            Table(title, headers, rows),
            note=_t("Calls and meetings on the day they take place; to-dos on their due date."),
        )
    ]
    per_agent = defaultdict(lambda: defaultdict(int))
    for row in by_agent:
        per_agent[row["user_key"]][row["kind"]] += row["n"]
    headers = [_t("Agent"), *(str(ACTIVITY_KINDS[k]) for k in kinds)]
    rows = sorted(
        (
            [_label(users, key, _("(unassigned)")), *(n[k] for k in kinds)]
            for key, n in per_agent.items()
        ),
        key=lambda row: (-sum(row[1:]), row[0]),
    )
    top = rows[:CHART_TOP]
    title = _t("Calls, meetings and to-dos per agent")
    sections.append(
        Section(
            title,
            charts.bar(
                title,
                [row[0] for row in top],
                [(headers[i + 1], [row[i + 1] for row in top]) for i in range(len(kinds))],
                stacked=True,
                horizontal=True,
            ),
            Table(title, headers, rows),
        )
    )
    for title, first, count_label, source in (
        (_t("Clients served per program"), _t("Program"), _t("Enrolments"), programs),
        (_t("Clients served per service"), _t("Service"), _t("Service records"), services),
    ):
        headers = [first, _t("Clients"), _t("Partners"), count_label]
        rows = [[row["name"], row["clients"], row["partners"], row["records"]] for row in source]
        top = rows[:CHART_TOP]
        sections.append(
            Section(
                title,
                charts.bar(
                    title,
                    [row[0] for row in top],
                    [(headers[1], [r[1] for r in top]), (headers[2], [r[2] for r in top])],
                    horizontal=True,
                ),
                Table(title, headers, rows),
                note=_t("Enrolments and records whose dates meet the period."),
            )
        )
    document.sections = sections
    return document


# --- imports ----------------------------------------------------------------------------------


def imports(f: Filters) -> ReportDocument:
    with reading_reports():
        jobs = selectors.imports(f)
        document = _document(_("Imports"), f, [])
    headers = [
        _t("File"),
        _t("Uploaded by"),
        _t("Uploaded"),
        _t("Finished"),
        _t("Outcome"),
        _t("Dry run"),
        _t("Rows"),
        _t("Created"),
        _t("Updated"),
        _t("Unchanged"),
        _t("Rejected"),
    ]
    rows = []
    for job in jobs:
        report = job.report or {}
        rows.append(
            [
                Link(job.original_name, reverse("imports:detail", args=[job.pk])),
                job.uploaded_by.get_full_name() or job.uploaded_by.email,
                _when(job.created_at),
                _when(job.finished_at),
                str(job.outcome_label),
                _t("yes") if job.dry_run else _t("no"),
                job.total_rows,
                report.get("created", 0),
                report.get("updated", 0),
                report.get("unchanged", 0),
                report.get("rejected", 0),
            ]
        )
    shown = list(reversed(rows[:CHART_TOP]))
    title = _t("Course-grid imports")
    document.sections = [
        Section(
            title,
            charts.bar(
                title,
                [str(row[0]) for row in shown],
                [(headers[i], [row[i] for row in shown]) for i in (7, 8, 9, 10)],
                stacked=True,
                horizontal=True,
            ),
            Table(title, headers, rows),
            note=_t("The latest imports of the period, most recent first."),
        )
    ]
    return document


# --- the registry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    slug: str
    label: object
    icon: str
    build: Callable[[Filters], ReportDocument]


DASHBOARDS = {
    d.slug: d
    for d in (
        Dashboard("volume", _("Volume"), "bi-bar-chart", volume),
        Dashboard("service-levels", _("Service levels"), "bi-stopwatch", service_levels),
        Dashboard("backlog", _("Backlog"), "bi-hourglass-split", backlog),
        Dashboard("workload", _("Workload"), "bi-people", workload),
        Dashboard("chains", _("Chains"), "bi-diagram-3", chains),
        Dashboard("activity", _("CRM activity"), "bi-telephone", activity),
        Dashboard("imports", _("Imports"), "bi-upload", imports),
    )
}


# A built document is kept this long, under the summaries' refresh time: its figures cannot
# change before the next refresh (the few live parts, the imports' list, the oldest items'
# titles, the programmes' clients, may lag by as much).
DOCUMENT_TTL = 300


def document_key(slug: str, f: Filters, fresh, language: str) -> str:
    """The cache key of a dashboard's document built from the summaries of ``fresh``."""
    return ":".join(["reports", slug, f.querystring(), str(fresh.timestamp()), language])


def build_cached(dashboard: Dashboard, f: Filters) -> ReportDocument:
    """The dashboard's document, from the cache when the summaries have not been refreshed
    since it was built (drawing the charts is the dearest part of a page)."""
    with reading_reports():
        fresh = selectors.freshness()
    if fresh is None:
        return dashboard.build(f)
    key = document_key(dashboard.slug, f, fresh, get_language())
    document = cache.get(key)
    if document is None:
        document = dashboard.build(f)
        cache.set(key, document, DOCUMENT_TTL)
    return document


def _exported(dashboard: Dashboard):
    def build(date_from: date, date_to: date, user) -> ReportDocument:
        return dashboard.build(Filters.for_period(date_from, date_to))

    return build


# Built once: registering the same builder again (a second ready()) is allowed, another not.
_EXPORTED = {slug: _exported(dashboard) for slug, dashboard in DASHBOARDS.items()}


def register_exportables() -> None:
    for slug, dashboard in DASHBOARDS.items():
        register_exportable(slug, label=dashboard.label, build=_EXPORTED[slug])
