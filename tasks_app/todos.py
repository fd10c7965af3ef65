"""Reads of the to-dos (seed 002): their list and history, their Kanban, the records a to-do
can concern. Each costs a constant number of queries."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Client, Contact, Partner
from contacts.selectors import client_search, contact_search, partner_search

from .models import Task
from .services import TODO_STATUSES

# The four statuses of seed 002, in the Kanban's order.
TODO_STATUS_LABELS = {
    "not_started": _("not started"),
    "in_progress": _("in progress"),
    "waiting": _("waiting"),
    "completed": _("completed"),
}
STATUS_OF_TASK = {task_status: name for name, task_status in TODO_STATUSES.items()}
KANBAN_DONE_DAYS = 14
KANBAN_COLUMN_LIMIT = 100
TARGET_LIMIT = 8


def todo_status(todo: Task) -> str:
    return STATUS_OF_TASK.get(todo.status, "not_started")


def todos() -> QuerySet:
    return Task.objects.filter(kind=Task.Kind.TODO).select_related(
        "client", "contact", "partner", "assignee", "assignment_group"
    )


def todo_list(
    *,
    user,
    q: str = "",
    status: str = "",
    priority: str = "",
    mine: bool = False,
    history: bool = False,
) -> QuerySet:
    """The to-dos not completed (or, for the history, the completed ones, latest first),
    searched by subject or by the name of what they concern."""
    rows = todos().exclude(status=Task.Status.CANCELLED)
    if history:
        rows = rows.filter(status=Task.Status.CLOSED).order_by("-closed_at", "-pk")
    else:
        rows = rows.exclude(status=Task.Status.CLOSED).order_by("due_date", "pk")
        if status in TODO_STATUSES:
            rows = rows.filter(status=TODO_STATUSES[status])
    if priority in Task.Priority.values:
        rows = rows.filter(priority=priority)
    if mine:
        rows = rows.filter(assignee=user)
    q = " ".join(q.split())
    if q:
        rows = rows.filter(
            Q(title__icontains=q)
            | Q(client__last_name__icontains=q)
            | Q(client__first_name__icontains=q)
            | Q(contact__last_name__icontains=q)
            | Q(partner__name__icontains=q)
        )
    return rows


def todo_kanban(*, user, mine: bool = True) -> list[dict]:
    """The four columns; the completed one holds the last two weeks'. Four queries."""
    since = timezone.now() - dt.timedelta(days=KANBAN_DONE_DAYS)
    columns = []
    for name, task_status in TODO_STATUSES.items():
        rows = todos().filter(status=task_status)
        if mine:
            rows = rows.filter(assignee=user)
        if task_status == Task.Status.CLOSED:
            rows = rows.filter(closed_at__gte=since).order_by("-closed_at", "-pk")
        else:
            rows = rows.order_by("due_date", "pk")
        columns.append(
            {
                "status": name,
                "label": TODO_STATUS_LABELS[name],
                "tasks": list(rows[:KANBAN_COLUMN_LIMIT]),
            }
        )
    return columns


def target_choice(kind: str, record) -> dict:
    labels = {"client": _("client"), "contact": _("contact"), "partner": _("partner")}
    return {"value": f"{kind}:{record.pk}", "kind": kind, "label": labels[kind], "record": record}


def target_search(*, q: str) -> list[dict]:
    """Clients, contacts and partners matching ``q`` (choices of the to-do form), found as the
    CRM's own searches find them (accents and case ignored, on their trigram indexes). Three
    queries."""
    q = " ".join(q.split())
    if not q:
        return []
    found = [target_choice("client", c) for c in client_search(q=q, limit=TARGET_LIMIT)]
    found += [target_choice("contact", c) for c in contact_search(q=q, limit=TARGET_LIMIT)]
    found += [target_choice("partner", p) for p in partner_search(q=q, limit=TARGET_LIMIT)]
    return found


TARGET_MODELS = {"client": Client, "contact": Contact, "partner": Partner}


def target_of(kind: str, pk) -> object | None:
    model = TARGET_MODELS.get(kind)
    if model is None or not str(pk).isdigit() or len(str(pk)) > 18:
        return None
    return model.objects.filter(pk=int(pk)).first()
