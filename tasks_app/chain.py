"""The chain engine: a request's tasks, one per step of its type's chain template, and how they
open one after another. The only module of tasks_app that requests_app imports (an
import-linter contract keeps it so); it reaches requests_app through
``requests_app.requests.seam`` alone.

- ``step_task_fields`` says what a new task of a step is: the one place where a step that waits
  for nothing opens at once and the others wait (pending), with a due date counted in working
  days of the request type's calendar.
- ``chain_instantiate`` gives a new request its tasks (the service path: portal, agents, API).
- ``ChainRows`` gives the same tasks as rows to the course-grid import (the bulk path, below).
- ``chain_advance`` opens what is ready after a task closes or is cancelled, and tells
  requests_app when every task is done; ``chain_cancel`` cancels what a cancelled request left.

The bulk path. Statuses change through the state machine's transitions only (``Task.status`` is
a protected ``FSMField``), except here: the course-grid import writes the tasks of thousands of
new requests with PostgreSQL's COPY (``crm.bulk.insert_with_history``), which no transition
sees. That is allowed because a new task has no state to leave: it is born ``open`` or
``pending``, which is an initial state, not a transition. What the import guarantees: its rows
are built by ``step_task_fields``, so a task has the same status, opening time, due date, group
and title as the same step instantiated by ``chain_instantiate``; every row gets its history row
("+", reason "imported", the importing agent); and from then on the tasks change through the
services like any other.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from crm.bulk import full_row, insert_with_history
from crm.business_time import Schedule, add_business_days
from crm.config_cache import kept
from crm.errors import DomainError
from crm.models import AssignmentGroup, User
from crm.services import notifications_send
from crm.workflow import save_recorded
from requests_app.requests import seam

from .dag import depths
from .models import ChainTemplate, Task, TaskTemplate

TASK_STATUSES = Task.Status.choices
_LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


# --- what a new task of a step is ------------------------------------------------------------


@kept
def chain_steps(chain_template_id: int | None) -> tuple[TaskTemplate, ...]:
    """The steps of a chain template with their prerequisites (ids only), in sequence order.
    Kept in the process (``crm.config_cache``): read them, never change them."""
    if chain_template_id is None:
        return ()
    return tuple(
        TaskTemplate.objects.filter(chain_id=chain_template_id)
        .prefetch_related(Prefetch("prerequisites", queryset=TaskTemplate.objects.only("pk")))
        .order_by("sequence")
    )


def step_task_fields(
    template: TaskTemplate, *, schedule: Schedule, start: date, now: datetime
) -> dict:
    """The fields (``{attname: value}``) of the task a new request gets for ``template``, whose
    prerequisites must be prefetched. A step that waits for nothing opens at once; the others
    are pending until their prerequisites are done. The due date is ``due_offset_days`` working
    days of ``schedule`` after ``start``."""
    waits = bool(template.prerequisites.all())
    return {
        "kind": Task.Kind.SERVICE,
        "template_id": template.pk,
        "title": str(template),
        "assignment_group_id": template.assignment_group_id,
        "due_date": add_business_days(schedule, start, template.due_offset_days),
        "status": Task.Status.PENDING if waits else Task.Status.OPEN,
        "opened_at": None if waits else now,
        "visible_to_requester": template.visible_to_requester,
    }


def notify_opened(tasks: Iterable[Task]) -> None:
    """Tell each group's members that work arrived in their queue (in-app now, mail after
    commit). One query reads the members of every group concerned, with the group's name."""
    by_group: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        if task.assignment_group_id:
            by_group[task.assignment_group_id].append(task)
    if not by_group:
        return
    members: dict[int, list[User]] = defaultdict(list)
    names: dict[int, str] = {}
    rows = (
        User.objects.filter(assignment_groups__in=list(by_group), is_active=True)
        .annotate(group_id=F("assignment_groups"), group_name=F("assignment_groups__name"))
        .only("pk", "email", "is_active")
        .order_by("pk")
    )
    for user in rows:
        members[user.group_id].append(user)
        names[user.group_id] = user.group_name
    for group_id, group_tasks in by_group.items():
        if not members[group_id]:
            continue
        for task in group_tasks:
            notifications_send(
                recipients=members[group_id],
                title=_("Task %(number)s is open in the queue of %(group)s")
                % {"number": task.number, "group": names[group_id]},
                body=task.title,
                url=task.get_absolute_url(),
            )


