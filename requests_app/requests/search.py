"""How requests are searched for: by number (REQ0000123, 123), by words of the title, by the
requester's name, e-mail or phone, whatever the accents and the case (``crm/search.py``)."""

from django.db.models import QuerySet

from contacts.search import record_condition

from .models import ServiceRequest


def request_search(queryset: QuerySet, q: str, *, requesters=None) -> QuerySet:
    """The requests of ``queryset`` that ``q`` finds (all of them for an empty ``q``);
    ``requesters``: the clients ``q`` finds, when they were read already
    (``contacts.search.requester_ids``)."""
    if not q.strip():
        return queryset
    return queryset.filter(
        record_condition(q, number_prefix=ServiceRequest.NUMBER_PREFIX, requesters=requesters)
    )


def request_ids_matching(q: str) -> QuerySet:
    """The ids of the requests that ``q`` finds, for a subquery of another list (the tasks')."""
    return request_search(ServiceRequest.objects.all(), q).values("pk")
