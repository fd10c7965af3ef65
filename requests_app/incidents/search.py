"""How incidents are searched for: by number (INC0000123, 123), by words of the title, by the
requester's name, e-mail or phone, whatever the accents and the case (``crm/search.py``)."""

from django.db.models import QuerySet

from contacts.search import record_condition

from .models import Incident


def incident_search(queryset: QuerySet, q: str, *, requesters=None) -> QuerySet:
    """The incidents of ``queryset`` that ``q`` finds (all of them for an empty ``q``);
    ``requesters``: the clients ``q`` finds, when they were read already
    (``contacts.search.requester_ids``)."""
    if not q.strip():
        return queryset
    return queryset.filter(
        record_condition(q, number_prefix=Incident.NUMBER_PREFIX, requesters=requesters)
    )