def people_working_on(*, request=None, task=None) -> list[User]:
    """Who is working on ``task``, or on the open tasks of ``request``: each task's assignee,
    or the members of its group while nobody has taken it (to be told that the requester
    wrote)."""
    if task is not None:
        tasks = [task]
    else:
        tasks = list(
            Task.objects.filter(request=request, status__in=Task.OPEN_STATUSES).only(
                "assignee_id", "assignment_group_id"
            )
        )
    assignee_ids = {t.assignee_id for t in tasks if t.assignee_id}
    group_ids = {
        t.assignment_group_id for t in tasks if not t.assignee_id and t.assignment_group_id
    }
    return list(
        User.objects.filter(Q(pk__in=assignee_ids) | Q(assignment_groups__in=group_ids))
        .filter(is_active=True)
        .distinct()
    )


# --- the service path ------------------------------------------------------------------------


@transaction.atomic
def chain_instantiate(
    *, request, schedule: Schedule, by: User | None, start: date | None = None
) -> list[Task]:
    """One task per step of the chain of the request's type (``request.request_type``); the
    groups of the tasks that open at once are notified."""
    now = timezone.now()
    start = start or timezone.localdate()
    tasks = [
        Task(request=request, **step_task_fields(template, schedule=schedule, start=start, now=now))
        for template in chain_steps(request.request_type.chain_template_id)
    ]
    tasks = bulk_create_with_history(
        tasks, Task, default_user=by, custom_historical_attrs={"history_reason_code": "created"}
    )
    notify_opened(t for t in tasks if t.status == Task.Status.OPEN)
    return tasks


# --- the bulk path (course-grid import) ------------------------------------------------------


class ChainRows:
    """The tasks of new requests as rows for ``crm.bulk.insert_with_history``, worked out once
    per request type: the fields ``chain_instantiate`` gives (``step_task_fields``), completed
    with the model's defaults.

    ``chains`` maps a request type's id to its chain template's id and the schedule its due
    dates count on.
    """

    def __init__(
        self, *, chains: dict[int, tuple[int | None, Schedule]], start: date, now: datetime
    ):
        steps: dict[int | None, list[TaskTemplate]] = {}
        self.rows: dict[int, list[dict]] = {}
        for type_id, (chain_id, schedule) in chains.items():
            if chain_id not in steps:
                steps[chain_id] = chain_steps(chain_id)
            self.rows[type_id] = [
                full_row(Task, step_task_fields(t, schedule=schedule, start=start, now=now), now)
                for t in steps[chain_id]
            ]

    def tasks_of(self, request_id: int, request_type_id: int) -> list[dict]:
        return [{**row, "request_id": request_id} for row in self.rows.get(request_type_id, [])]

    @staticmethod
    def is_open(row: dict) -> bool:
        return row["status"] == Task.Status.OPEN

    @staticmethod
    def write(rows: list[dict], *, by: User | None, reason: str) -> list[int]:
        """Insert the rows (COPY on PostgreSQL), each with its history row; the new ids."""
        return insert_with_history(Task, rows, by=by, reason=reason)


# --- moving the chain on ---------------------------------------------------------------------


def chain_advance(*, request, by: User | None, now: datetime) -> list[Task]:
    """Open every pending task of the request whose prerequisites are all closed or cancelled,
    and tell requests_app when every task is done.

    The caller holds the request's row lock (``seam.request_lock``), so two tasks closed at the
    same instant are handled one after the other and a successor opens once.
    """
    tasks = list(
        Task.objects.filter(request_id=request.pk)
        .select_related("template")
        .prefetch_related(
            Prefetch("template__prerequisites", queryset=TaskTemplate.objects.only("pk"))
        )
    )
    status_of_template = {t.template_id: t.status for t in tasks if t.template_id}
    opened = []
    for task in tasks:
        if task.status != Task.Status.PENDING or task.template is None:
            continue
        # A prerequisite step added to the template after this request was created has no task
        # here: it cannot block.
        if all(
            status_of_template.get(p.pk, Task.Status.CLOSED) in Task.DONE_STATUSES
            for p in task.template.prerequisites.all()
        ):
            task.open(when=now)
            save_recorded(task, by=by, reason="prerequisites_done")
            opened.append(task)
    if tasks and all(t.is_done for t in tasks):
        seam.request_all_tasks_done(request=request, by=by, now=now)
    notify_opened(opened)
    return opened


def chain_cancel(*, request, by: User, now: datetime) -> list[Task]:
    """Cancel every task of the (locked) request that is not done."""
    cancelled = list(Task.objects.select_for_update().filter(request_id=request.pk).not_done())
    for task in cancelled:
        task.cancel(when=now)
        save_recorded(task, by=by, reason="request_cancelled")
    return cancelled


# --- reads for the request pages -------------------------------------------------------------


