"""How tasks are searched for: by number (TASK0000123 or 123 is that task, REQ0000042 the
tasks of that request), by words of the task's title, and by what finds its request (title,
requester's name, e-mail or phone), whatever the accents and the case (``crm/search.py``)."""

from django.db.models import Q, QuerySet

from crm.search import any_of, contains_all, record_number
from requests_app.requests import seam

from .models import Task


def task_search(queryset: QuerySet, q: str) -> QuerySet:
    """The tasks of ``queryset`` that ``q`` finds (all of them for an empty ``q``)."""
    q = " ".join(q.split())
    if not q:
        return queryset
    number = record_number(q, (Task.NUMBER_PREFIX, seam.REQUEST_NUMBER_PREFIX))
    if number is not None:
        prefix, value = number
        if prefix == seam.REQUEST_NUMBER_PREFIX:
            return queryset.filter(request_id=value)
        return queryset.filter(pk=value)
    branches = [contains_all(("title",), q), Q(request__in=seam.request_ids_matching(q))]
    return queryset.filter(any_of(Task, branches))
