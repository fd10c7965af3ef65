"""Write use-cases of the work on one task: take, assign, start, hold, resume, close, cancel,
support tasks. Closing and cancelling move the request's chain on (``chain.chain_advance``).
Who may work on a task is decided by tasks_app/permissions.py."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from contacts.models import Client
from contacts.services import clients_by_email
from crm.errors import Conflict, DomainError, NotAllowed
from crm.models import AssignmentGroup, User
from crm.workflow import save_recorded, transition
from requests_app.requests import seam

from . import permissions
from .chain import chain_advance, notify_opened
from .models import BookableResource, SupportTaskTemplate, Task

# The exclusion constraint of migration 0008 (PostgreSQL): no resource booked twice at once.
BOOKING_CONSTRAINT = "task_resource_no_double_booking"


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
    title: str = "",
    assignment_group: AssignmentGroup | None = None,
    description: str = "",
    assignee: User | None = None,
    due_date: date | None = None,
    support_template: SupportTaskTemplate | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    resource: BookableResource | None = None,
    place: str = "",
    virtual_room_url: str = "",
    attendees: Iterable[Client] | None = None,
) -> Task:
    """A support task (TASK) under a service task, open at once in its group's queue.

    From a template (``support_template``), what is not given comes from it: the title (its
    name), the group, its instructions (put before the description typed), and the end of a
    scheduled task (``start`` plus its default duration). With a ``start`` the task is
    scheduled at once (see ``support_task_schedule``); its attendees default to the request's
    requester and the course's presenters who are clients."""
    parent = _lock_task(parent)
    permissions.require_work_on_task(by, parent)
    if parent.is_done:
        raise DomainError(_("This task is already finished."))
    if parent.kind != Task.Kind.SERVICE:
        raise DomainError(_("Support tasks are created under a service task."))
    if support_template is not None:
        if not support_template.active:
            raise ValidationError(
                {"support_template": _("This template is no longer in use: choose another.")}
            )
        title = title.strip() or support_template.name
        assignment_group = assignment_group or support_template.assignment_group
        description = "\n\n".join(
            text for text in (support_template.instructions.strip(), description.strip()) if text
        )
        if start is not None and end is None:
            end = start + timedelta(minutes=support_template.default_duration_minutes)
    if not title.strip():
        raise DomainError(_("A title is required."))
    if assignment_group is None:
        raise DomainError(_("Choose an assignment group or a template."))
    task = Task(
        kind=Task.Kind.SUPPORT,
        request_id=parent.request_id,
        parent=parent,
        support_template=support_template,
        title=title.strip(),
        description=description,
        assignment_group=assignment_group,
        assignee=assignee,
        due_date=due_date or (start and timezone.localdate(start)) or parent.due_date,
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
    if start is not None or end is not None:
        if attendees is None:
            attendees = support_attendees_default(task)
        _schedule(
            task,
            by=by,
            start=start,
            end=end,
            resource=resource,
            place=place,
            virtual_room_url=virtual_room_url,
            attendees=attendees,
        )
    elif resource is not None:
        raise ValidationError({"start": _("A resource is booked for a start and an end.")})
    notify_opened([task])
    return task


def support_attendees_default(task: Task) -> list[Client]:
    """Who a support task is for, by default: the request's requester and the people its
    answers name (the course's presenters) who are clients, found by e-mail address."""
    requester_id, people = seam.request_people(task.request_id)
    ids = [requester_id] if requester_id else []
    found = clients_by_email(email for _name, email in people)
    ids += [
        found[email.strip().lower()] for _name, email in people if email.strip().lower() in found
    ]
    return list(Client.objects.filter(pk__in=ids).order_by("last_name", "first_name", "pk"))


def _slot_text(start: datetime, end: datetime) -> dict:
    start, end = timezone.localtime(start), timezone.localtime(end)
    return {
        "day": date_format(start, "DATE_FORMAT"),
        "start": time_format(start, "TIME_FORMAT"),
        "end": time_format(end, "TIME_FORMAT")
        if start.date() == end.date()
        else date_format(end, "SHORT_DATETIME_FORMAT"),
    }


def _booked_error(resource: BookableResource, start: datetime, end: datetime, *, exclude: int):
    """The refusal of an overlapping booking, naming the slot already taken."""
    taken = (
        Task.objects.filter(resource=resource, scheduled_start__lt=end, scheduled_end__gt=start)
        .exclude(status=Task.Status.CANCELLED)
        .exclude(pk=exclude)
        .order_by("scheduled_start")
        .values_list("scheduled_start", "scheduled_end")
        .first()
    )
    slot = _slot_text(*(taken or (start, end)))
    return ValidationError(
        {
            "resource": _(
                "%(resource)s is already booked on %(day)s from %(start)s to %(end)s: "
                "choose another time or another resource."
            )
            % {"resource": resource, **slot}
        },
        code="double_booking",
    )


def _is_double_booking(error: IntegrityError) -> bool:
    cause = error.__cause__
    return BOOKING_CONSTRAINT in str(error) or (
        cause is not None
        and getattr(getattr(cause, "diag", None), "constraint_name", "") == BOOKING_CONSTRAINT
    )


def _schedule(task, *, by, start, end, resource, place, virtual_room_url, attendees) -> Task:
    errors = {}
    if start is None:
        errors["start"] = _("Give the start.")
    if end is None:
        errors["end"] = _("Give the end.")
    elif start is not None and end <= start:
        errors["end"] = _("The end must come after the start.")
    if resource is not None and not resource.active:
        errors["resource"] = _("This resource can no longer be booked.")
    if errors:
        raise ValidationError(errors)
    if resource is not None:
        # The check that SQLite relies on; on PostgreSQL the exclusion constraint settles a
        # race between two bookings that both passed it.
        overlapping = (
            Task.objects.filter(resource=resource, scheduled_start__lt=end, scheduled_end__gt=start)
            .exclude(status=Task.Status.CANCELLED)
            .exclude(pk=task.pk)
        )
        if overlapping.exists():
            raise _booked_error(resource, start, end, exclude=task.pk)
        place = place or resource.location
        virtual_room_url = virtual_room_url or resource.url
    task.scheduled_start, task.scheduled_end = start, end
    task.resource, task.place, task.virtual_room_url = resource, place.strip(), virtual_room_url
    task.full_clean()
    try:
        with transaction.atomic():
            save_recorded(
                task,
                by=by,
                reason="edited",
                update_fields=[*SCHEDULE_FIELDS, "updated_at"],
            )
    except IntegrityError as error:
        if resource is not None and _is_double_booking(error):
            raise _booked_error(resource, start, end, exclude=task.pk) from error
        raise
    task.attendees.set(attendees)
    return task


SCHEDULE_FIELDS = ("scheduled_start", "scheduled_end", "resource", "place", "virtual_room_url")


@transaction.atomic
def support_task_schedule(
    *,
    task: Task,
    by: User,
    start: datetime,
    end: datetime,
    resource: BookableResource | None = None,
    place: str = "",
    virtual_room_url: str = "",
    attendees: Iterable[Client] = (),
) -> Task:
    """Schedule (or reschedule) a support task: when, where (a resource booked, a place, a
    link to a virtual room) and with whom. ``ValidationError`` names the field of each problem:
    an end before the start, a resource no longer in use, a resource already booked for an
    overlapping time (also when another agent booked it an instant before: one of two
    simultaneous bookings wins, the other is refused)."""
    task = _lock_task(task)
    permissions.require_work_on_task(by, task)
    if task.kind != Task.Kind.SUPPORT:
        raise DomainError(_("Only support tasks are scheduled."))
    if task.is_done:
        raise DomainError(_("This task is already finished."))
    return _schedule(
        task,
        by=by,
        start=start,
        end=end,
        resource=resource,
        place=place,
        virtual_room_url=virtual_room_url,
        attendees=attendees,
    )


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