def open_tasks_count() -> Subquery:
    """The number of open tasks (open, in progress or on hold; not pending, not done) of the
    request ``OuterRef("pk")``, for an annotation.

    A subquery on the task index: a COUNT over a join grouped every request with its tasks
    before the newest 50 could be kept (16 s at 1M requests).
    """
    counted = (
        Task.objects.filter(request=OuterRef("pk"), status__in=Task.OPEN_STATUSES)
        .order_by()
        .values("request")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def request_tasks_prefetch() -> Prefetch:
    """The request's tasks with what the chain diagram shows (for ``chain_columns``)."""
    return Prefetch(
        "tasks",
        queryset=Task.objects.select_related("assignment_group", "assignee", "template")
        .prefetch_related(
            Prefetch("template__prerequisites", queryset=TaskTemplate.objects.only("pk"))
        )
        .order_by("template__sequence", "pk"),
    )


def chain_columns(request) -> list[list[dict]]:
    """The request's tasks as columns for drawing: service tasks placed by the depth of their
    step in the chain, each with its support tasks. Uses the prefetched tasks only."""
    tasks = list(request.tasks.all())
    service = [t for t in tasks if t.kind == Task.Kind.SERVICE]
    support_of: dict[int, list[Task]] = {}
    for task in tasks:
        if task.parent_id:
            support_of.setdefault(task.parent_id, []).append(task)
    edges = {
        t.template_id: [p.pk for p in t.template.prerequisites.all()]
        for t in service
        if t.template_id
    }
    depth_of = depths(edges)
    by_template = {t.template_id: t for t in service if t.template_id}
    columns: dict[int, list[dict]] = {}
    for task in service:
        depth = depth_of.get(task.template_id, 0)
        waits_for = [by_template[p] for p in edges.get(task.template_id, []) if p in by_template]
        columns.setdefault(depth, []).append(
            {"task": task, "waits_for": waits_for, "support": support_of.get(task.pk, [])}
        )
    return [columns[d] for d in sorted(columns)]


def requester_steps(request_id: int) -> list[dict]:
    """The steps of a request that its requester sees on the portal: its service tasks whose
    ``visible_to_requester`` is set, in chain order, each as ``{"name", "state", "opened_at",
    "closed_at", "due_date"}`` where ``state`` is ``done``, ``current``, ``upcoming`` or
    ``cancelled``. The name is the step's, in the reader's language. One query."""
    return requester_steps_of([request_id]).get(request_id, [])


def requester_steps_of(request_ids) -> dict[int, list[dict]]:
    """``requester_steps`` of several requests at once, by request id. One query."""
    tasks = (
        Task.objects.filter(
            request_id__in=list(request_ids), kind=Task.Kind.SERVICE, visible_to_requester=True
        )
        .select_related("template")
        .only(
            "pk",
            "request_id",
            "title",
            "status",
            "opened_at",
            "closed_at",
            "due_date",
            "template__name",
            "template__sequence",
            *[f"template__name_{code}" for code in _LANGUAGE_CODES],
        )
        .order_by("request_id", "template__sequence", "due_date", "pk")
    )
    states = {
        Task.Status.CLOSED: "done",
        Task.Status.CANCELLED: "cancelled",
        Task.Status.PENDING: "upcoming",
    }
    found: dict[int, list[dict]] = {}
    for task in tasks:
        found.setdefault(task.request_id, []).append(
            {
                "name": task.template.name if task.template_id else task.title,
                "state": states.get(task.status, "current"),
                "opened_at": task.opened_at,
                "closed_at": task.closed_at,
                "due_date": task.due_date,
            }
        )
    return found


# --- configuration ---------------------------------------------------------------------------


@transaction.atomic
def chain_template_load(*, data: dict) -> ChainTemplate:
    """Create or update a chain template and its steps from a description keyed by natural keys
    (``name``; each step's ``sequence``, ``group`` name and ``prerequisites`` sequences).
    Running it twice changes nothing."""
    groups = {g.name: g for g in AssignmentGroup.objects.all()}
    fields = dict(data)
    steps = fields.pop("steps")
    chain, _created = ChainTemplate.objects.update_or_create(
        name=fields.pop("name"), defaults=fields
    )
    by_sequence = {}
    for step in steps:
        if step["group"] not in groups:
            raise DomainError(_("Unknown assignment group: %(name)s") % {"name": step["group"]})
        values = {k: v for k, v in step.items() if k not in ("sequence", "group", "prerequisites")}
        values["assignment_group"] = groups[step["group"]]
        by_sequence[step["sequence"]], _created = TaskTemplate.objects.update_or_create(
            chain=chain, sequence=step["sequence"], defaults=values
        )
    for step in steps:
        by_sequence[step["sequence"]].prerequisites.set(
            [by_sequence[s] for s in step["prerequisites"]]
        )
    return chain
