"""Reads of the citizen portal: what is filed for the client linked to the account."""

from contacts.models import Client

from ..incidents.models import Incident
from ..requests.answers import answer_rows
from ..requests.models import JournalEntry, ServiceRequest

# The newest ones; a person files a handful a year.
MY_ITEMS_LIMIT = 100


def client_requests(*, client: Client, limit: int = MY_ITEMS_LIMIT) -> list[ServiceRequest]:
    return list(
        ServiceRequest.objects.filter(requester=client)
        .only("pk", "title", "status", "created_at")
        .order_by("-created_at", "-pk")[:limit]
    )


def client_incidents(*, client: Client, limit: int = MY_ITEMS_LIMIT) -> list[Incident]:
    return list(
        Incident.objects.filter(requester=client)
        .only("pk", "title", "status", "created_at")
        .order_by("-created_at", "-pk")[:limit]
    )


def client_request_page(*, client: Client, pk: int) -> dict:
    """One request of the client, with its answers (under their labels) and the comments of its
    journal: never work notes, never logged calls. Another client's request raises
    ``ServiceRequest.DoesNotExist``."""
    request = (
        ServiceRequest.objects.select_related("request_type")
        .only("pk", "title", "status", "created_at", "form_data", "request_type")
        .get(pk=pk, requester=client)
    )
    comments = list(
        JournalEntry.objects.filter(request=request, kind=JournalEntry.Kind.COMMENT)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    return {"request_obj": request, "answers": answer_rows(request), "comments": comments}
