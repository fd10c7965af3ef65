"""Write use-cases of tasks: the chain engine (open successors, resolve the request) and the
work on one task (take, assign, start, hold, resume, close, cancel, support tasks). Who may
work on a task is decided by tasks_app/permissions.py."""

from collections import defaultdict
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from crm.business_time import add_business_days
from crm.errors import Conflict, DomainError
from crm.models import AssignmentGroup, User
from crm.services import notifications_send
from crm.workflow import save_recorded, transition
from requests_app.models import JournalEntry, ServiceRequest

from . import permissions
from .models import Task, TaskTemplate


def _lock_task(task: Task) -> Task:
    return (
        Task.objects.select_for_update(of=("self",))
        .select_related("assignment_group")
        .get(pk=task.pk)
    )


def _lock_request(request_id: int | None) -> ServiceRequest | None:
    if request_id is None:
        return None
    return ServiceRequest.objects.select_for_update().get(pk=request_id)


def _notify_opened(tasks: list[Task]) -> None:
    """Tell each group's members that work arrived in their queue (in-app now, mail after
    commit)."""
    by_group: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        if task.assignment_group_id:
            by_group[task.assignment_group_id].append(task)
    if not by_group:
        return
    groups = AssignmentGroup.objects.prefetch_related("members").in_bulk(list(by_group))
    for group_id, group_tasks in by_group.items():
        members = list(groups[group_id].members.all())
        for task in group_tasks:
            notifications_send(
                recipients=members,
                title=_("Task %(number)s is open in the queue of %(group)s")
                % {"number": task.number, "group": groups[group_id].name},
                body=task.title,
                url=task.get_absolute_url(),
            )


def tasks_instantiate(
    *, request: ServiceRequest, templates: list[TaskTemplate], start: date, by: User | None
) -> list[Task]:
    """One task per template of the chain: open when it waits for nothing, else pending.

    ``templates`` must come with their prerequisites prefetched.
    """
    now = timezone.now()
    tasks = []
    for template in templates:
        waits = bool(template.prerequisites.all())
        tasks.append(
            Task(
                kind=Task.Kind.SERVICE,
                request=request,
                template=template,
                title=str(template),
                assignment_group_id=template.assignment_group_id,
                due_date=add_business_days(start, template.due_offset_days),
                status=Task.Status.PENDING if waits else Task.Status.OPEN,
                opened_at=None if waits else now,
                visible_to_requester=template.visible_to_requester,
            )
        )
    return bulk_create_with_history(tasks, Task, default_user=by)


def _advance_chain(request: ServiceRequest, *, by: User | None, now) -> list[Task]:
    """Open every pending task whose prerequisites are all done; resolve the request when all
    its tasks are done. The caller holds the request's row lock, so two closes at the same
    instant run one after the other and a successor opens once."""
    tasks = list(
        Task.objects.filter(request=request)
        .select_related("template")
        .prefetch_related("template__prerequisites")
    )
    status_of_template = {t.template_id: t.status for t in tasks if t.template_id}
    opened = []
    for task in tasks:
        if task.status != Task.Status.PENDING or task.template is None:
            continue
        prerequisites = [p.pk for p in task.template.prerequisites.all()]
        # A prerequisite step added to the template after this request was created has no task
        # here: it cannot block.
        if all(
            status_of_template.get(p, Task.Status.CLOSED) in Task.DONE_STATUSES
            for p in prerequisites
        ):
            task.open(when=now)
            save_recorded(task, by=by, reason="prerequisites_done")
            opened.append(task)
    if (
        request.status in ServiceRequest.OPEN_STATUSES
        and tasks
        and all(t.status in Task.DONE_STATUSES for t in tasks)
    ):
        request.resolve(when=now)
        save_recorded(request, by=by, reason="all_tasks_done")
    _notify_opened(opened)
    return opened


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
    request = _lock_request(task.request_id)
    task = _lock_task(task)
    permissions.require_work_on_task(by, task)
    transition(task, "start")
    if task.assignee_id is None:
        task.assignee = by
    save_recorded(task, by=by, reason="started")
    if request is not None and request.status == ServiceRequest.Status.SUBMITTED:
        request.start()
        save_recorded(request, by=by, reason="work_started")
    return task


@transaction.atomic
def task_hold(*, task: Task, by: User, reason: str = "") -> Task:
    task = _lock_task(task)
    permissions.require_work_on_task(by, task)
    transition(task, "hold")
    save_recorded(task, by=by, reason="on_hold", note=reason)
    if reason:
        _journal(task=task, by=by, body=reason)
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
    request = _lock_request(task.request_id)
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
        _journal(task=task, by=by, body=note)
    if request is not None:
        _advance_chain(request, by=by, now=now)
    return task


@transaction.atomic
def task_cancel(*, task: Task, by: User, reason: str = "") -> Task:
    request = _lock_request(task.request_id)
    task = _lock_task(task)
    permissions.require_work_on_task(by, task)
    now = timezone.now()
    transition(task, "cancel", when=now)
    save_recorded(task, by=by, reason="cancelled", note=reason)
    for child in task.support_tasks.exclude(status__in=Task.DONE_STATUSES):
        child.cancel(when=now)
        save_recorded(child, by=by, reason="parent_cancelled")
    if reason:
        _journal(task=task, by=by, body=reason)
    if request is not None:
        _advance_chain(request, by=by, now=now)
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
    _notify_opened([task])
    return task


def _journal(*, task: Task, by: User, body: str) -> JournalEntry:
    return JournalEntry.objects.create(
        task=task,
        request_id=task.request_id,
        kind=JournalEntry.Kind.WORK_NOTE,
        author=by,
        body=body,
    )
