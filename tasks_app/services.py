"""Write use-cases of the work on one task: take, assign, start, hold, resume, close, cancel,
support tasks. Closing and cancelling move the request's chain on (``chain.chain_advance``).
Who may work on a task is decided by tasks_app/permissions.py."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import Conflict, DomainError
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
