"""Write use-cases of the work on one task: take, assign, start, hold, resume, close, cancel,
support tasks. Closing and cancelling move the request's chain on (``chain.chain_advance``).
Who may work on a task is decided by tasks_app/permissions.py."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import Conflict, DomainError, NotAllowed
from crm.models import AssignmentGroup, User
from crm.workflow import save_recorded, transition
from requests_app.requests import seam

from . import permissions
from .chain import chain_advance, notify_opened
from .models import Task


def _lock_task(task: Task) -> Task:
    return (
        Task.objects.select_for_update(of=("self",))
        .select_related("assignment_group")
        .get(pk=task.pk)
    )


@transaction.atomic
def task_take(*, task: Task, by: User) -> Task:
    """Assign the task to oneself. Exactly one of several agents taking it at once wins; the
    others are told who has it."""
    task = _lock_task(task)
    permissions.require_work_on_task(by, task)
    if task.is_done:
        raise DomainError(_("This task is already finished."))
    if task.assignee_id == by.pk:
        return task
    if task.assignee_id is not None:
        raise Conflict(_("%(name)s has already taken this task.") % {"name": task.assignee})
    task.assignee = by
    save_recorded(task, by=by, reason="taken")
    return task


@transaction.atomic
def task_assign(*, task: Task, assignee: User | None, by: User) -> Task:
    task = _lock_task(task)
    permissions.require_work_on_task(by, task)
    if task.is_done:
        raise DomainError(_("This task is already finished."))
    if assignee is not None and not permissions.can_work_on_task(assignee, task):
        raise DomainError(
            _("%(name)s is not a member of the group %(group)s.")
            % {"name": assignee, "group": task.assignment_group}
        )
    task.assignee = assignee
    save_recorded(task, by=by, reason="assigned")
    return task


@transaction.atomic
def task_start(*, task: Task, by: User) -> Task:
    request = seam.request_lock(task.request_id)
    task = _lock_task(task)
    permissions.require_work_on_task(by, task)
    transition(task, "start")
    if task.assignee_id is None:
        task.assignee = by
    save_recorded(task, by=by, reason="started")
    if request is not None:
        seam.request_work_started(request=request, by=by)
    return task


@transaction.atomic
def task_hold(*, task: Task, by: User, reason: str = "") -> Task:
    task = _lock_task(task)
    permissions.require_work_on_task(by, task)
    transition(task, "hold")
    save_recorded(task, by=by, reason="on_hold", note=reason)
    if reason:
        seam.task_work_note(task=task, by=by, body=reason)
    return task


@transaction.atomic
def task_resume(*, task: Task, by: User) -> Task:
    task = _lock_task(task)
    permissions.require_work_on_task(by, task)
    transition(task, "resume")
    save_recorded(task, by=by, reason="resumed")
    return task


@transaction.atomic
def task_close(*, task: Task, by: User, note: str = "") -> Task:
    """Close the task, then open the successors whose prerequisites are all done and resolve
    the request when nothing is left."""
    request = seam.request_lock(task.request_id)
    task = _lock_task(task)
    permissions.require_work_on_task(by, task)
    if task.support_tasks.exclude(status__in=Task.DONE_STATUSES).exists():
        raise DomainError(_("Close or cancel its support tasks first."))
    now = timezone.now()
    transition(task, "close", when=now)
    if task.assignee_id is None:
        task.assignee = by
    save_recorded(task, by=by, reason="closed")
    if note:
        seam.task_work_note(task=task, by=by, body=note)
    if request is not None:
        chain_advance(request=request, by=by, now=now)
    return task


@transaction.atomic
def task_cancel(*, task: Task, by: User, reason: str = "") -> Task:
    request = seam.request_lock(task.request_id)
    task = _lock_task(task)
    permissions.require_work_on_task(by, task)
    now = timezone.now()
    transition(task, "cancel", when=now)
    save_recorded(task, by=by, reason="cancelled", note=reason)
    for child in task.support_tasks.exclude(status__in=Task.DONE_STATUSES):
        child.cancel(when=now)
        save_recorded(child, by=by, reason="parent_cancelled")
    if reason:
        seam.task_work_note(task=task, by=by, body=reason)
    if request is not None:
        chain_advance(request=request, by=by, now=now)
    return task


@transaction.atomic
def support_task_create(
    *,
    parent: Task,
    by: User,
    title: str,
    assignment_group: AssignmentGroup,
    description: str = "",
    assignee: User | None = None,
    due_date: date | None = None,
) -> Task:
    """A support task (TASK) under a service task, open at once in its group's queue."""
    parent = _lock_task(parent)
    permissions.require_work_on_task(by, parent)
    if parent.is_done:
        raise DomainError(_("This task is already finished."))
    if parent.kind != Task.Kind.SERVICE:
        raise DomainError(_("Support tasks are created under a service task."))
    if not title.strip():
        raise DomainError(_("A title is required."))
    task = Task(
        kind=Task.Kind.SUPPORT,
        request_id=parent.request_id,
        parent=parent,
        title=title.strip(),
        description=description,
        assignment_group=assignment_group,
        assignee=assignee,
        due_date=due_date or parent.due_date,
        status=Task.Status.OPEN,
        opened_at=timezone.now(),
        visible_to_requester=False,
    )
    if assignee is not None and not permissions.can_work_on_task(assignee, task):
        raise DomainError(
            _("%(name)s is not a member of the group %(group)s.")
            % {"name": assignee, "group": assignment_group}
        )
    task.full_clean()
    save_recorded(task, by=by, reason="support_task_created")
    notify_opened([task])
    return task


