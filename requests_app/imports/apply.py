"""Applying a checked course grid: one request per (course, term, approach), found again by its
key, each new one with its chain of tasks. Set-based: a handful of bulk queries per thousand rows,
never one save per row, in one transaction.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts.services import clients_by_email, clients_find_or_create_by_email
from crm.bulk import chunks, full_row, insert_with_history, update_with_history
from crm.models import AssignmentGroup, User
from crm.services import notifications_send
from tasks_app.chain import ChainRows

from ..catalogue.models import RequestType
from ..catalogue.selectors import schedules_of
from ..requests.models import ServiceRequest
from .reading import course_grid_check, course_grid_read
from .rows import (
    CHUNK_SIZE,
    HISTORY_REASON,
    LOCK_NAME,
    LOOKUP_CHUNK,
    CourseGridResult,
    PlannedRequest,
    Progress,
)


@dataclass(frozen=True)
class _Existing:
    """What the file is compared with: only the columns the import may change."""

    pk: int
    title: str
    due_date: date | None
    form_data: dict
    requester_email: str


def _existing_requests(keys: list[str]) -> dict[str, _Existing]:
    found: dict[str, _Existing] = {}
    for chunk in chunks(keys, LOOKUP_CHUNK):
        rows = (
            ServiceRequest.objects.filter(external_key__in=chunk)
            .annotate(requester_email=Lower("requester__email"))
            .values_list("external_key", "pk", "title", "due_date", "form_data", "requester_email")
        )
        found.update((key, _Existing(*values)) for key, *values in rows)
    return found


def _notify_groups(opened_per_group: Counter) -> None:
    """One summary per group rather than one notification per task."""
    groups = AssignmentGroup.objects.prefetch_related("members").in_bulk(list(opened_per_group))
    for group_id, count in sorted(opened_per_group.items()):
        group = groups.get(group_id)
        if group is None:
            continue
        notifications_send(
            recipients=group.members.all(),
            title=ngettext(
                "%(count)d new task in your queue (%(group)s)",
                "%(count)d new tasks in your queue (%(group)s)",
                count,
            )
            % {"count": count, "group": group.name},
            body=_("They come from a course-grid import."),
            url=group.get_absolute_url(),
        )


def course_grid_import(
    *,
    data: bytes,
    by: User | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> CourseGridResult:
    """Import a course grid: one request per (course, term, approach), found again by its key.

    A new key creates a submitted request with its chain of tasks (the groups of the open ones
    get one notification each); a known key whose title, due date, form data or requester
    differ updates its request (history kept); nothing is ever deleted. With any rejected row
    nothing is written unless ``skip_invalid``. ``dry_run`` checks and compares, and writes
    nothing: its counts say what the import would do with the valid rows.

    Raises ``CourseGridFileError`` when the file cannot be read as a course grid.
    """
    grid = course_grid_read(data=data)
    types = {t.code.upper(): t for t in RequestType.objects.filter(active=True)}
    planned, rejected = course_grid_check(grid=grid, types=types)
    result = CourseGridResult(
        rejected=len(rejected),
        errors=[(r.line, reason) for r in rejected for reason in r.reasons],
        rejected_rows=rejected,
        total_rows=len(grid.records),
        dry_run=dry_run,
        header=list(grid.header),
        delimiter=grid.delimiter,
    )
    if rejected and not skip_invalid and not dry_run:
        return result

    if dry_run:
        to_create, to_update = _compare(planned)
        _count(result, planned, to_create, to_update)
        return result

    with transaction.atomic():
        # One import at a time, compared inside the lock: two overlapping grids uploaded at once
        # would otherwise both create the same new keys.
        _lock_imports()
        to_create, to_update = _compare(planned)
        _count(result, planned, to_create, to_update)
        if to_create or to_update:
            _apply(result, to_create, to_update, types, by, progress)
            result.applied = True
    return result


def _lock_imports() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [LOCK_NAME])


def _compare(
    planned: list[PlannedRequest],
) -> tuple[list[PlannedRequest], list[tuple[int, PlannedRequest, dict]]]:
    """The requests to create, and those to update (id, plan, merged form data)."""
    existing = _existing_requests([p.key for p in planned])
    to_create: list[PlannedRequest] = []
    to_update: list[tuple[int, PlannedRequest, dict]] = []
    for plan in planned:
        found = existing.get(plan.key)
        if found is None:
            to_create.append(plan)
            continue
        # Keys added to form_data by agents are kept; the file's keys are the file's.
        form_data = {**found.form_data, **plan.form_data}
        if (
            found.title != plan.title
            or found.due_date != plan.due_date
            or form_data != found.form_data
            or found.requester_email != plan.email
        ):
            to_update.append((found.pk, plan, form_data))
    return to_create, to_update


def _count(result: CourseGridResult, planned, to_create, to_update) -> None:
    result.created, result.updated = len(to_create), len(to_update)
    result.unchanged = len(planned) - len(to_create) - len(to_update)


def _apply(result, to_create, to_update, types, by, progress) -> None:
    names: dict[str, str] = {}
    for plan in to_create + [plan for _pk, plan, _data in to_update]:
        names.setdefault(plan.email, plan.name)
    # Teachers are clients found by e-mail address; those not known yet are created in bulk
    # (no login account: one is linked when the person signs up on the portal).
    client_ids = clients_by_email(names)
    missing = {email: name for email, name in names.items() if email not in client_ids}
    client_ids.update(clients_find_or_create_by_email(people=missing, by=by, reason=HISTORY_REASON))
    result.requesters_created = len(missing)

    total = len(to_create) + len(to_update)
    done = 0
    now = timezone.now()
    for chunk in chunks(to_update, CHUNK_SIZE):
        # Locked and read again: an agent's edit of an answer the file does not carry, saved
        # since the rows were compared, is kept, not overwritten by the earlier read.
        requests = ServiceRequest.objects.select_for_update().in_bulk(
            [pk for pk, _plan, _data in chunk]
        )
        for pk, plan, _form_data in chunk:
            request = requests[pk]
            request.title = plan.title
            request.due_date = plan.due_date
            request.form_data = {**request.form_data, **plan.form_data}
            request.requester_id = client_ids[plan.email]
            request.updated_at = now
        update_with_history(
            ServiceRequest,
            list(requests.values()),
            ["title", "due_date", "form_data", "requester", "updated_at"],
            by=by,
            reason=HISTORY_REASON,
        )
        done += len(chunk)
        if progress:
            progress(done / total)

    # The tasks of the new requests, built as the service path builds them (tasks_app.chain
    # says why writing them with COPY is allowed).
    schedules = schedules_of(types.values())
    chain_rows = ChainRows(
        chains={t.pk: (t.chain_template_id, schedules[t.pk]) for t in types.values()},
        start=timezone.localdate(),
        now=now,
    )
    opened = Counter()
    for chunk in chunks(to_create, CHUNK_SIZE):
        rows = [
            full_row(
                ServiceRequest,
                {
                    "requester_id": client_ids[plan.email],
                    "created_by_id": by.pk if by is not None else None,
                    "channel": ServiceRequest.Channel.IMPORT,
                    "request_type_id": plan.request_type_id,
                    "title": plan.title,
                    "form_data": plan.form_data,
                    "due_date": plan.due_date,
                    "external_key": plan.key,
                    "status": ServiceRequest.Status.SUBMITTED,
                },
                now,
            )
            for plan in chunk
        ]
        ids = insert_with_history(ServiceRequest, rows, by=by, reason=HISTORY_REASON)
        tasks = [
            task
            for request_id, plan in zip(ids, chunk, strict=True)
            for task in chain_rows.tasks_of(request_id, plan.request_type_id)
        ]
        chain_rows.write(tasks, by=by, reason=HISTORY_REASON)
        result.tasks_created += len(tasks)
        opened.update(
            t["assignment_group_id"]
            for t in tasks
            if ChainRows.is_open(t) and t["assignment_group_id"]
        )
        done += len(chunk)
        if progress:
            progress(done / total)
    if opened:
        _notify_groups(opened)
