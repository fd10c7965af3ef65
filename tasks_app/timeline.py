"""The to-dos on the timeline of a client, contact or partner (contacts.timeline)."""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.models import Partner
from contacts.timeline import (
    TimelineItem,
    newest_first,
    older_than,
    register,
    target_condition,
)

from .models import Task

# The to-do's words of seed 002 for the task statuses that hold them (tasks_app.services).
TODO_STATUS_LABELS = {
    Task.Status.OPEN: ("not_started", gettext_lazy("not started")),
    Task.Status.IN_PROGRESS: ("in_progress", gettext_lazy("in progress")),
    Task.Status.ON_HOLD: ("waiting", gettext_lazy("waiting")),
    Task.Status.CLOSED: ("completed", gettext_lazy("completed")),
}


def todos(target, limit, before):
    condition = target_condition(target, model=Task)
    if condition is None:
        return []
    rows = newest_first(
        target,
        Task.objects.filter(condition, kind=Task.Kind.TODO)
        .filter(older_than(before, field="created_at", kind="todo"))
        .select_related("assignee", "contact")
        .only(
            "pk",
            "title",
            "status",
            "due_date",
            "created_at",
            "contact_id",
            "contact__first_name",
            "contact__last_name",
            "assignee__first_name",
            "assignee__last_name",
            "assignee__email",
        )
        .order_by("-created_at", "-pk"),
    )[:limit]
    items = []
    for todo in rows:
        context = []
        if todo.contact_id is not None and isinstance(target, Partner):
            context.append(str(todo.contact))
        if todo.due_date:
            context.append(_("due %(date)s") % {"date": date_format(todo.due_date)})
        code, label = TODO_STATUS_LABELS.get(todo.status, (todo.status, todo.get_status_display()))
        items.append(
            TimelineItem(
                when=todo.created_at,
                kind="todo",
                pk=todo.pk,
                title=todo.title,
                url=reverse("tasks:detail", args=[todo.pk]),
                icon="bi-check2-square",
                kind_label=gettext_lazy("to-do"),
                status=label,
                status_code=code,
                context=" · ".join(context),
                who=str(todo.assignee) if todo.assignee_id else "",
            )
        )
    return items


def register_sources() -> None:
    register(todos)
