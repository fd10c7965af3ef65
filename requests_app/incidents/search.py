"""How incidents are searched for: by number (INC0000123, 123), by words of the title, by the
requester's name, e-mail or phone, whatever the accents and the case (``crm/search.py``)."""

from django.db.models import QuerySet

from contacts.search import record_branches
from crm.search import any_of

from .models import Incident


def incident_search(queryset: QuerySet, q: str) -> QuerySet:
    """The incidents of ``queryset`` that ``q`` finds (all of them for an empty ``q``)."""
    if not q.strip():
        return queryset
    branches = record_branches(q, number_prefix=Incident.NUMBER_PREFIX)
    return queryset.filter(any_of(Incident, branches))
