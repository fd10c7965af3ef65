"""Reads of the CRM: the agents' client search box, the lists of every record type (filtered,
sorted, exported), saved filters, and the pieces of the global search."""

from collections.abc import Iterator

from django.db.models import QuerySet
from django_tables2 import Table

from crm.search import first_found, first_found_of, ids_found

from .filters import FILTERS, CRMFilter
from .models import Client, Contact, Partner, SavedFilter
from .record_search import contact_condition, partner_condition
from .search import client_condition
from .tables import LISTS, TABLES


def client_search(*, q: str, limit: int = 20, ids=None) -> QuerySet:
    """Clients whose first name, last name, "first last", e-mail or phone contain ``q``
    (accents and case ignored on PostgreSQL; a phone matches on its digits, whatever the
    punctuation typed), sorted by name.

    ``ids``: the ids ``q`` finds, read already (``search.requester_ids``): a list of a few,
    sorted among themselves, or past its cap the newest ``limit`` (``crm.search.first_found_of``).
    """
    q = " ".join(q.split())
    if not q:
        return Client.objects.none()
    found = Client.objects.filter(client_condition(q)).order_by("last_name", "first_name", "pk")
    return first_found(found, limit) if ids is None else first_found_of(found, limit, ids)


# --- The CRM's lists, their exports and saved filters, and the global search's pieces -------

EXPORT_CHUNK = 2000


def crm_list(*, kind: str, user, params) -> CRMFilter:
    """The list of ``kind`` (a record type of ``RECORD_TYPES``) as filtered by ``params`` (the
    query string): its ``qs`` reads, with each row, the related rows the list shows."""
    spec = LISTS[kind]
    queryset = spec.model.objects.select_related(*spec.related)
    return FILTERS[kind](params, queryset=queryset, user=user)


def crm_table(*, kind: str, queryset: QuerySet, sort=()) -> Table:
    """The list's table over ``queryset``, sorted by the ``?sort=`` columns (unknown ones are
    ignored); ``table.data.data`` is then the sorted queryset."""
    table = TABLES[kind](queryset)
    if sort:
        table.order_by = sort
    return table


def crm_export_rows(*, kind: str, queryset: QuerySet) -> Iterator[list[str]]:
    """The CSV rows of ``queryset``, read in chunks (a streamed export holds one chunk)."""
    spec = LISTS[kind]
    for record in queryset.iterator(chunk_size=EXPORT_CHUNK):
        yield spec.csv_row(record)


def saved_filters_of(*, user, list_name: str) -> QuerySet:
    return SavedFilter.objects.filter(user=user, list_name=list_name).order_by("name", "pk")


def _first(found: QuerySet, limit: int, cap: int | None) -> QuerySet:
    """``first_found``; with a ``cap``, the few found sorted, or past it the newest
    (``crm.search.first_found_of``): one query more, but none that sorts every match."""
    if cap is None:
        return first_found(found, limit)
    return first_found_of(found, limit, ids_found(found, cap))


def partner_search(*, q: str, limit: int = 20, cap: int | None = None) -> QuerySet:
    """Partners whose name or e-mail holds every word of ``q``, or whose phone holds its digits
    (accents and case ignored on PostgreSQL), sorted by name (``cap``: see ``_first``)."""
    q = " ".join(q.split())
    if not q:
        return Partner.objects.none()
    return _first(Partner.objects.filter(partner_condition(q)).order_by("name", "pk"), limit, cap)


def contact_search(*, q: str, limit: int = 20, cap: int | None = None) -> QuerySet:
    """Contacts found by name, e-mail or phone digits, with their partner, sorted by name
    (``cap``: see ``_first``)."""
    q = " ".join(q.split())
    if not q:
        return Contact.objects.none()
    found = (
        Contact.objects.select_related("partner")
        .filter(contact_condition(q))
        .order_by("last_name", "first_name", "pk")
    )
    return _first(found, limit, cap)
