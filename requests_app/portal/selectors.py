"""Reads of the citizen portal: what is filed for the client linked to the account, and for the
organisations the account is a member of."""

from contacts.models import Client
from contacts.organisations import organisation_ids_of
from crm.models import User
from crm.selectors import notification_list
from tasks_app import chain

from ..incidents.models import Incident
from ..mail.selectors import with_attachments
from ..requests.answers import answer_rows
from ..requests.models import JournalEntry, RequestAttachment, ServiceRequest
from .status import citizen_status

# The newest ones; a person files a handful a year.
MY_ITEMS_LIMIT = 100


_LIST_FIELDS = (
    "pk",
    "title",
    "status",
    "created_at",
    "due_date",
    "requester",
    "organisation__name",
)


def client_requests(
    *, client: Client, user: User | None = None, limit: int = MY_ITEMS_LIMIT
) -> list[ServiceRequest]:
    """The requests filed for ``client`` and, when ``user`` is given, for the organisations it
    is a member of: the newest ``limit``, each with ``citizen_status``.

    Read as two index scans (the requester's, then the organisations'), each stopped at
    ``limit``, merged here: an OR of both would let PostgreSQL walk the whole table in date
    order. Three queries at most, whatever the number of requests.
    """
    own = list(
        ServiceRequest.objects.filter(requester=client)
        .select_related("organisation")
        .only(*_LIST_FIELDS)
        .order_by("-created_at", "-pk")[:limit]
    )
    theirs = []
    organisation_ids = list(organisation_ids_of(user)) if user is not None else []
    if organisation_ids:
        theirs = list(
            ServiceRequest.objects.filter(organisation_id__in=organisation_ids)
            .exclude(requester=client)
            .select_related("organisation")
            .only(*_LIST_FIELDS)
            .order_by("-created_at", "-pk")[:limit]
        )
    rows = sorted(own + theirs, key=lambda r: (r.created_at, r.pk), reverse=True)[:limit]
    steps = chain.requester_steps_of(row.pk for row in rows)
    for row in rows:
        row.citizen_status = citizen_status(row.status)
        row.next_step, row.expected = _next_step_and_expected(row, steps.get(row.pk, []))
    return rows


def _next_step_and_expected(request: ServiceRequest, steps: list[dict]):
    """The step the requester waits for (the current one, or else the next to come), and the
    day the request is expected by: the date the body gave, or else the day its last step is
    due; none once it is resolved or closed."""
    waiting = [s for s in steps if s["state"] == "current"] or [
        s for s in steps if s["state"] == "upcoming"
    ]
    if request.status in ServiceRequest.FINAL_STATUSES + (ServiceRequest.Status.RESOLVED,):
        return None, None
    open_steps = [s["due_date"] for s in steps if s["due_date"] and s["state"] != "cancelled"]
    expected = request.due_date or (max(open_steps) if open_steps else None)
    return (waiting[0] if waiting else None), expected


def client_incidents(*, client: Client, limit: int = MY_ITEMS_LIMIT) -> list[Incident]:
    return list(
        Incident.objects.filter(requester=client)
        .only("pk", "title", "status", "created_at")
        .order_by("-created_at", "-pk")[:limit]
    )


def portal_request(*, user: User, client: Client, pk: int) -> ServiceRequest:
    """One request ``user`` follows (filed for its client or for one of its organisations);
    ``ServiceRequest.DoesNotExist`` for any other."""
    request = (
        ServiceRequest.objects.select_related("request_type", "organisation", "requester")
        .only(
            "pk",
            "title",
            "status",
            "created_at",
            "due_date",
            "form_data",
            "request_type",
            "organisation",
            "requester",
            "requester__user_id",
        )
        .get(pk=pk)
    )
    if request.requester_id == client.pk:
        return request
    if request.organisation_id is not None and (
        request.organisation_id in set(organisation_ids_of(user))
    ):
        return request
    raise ServiceRequest.DoesNotExist


def client_request_page(*, client: Client, pk: int, user: User | None = None) -> dict:
    """One request the account follows, with its answers (under their labels), its status in
    plain words, the visible steps of its chain, the comments of its journal (never work notes,
    never logged calls) and its documents. Another person's request raises
    ``ServiceRequest.DoesNotExist``. A constant number of queries."""
    if user is None:
        user = client.user
    request = portal_request(user=user, client=client, pk=pk)
    # With the files a reply by e-mail brought (one query more, only when an entry has some).
    comments = with_attachments(
        JournalEntry.objects.filter(request=request, kind=JournalEntry.Kind.COMMENT)
        .select_related("author", "author_client")
        .order_by("created_at", "pk")
    )
    steps = chain.requester_steps(request.pk)
    open_steps = [s["due_date"] for s in steps if s["due_date"] and s["state"] != "cancelled"]
    expected = None
    if request.status not in ServiceRequest.FINAL_STATUSES + (ServiceRequest.Status.RESOLVED,):
        # The date the body gave, or else the day its last step is due.
        expected = request.due_date or (max(open_steps) if open_steps else None)
    return {
        "request_obj": request,
        "citizen_status": citizen_status(request.status),
        "expected": expected,
        "answers": answer_rows(request),
        "steps": steps,
        "comments": comments,
        "attachments": request_attachments(request_id=request.pk),
    }


def request_attachments(*, request_id: int) -> list[RequestAttachment]:
    return list(
        RequestAttachment.objects.filter(request_id=request_id)
        .select_related("uploaded_by")
        .order_by("created_at", "pk")
    )


# The unread notifications the portal's pages show on top.
UNREAD_SHOWN = 5


def unread_notifications(*, user) -> list:
    """What is new for a logged-in person, shown above the catalogue and "My requests"."""
    if not user.is_authenticated:
        return []
    return notification_list(user=user, unread_only=True, limit=UNREAD_SHOWN)