# --- To-dos (seed 002): tasks of kind to-do, linked to one client, contact or partner --------

# The to-do's four statuses of seed 002 and the task statuses that hold them.
TODO_STATUSES = {
    "not_started": Task.Status.OPEN,
    "in_progress": Task.Status.IN_PROGRESS,
    "waiting": Task.Status.ON_HOLD,
    "completed": Task.Status.CLOSED,
}
# The transitions that lead from one status to another, in order (a to-do moves between any
# two columns of its Kanban; the path goes through the state machine's legal moves).
_TODO_PATHS = {
    (Task.Status.OPEN, Task.Status.IN_PROGRESS): ["start"],
    (Task.Status.OPEN, Task.Status.ON_HOLD): ["start", "hold"],
    (Task.Status.OPEN, Task.Status.CLOSED): ["close"],
    (Task.Status.IN_PROGRESS, Task.Status.ON_HOLD): ["hold"],
    (Task.Status.IN_PROGRESS, Task.Status.CLOSED): ["close"],
    (Task.Status.ON_HOLD, Task.Status.IN_PROGRESS): ["resume"],
    (Task.Status.ON_HOLD, Task.Status.CLOSED): ["close"],
}
TODO_FIELDS = (
    "title",
    "description",
    "client",
    "contact",
    "partner",
    "assignee",
    "assignment_group",
    "start_date",
    "due_date",
    "priority",
)


def _require_change_todo(by: User, todo: Task) -> None:
    if not permissions.can_change_todo(by, todo):
        raise NotAllowed(_("You may not change this to-do."))


@transaction.atomic
def todo_create(*, by: User | None, status: str = "not_started", **fields) -> Task:
    """A to-do: ``fields`` among ``TODO_FIELDS``; ``status`` one of ``TODO_STATUSES``."""
    if by is not None and not permissions.can_plan_todo(by):
        raise NotAllowed(_("You may not plan to-dos."))
    unknown = set(fields) - set(TODO_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    now = timezone.now()
    todo = Task(kind=Task.Kind.TODO, status=Task.Status.OPEN, opened_at=now, **fields)
    if todo.assignee_id is None and by is not None:
        todo.assignee = by
    todo.full_clean()
    save_recorded(todo, by=by, reason="created")
    if status != "not_started":
        _todo_move(todo, status=status, by=by, now=now)
    return todo


@transaction.atomic
def todo_update(*, todo: Task, by: User, **fields) -> Task:
    """Change the given fields of a to-do (also its dates when dragged on the calendar)."""
    todo = _lock_task(todo)
    if todo.kind != Task.Kind.TODO:
        raise DomainError(_("This task is not a to-do."))
    _require_change_todo(by, todo)
    unknown = set(fields) - set(TODO_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    for name, value in fields.items():
        setattr(todo, name, value)
    todo.full_clean()
    save_recorded(todo, by=by, reason="edited", update_fields=[*fields, "updated_at"])
    return todo


@transaction.atomic
def todo_set_status(*, todo: Task, by: User, status: str) -> Task:
    """Move a to-do to one of its four statuses (the to-do Kanban's drop)."""
    todo = _lock_task(todo)
    if todo.kind != Task.Kind.TODO:
        raise DomainError(_("This task is not a to-do."))
    _require_change_todo(by, todo)
    if status not in TODO_STATUSES:
        raise DomainError(_("Unknown status."))
    _todo_move(todo, status=status, by=by, now=timezone.now())
    return todo


def _todo_move(todo: Task, *, status: str, by, now) -> None:
    target = TODO_STATUSES[status]
    if todo.status == target:
        return
    if todo.status == Task.Status.CLOSED:
        # A completed to-do taken up again: reopened as not started, then moved on.
        todo.closed_at = None
        Task.objects.filter(pk=todo.pk).update(status=Task.Status.OPEN, closed_at=None)
        todo.refresh_from_db()
        save_recorded(todo, by=by, reason="reopened", update_fields=["updated_at"])
        if target == Task.Status.OPEN:
            return
    path = _TODO_PATHS.get((todo.status, target))
    if path is None:
        # On hold or in progress back to "not started": the state machine has no such move.
        Task.objects.filter(pk=todo.pk).update(status=target)
        todo.refresh_from_db()
        save_recorded(todo, by=by, reason="edited", update_fields=["updated_at"])
        return
    reasons = {"start": "started", "hold": "on_hold", "resume": "resumed", "close": "closed"}
    for name in path:
        kwargs = {"when": now} if name == "close" else {}
        transition(todo, name, **kwargs)
        save_recorded(todo, by=by, reason=reasons[name])
