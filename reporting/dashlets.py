"""The agent's home as dashlets (seed 002): what each dashlet is, what it reads, and each
user's choice and order of them.

The home renders its layout at once; a dashlet whose reads cost more than a count
(``lazy``) is a placeholder that loads itself (htmx) once the page is shown, so that the home
stays as fast as it was whatever its user chose, and each dashlet costs a constant number of
queries whatever the rows behind it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts import calendar as crm_calendar
from contacts.models import Call, Favourite, Meeting, RecentView
from crm import selectors as crm_selectors
from crm.models import User
from requests_app.incidents import selectors as incident_selectors
from requests_app.incidents.models import Incident
from tasks_app import selectors as task_selectors
from tasks_app.models import Task

from . import charts
from .models import DashletLayout

LIST_LIMIT = 8
# Open incidents read, most urgent first, to find those whose SLA is at risk or breached.
SLA_CANDIDATES = 50
AT_RISK_BADGES = ("at_risk", "breached")


@dataclass(frozen=True)
class Dashlet:
    key: str
    label: object
    template: str
    read: Callable[[User], dict]
    lazy: bool = True
    icon: str = "bi-grid"


def _counts(user: User) -> dict:
    return {
        "counts": {
            **task_selectors.task_counts_for(user=user),
            **incident_selectors.incident_counts_for(user=user),
        }
    }


def _groups(user: User) -> dict:
    return {"groups": crm_selectors.assignment_groups_of(user=user)}


def _notifications(user: User) -> dict:
    return {"notifications": crm_selectors.notification_list(user=user, unread_only=True, limit=10)}


def _my_tasks(user: User) -> dict:
    rows = task_selectors.task_list(user=user, scope="mine").qs[:LIST_LIMIT]
    return {"tasks": list(rows), "more_url_name": "tasks:mine"}


def _queue(user: User) -> dict:
    rows = task_selectors.task_list(user=user, scope="queue").qs[:LIST_LIMIT]
    return {"tasks": list(rows), "more_url_name": "tasks:queue"}


def _sla_at_risk(user: User) -> dict:
    """My open incidents and my groups' unassigned ones whose SLA is at risk or breached, the
    soonest due first (three queries)."""
    mine_or_queue = Q(assignee=user) | Q(
        assignee__isnull=True, assignment_group_id__in=user.assignment_groups.values("pk")
    )
    candidates = incident_selectors.incident_list(user=user, scope="all").filter(
        mine_or_queue, status__in=Incident.OPEN_STATUSES, resolution_due_at__isnull=False
    )
    values = incident_selectors.incident_row_values(candidates)[:SLA_CANDIDATES]
    rows = incident_selectors.incident_rows(values)
    at_risk = [
        row for row in rows if any(view.badge in AT_RISK_BADGES for view in row.sla.values())
    ]
    return {"incidents": at_risk[:LIST_LIMIT]}


def _today_bounds() -> tuple[dt.datetime, dt.datetime]:
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    return start, start + dt.timedelta(days=1)


def _calendar_today(user: User) -> dict:
    start, end = _today_bounds()
    events = crm_calendar.occurrences_in_range(owner_ids=[user.pk], start=start, end=end)
    todos = list(
        Task.objects.filter(kind=Task.Kind.TODO, assignee=user, due_date=timezone.localdate())
        .not_done()
        .order_by("priority", "pk")[:LIST_LIMIT]
    )
    return {"events": events[: LIST_LIMIT * 2], "todos": todos}


def _recent(user: User) -> dict:
    rows = (
        RecentView.objects.filter(user=user)
        .select_related("content_type")
        .order_by("-viewed_at", "-pk")[: RecentView.KEEP]
    )
    return {"recent": list(rows)}


def _favourites(user: User) -> dict:
    rows = (
        Favourite.objects.filter(user=user)
        .select_related("content_type")
        .order_by("label", "pk")[: LIST_LIMIT + 2]
    )
    return {"favourites": list(rows)}


def week_figures(user: User, *, today: dt.date | None = None) -> dict:
    """This week's (Monday to Sunday) tasks closed by ``user``, and calls and meetings assigned
    to them, per day: three queries."""
    today = today or timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    days = [monday + dt.timedelta(days=n) for n in range(7)]
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time.min))
    end = start + dt.timedelta(days=7)
    zone = timezone.get_current_timezone()

    def per_day(rows, moment: str) -> list[int]:
        counted = dict(
            rows.filter(**{f"{moment}__gte": start, f"{moment}__lt": end})
            .annotate(day=TruncDate(moment, tzinfo=zone))
            .order_by()
            .values("day")
            .annotate(n=Count("pk"))
            .values_list("day", "n")
        )
        return [counted.get(day, 0) for day in days]

    series = [
        (
            _("Tasks closed"),
            per_day(Task.objects.filter(assignee=user, status=Task.Status.CLOSED), "closed_at"),
        ),
        (_("Calls"), per_day(Call.objects.filter(assigned_to=user), "starts_at")),
        (_("Meetings"), per_day(Meeting.objects.filter(assigned_to=user), "starts_at")),
    ]
    labels = [formats.date_format(day, "D j") for day in days]
    return {"labels": labels, "series": series, "monday": monday}


def _week_chart(user: User) -> dict:
    figures = week_figures(user)
    title = _("My week")
    return {
        "chart": charts.bar(title, figures["labels"], figures["series"]),
        "labels": figures["labels"],
        "series": figures["series"],
    }


DASHLETS: dict[str, Dashlet] = {
    dashlet.key: dashlet
    for dashlet in (
        Dashlet(
            "counts",
            gettext_lazy("My figures"),
            "reporting/dashlets/counts.html",
            _counts,
            lazy=False,
            icon="bi-123",
        ),
        Dashlet(
            "my_tasks",
            gettext_lazy("My tasks"),
            "reporting/dashlets/tasks.html",
            _my_tasks,
            icon="bi-person-check",
        ),
        Dashlet(
            "queue",
            gettext_lazy("My groups' queue"),
            "reporting/dashlets/tasks.html",
            _queue,
            icon="bi-inbox",
        ),
        Dashlet(
            "sla_at_risk",
            gettext_lazy("SLA at risk"),
            "reporting/dashlets/sla_at_risk.html",
            _sla_at_risk,
            icon="bi-alarm",
        ),
        Dashlet(
            "calendar_today",
            gettext_lazy("My calendar today"),
            "reporting/dashlets/calendar_today.html",
            _calendar_today,
            icon="bi-calendar-day",
        ),
        Dashlet(
            "week_chart",
            gettext_lazy("My week"),
            "reporting/dashlets/week_chart.html",
            _week_chart,
            icon="bi-bar-chart",
        ),
        Dashlet(
            "recent",
            gettext_lazy("Recently viewed"),
            "reporting/dashlets/recent.html",
            _recent,
            icon="bi-clock-history",
        ),
        Dashlet(
            "favourites",
            gettext_lazy("Favourites"),
            "reporting/dashlets/favourites.html",
            _favourites,
            icon="bi-star",
        ),
        Dashlet(
            "groups",
            gettext_lazy("My assignment groups"),
            "reporting/dashlets/groups.html",
            _groups,
            lazy=False,
            icon="bi-people",
        ),
        Dashlet(
            "notifications",
            gettext_lazy("Unread notifications"),
            "reporting/dashlets/notifications.html",
            _notifications,
            lazy=False,
            icon="bi-bell",
        ),
    )
}

DEFAULT_LAYOUT = (
    "counts",
    "my_tasks",
    "queue",
    "sla_at_risk",
    "calendar_today",
    "week_chart",
    "recent",
    "favourites",
    "groups",
    "notifications",
)


def layout_of(user: User) -> list[str]:
    """The keys of the dashlets ``user`` shows, in order (the default until they choose): one
    query. Keys of dashlets that no longer exist are left out."""
    saved = DashletLayout.objects.filter(user=user).values_list("dashlets", flat=True).first()
    keys = DEFAULT_LAYOUT if saved is None else saved
    return [key for key in keys if key in DASHLETS]


def moved(keys: list[str], key: str, action: str) -> list[str]:
    """The layout after one arranging action: "up", "down", "top", "bottom", "remove" or
    "add" (at the end). An action that changes nothing returns the layout as it was."""
    keys = list(keys)
    if action == "add":
        return keys if key in keys else [*keys, key]
    if key not in keys:
        return keys
    index = keys.index(key)
    if action == "remove":
        return keys[:index] + keys[index + 1 :]
    target = {
        "up": max(index - 1, 0),
        "down": min(index + 1, len(keys) - 1),
        "top": 0,
        "bottom": len(keys) - 1,
    }.get(action, index)
    keys.insert(target, keys.pop(index))
    return keys


def render_context(user: User, keys: list[str]) -> list[dict]:
    """Each shown dashlet with, for those rendered with the page, what it reads."""
    shown = []
    for key in keys:
        dashlet = DASHLETS[key]
        shown.append(
            {
                "dashlet": dashlet,
                "context": {} if dashlet.lazy else dashlet.read(user),
            }
        )
    return shown
