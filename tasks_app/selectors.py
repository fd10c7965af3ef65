"""Reads of tasks: queues, lists, the task page and the Kanban, each at a constant number of
queries."""

from datetime import datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from contacts.models import Client
from crm.models import User
from crm.pagination import HOME_COUNT_CAP, capped_count
from requests_app.requests import seam

from .filters import TaskFilter
from .models import Task

LIST_RELATED = (
    "request__request_type",
    "request__requester",
    "assignment_group",
    "assignee",
    "parent",
)


def _base() -> QuerySet:
    return Task.objects.select_related(*LIST_RELATED)


def task_list(*, user: User, scope: str, params=None) -> TaskFilter:
    """``scope``: "mine" (assigned to me, not done), "queue" (my groups' unassigned open tasks)
    or "all". ``params`` are the filter's GET parameters."""
    if scope == "mine":
        queryset = _base().filter(assignee=user).not_done()
    elif scope == "queue":
        group_ids = list(user.assignment_groups.values_list("pk", flat=True))
        queryset = _base().filter(
            assignment_group_id__in=group_ids,
            assignee__isnull=True,
            status__in=[Task.Status.OPEN, Task.Status.IN_PROGRESS],
        )
    else:
        queryset = _base()
    return TaskFilter(params, queryset=queryset.order_by("due_date", "pk"))


def task_detail(*, pk: int) -> Task:
    task = (
        Task.objects.select_related(
            "request__request_type",
            "request__requester",
            "assignment_group",
            "assignee",
            "template",
            "parent",
            "support_template",
            "resource",
        )
        .prefetch_related(
            Prefetch("journal", queryset=seam.task_journal()),
            Prefetch("attendees", queryset=Client.objects.order_by("last_name", "first_name")),
            Prefetch(
                "support_tasks",
                queryset=Task.objects.select_related("assignment_group", "assignee", "resource"),
            ),
            "assignment_group__members",
        )
        .get(pk=pk)
    )
    seam.journal_with_files(task.journal.all())
    return task


# What a card shows: its number, title, request number, assignee and due date. Loading only
# that, rather than the list pages' five related rows in full, divided the time to build the
# 250 cards by four (70 ms to 18 ms). A card showing more must add it here, or each card would
# cost a query.
KANBAN_FIELDS = (
    "id",
    "title",
    "status",
    "due_date",
    "request__id",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__email",
)

KANBAN_COLUMNS = [
    Task.Status.PENDING,
    Task.Status.OPEN,
    Task.Status.IN_PROGRESS,
    Task.Status.ON_HOLD,
    Task.Status.CLOSED,
]


def kanban(*, user: User, group_id: int | None = None, per_column: int = 50) -> list[dict]:
    """My groups' tasks by status; closed ones from the last 14 days only, the most recently
    closed first."""
    group_ids = list(user.assignment_groups.values_list("pk", flat=True))
    if group_id is not None:
        group_ids = [g for g in group_ids if g == group_id]
    recent = timezone.now() - timedelta(days=14)
    columns = []
    for status in KANBAN_COLUMNS:
        queryset = (
            Task.objects.select_related("request", "assignee")
            .only(*KANBAN_FIELDS)
            .filter(assignment_group_id__in=group_ids, status=status)
        )
        if status == Task.Status.CLOSED:
            # By closing time, which task_recently_closed_idx reads backwards and stops after
            # a page. By due date, PostgreSQL walked the millions of tasks closed before the
            # last 14 days (1.3 s at 4M tasks).
            queryset = queryset.filter(closed_at__gte=recent).order_by("-closed_at", "-pk")
        else:
            queryset = queryset.order_by("due_date", "pk")
        columns.append(
            {
                "status": status,
                "label": Task.Status(status).label,
                "tasks": list(queryset[:per_column]),
            }
        )
    return columns


def task_counts_for(*, user: User) -> dict[str, int]:
    """The agent's open tasks and their groups' unassigned queue (for the home page)."""
    # A subquery, not a list of ids: the page costs the same queries with or without groups.
    group_ids = user.assignment_groups.values("pk")
    # Capped ("999+"): a figure on a page, not a full COUNT over millions of tasks.
    return {
        "my_tasks": capped_count(Task.objects.filter(assignee=user).not_done(), HOME_COUNT_CAP),
        "queue": capped_count(
            Task.objects.filter(
                assignment_group_id__in=group_ids,
                assignee__isnull=True,
                status__in=[Task.Status.OPEN, Task.Status.IN_PROGRESS],
            ),
            HOME_COUNT_CAP,
        ),
    }


def scheduled_support_tasks(
    *,
    users=None,
    group_ids=None,
    start: datetime,
    end: datetime,
) -> list[Task]:
    """The scheduled support tasks (not cancelled) whose time overlaps ``[start, end)``, by
    start: those assigned to one of ``users`` (users or ids) or given to one of the groups
    ``group_ids``; both None: everyone's. Each comes with its resource, assignee, group, parent
    task and attendees: two queries whatever their number."""
    queryset = (
        Task.objects.filter(
            kind=Task.Kind.SUPPORT,
            scheduled_start__lt=end,
            scheduled_end__gt=start,
        )
        .exclude(status=Task.Status.CANCELLED)
        .select_related("resource", "assignee", "assignment_group", "parent", "support_template")
        .prefetch_related(
            Prefetch("attendees", queryset=Client.objects.only("id", "first_name", "last_name"))
        )
        .order_by("scheduled_start", "pk")
    )
    if users is not None or group_ids is not None:
        condition = Q(pk__in=[])
        if users is not None:
            condition |= Q(assignee__in=list(users))
        if group_ids is not None:
            condition |= Q(assignment_group_id__in=list(group_ids))
        queryset = queryset.filter(condition)
    return list(queryset)
