"""Reads of the citizen portal: what is filed for the client linked to the account, and for the
organisations the account is a member of."""

from django.db.models import Q, QuerySet

from contacts.models import Client
from contacts.organisations import organisation_ids_of
from crm.models import User
from tasks_app import chain

from ..incidents.models import Incident
from ..requests.answers import answer_rows
from ..requests.models import JournalEntry, RequestAttachment, ServiceRequest
from .status import citizen_status

# The newest ones; a person files a handful a year.
MY_ITEMS_LIMIT = 100


def followed_requests(*, user: User, client: Client) -> QuerySet:
    """The requests the portal shows ``user``: those filed for its client, and those filed for
    an organisation it is a member of."""
    return ServiceRequest.objects.filter(
        Q(requester=client) | Q(organisation_id__in=organisation_ids_of(user))
    )


def client_requests(
    *, client: Client, user: User | None = None, limit: int = MY_ITEMS_LIMIT
) -> list[ServiceRequest]:
    """Newest first, each with ``citizen_status``. Two queries (with the organisations)."""
    queryset = (
        followed_requests(user=user, client=client)
        if user is not None
        else ServiceRequest.objects.filter(requester=client)
    )
    rows = list(
        queryset.select_related("organisation")
        .only(
            "pk",
            "title",
            "status",
            "created_at",
            "requester_id",
            "organisation__name",
        )
        .order_by("-created_at", "-pk")[:limit]
    )
    for row in rows:
        row.citizen_status = citizen_status(row.status)
    return rows


def client_incidents(*, client: Client, limit: int = MY_ITEMS_LIMIT) -> list[Incident]:
    return list(
        Incident.objects.filter(requester=client)
        .only("pk", "title", "status", "created_at")
        .order_by("-created_at", "-pk")[:limit]
    )


def portal_request(*, user: User, client: Client, pk: int) -> ServiceRequest:
    """One request ``user`` follows; ``ServiceRequest.DoesNotExist`` for any other."""
    return (
        followed_requests(user=user, client=client)
        .select_related("request_type", "organisation", "requester")
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


def client_request_page(*, client: Client, pk: int, user: User | None = None) -> dict:
    """One request the account follows, with its answers (under their labels), its status in
    plain words, the visible steps of its chain, the comments of its journal (never work notes,
    never logged calls) and its documents. Another person's request raises
    ``ServiceRequest.DoesNotExist``. A constant number of queries."""
    if user is None:
        user = client.user
    request = portal_request(user=user, client=client, pk=pk)
    comments = list(
        JournalEntry.objects.filter(request=request, kind=JournalEntry.Kind.COMMENT)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    return {
        "request_obj": request,
        "citizen_status": citizen_status(request.status),
        "answers": answer_rows(request),
        "steps": chain.requester_steps(request.pk),
        "comments": comments,
        "attachments": request_attachments(request_id=request.pk),
    }


def request_attachments(*, request_id: int) -> list[RequestAttachment]:
    return list(
        RequestAttachment.objects.filter(request_id=request_id)
        .select_related("uploaded_by")
        .order_by("created_at", "pk")
    )
