"""What tasks_app may ask of requests_app, and the only module of requests_app it imports
(an import-linter contract keeps it so; requests_app reaches tasks_app through
``tasks_app.chain`` alone).

The request stays requests_app's: tasks_app locks it before touching its chain, says when work
started and when every task is done, and requests_app moves its own request (transition and
history here). Journal entries are requests_app's too.
"""

from django.db.models import QuerySet

from crm.models import User
from crm.workflow import save_recorded

from ..catalogue.models import RequestType
from ..mail.selectors import with_attachments
from ..mail.services import replies_mark_seen
from . import search
from .answers import PEOPLE_KEYS
from .journal import journal_add
from .models import JournalEntry, ServiceRequest

# The kinds of journal entries, for forms of tasks_app.
JournalKind = JournalEntry.Kind

# What a request's number starts with (REQ0000042), for the task list's search.
REQUEST_NUMBER_PREFIX = ServiceRequest.NUMBER_PREFIX


def request_ids_matching(q: str) -> QuerySet:
    """The ids of the requests that ``q`` finds by title, requester or number (a subquery),
    for the task list's search."""
    return search.request_ids_matching(q)


def request_lock(request_id: int | None) -> ServiceRequest | None:
    """The request's row, locked until the transaction ends (None for a task of no request).

    Every change to a request's chain runs under this lock, taken before the task's: two tasks
    closed at the same instant are handled one after the other, so a successor opens once.
    """
    if request_id is None:
        return None
    return ServiceRequest.objects.select_for_update().get(pk=request_id)


def request_work_started(*, request: ServiceRequest, by: User) -> None:
    """A task of the (locked) request is in progress: a submitted request is in progress too."""
    if request.status == ServiceRequest.Status.SUBMITTED:
        request.start()
        save_recorded(request, by=by, reason="work_started")


def request_all_tasks_done(*, request: ServiceRequest, by: User | None, now) -> None:
    """Every task of the (locked) request is closed or cancelled: an open request is resolved."""
    if request.status in ServiceRequest.OPEN_STATUSES:
        request.resolve(when=now)
        save_recorded(request, by=by, reason="all_tasks_done")


def task_journal_add(*, task, by: User, kind: str, body: str) -> JournalEntry:
    """A work note or a comment on a task; a comment by an agent notifies the requester."""
    return journal_add(by=by, task=task, kind=kind, body=body)


def task_work_note(*, task, by: User, body: str) -> JournalEntry:
    """The text an agent typed when closing, cancelling or holding a task, kept as a work note."""
    return JournalEntry.objects.create(
        task=task,
        request_id=task.request_id,
        kind=JournalEntry.Kind.WORK_NOTE,
        author=by,
        body=body,
    )


def task_journal() -> QuerySet:
    """Journal entries as a task page shows them (newest first, with their authors)."""
    return JournalEntry.objects.select_related("author", "author_client").order_by("-created_at")


def journal_with_files(entries) -> list:
    """A task page's journal entries, with their attachments (one query, none without any)."""
    return with_attachments(entries)


def request_replies_seen(*, request: ServiceRequest | None, by: User) -> None:
    """A task page was opened: the "new reply" mark of its request is cleared when ``by``
    works on the request (no query when there is no mark)."""
    if request is not None:
        replies_mark_seen(subject_of=request, by=by)


def request_types() -> QuerySet:
    """Request types, for the task list's filter."""
    return RequestType.objects.all()


def request_people(request_id: int | None) -> tuple[int | None, list[tuple[str, str]]]:
    """The requester's client id and the ``(name, e-mail)`` of each person the request's answers
    name (the course's presenters), for the attendees of a support task. ``(None, [])`` for a
    task of no request."""
    if request_id is None:
        return None, []
    row = ServiceRequest.objects.filter(pk=request_id).values_list("requester_id", "form_data")
    found = row.first()
    if found is None:
        return None, []
    requester_id, answers = found
    people = []
    for key in sorted(PEOPLE_KEYS):
        value = (answers or {}).get(key)
        for person in value if isinstance(value, list) else []:
            if isinstance(person, dict) and person.get("email"):
                people.append((str(person.get("name") or ""), str(person["email"])))
    return requester_id, people
