"""Reads of the CRM: the agents' client search box, the lists of every record type (filtered,
sorted, exported), saved filters, and the pieces of the global search."""

from collections.abc import Iterator

from django.db.models import QuerySet
from django_tables2 import Table

from crm.search import first_found

from .filters import FILTERS, CRMFilter
from .models import Client, Contact, Partner, SavedFilter
from .record_search import contact_condition, partner_condition
from .search import client_condition
from .tables import LISTS, TABLES


def client_search(*, q: str, limit: int = 20) -> QuerySet:
    """Clients whose first name, last name, "first last", e-mail or phone contain ``q``
    (accents and case ignored on PostgreSQL; a phone matches on its digits, whatever the
    punctuation typed)."""
    q = " ".join(q.split())
    if not q:
        return Client.objects.none()
    found = Client.objects.filter(client_condition(q)).order_by("last_name", "first_name", "pk")
    return first_found(found, limit)


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


def partner_search(*, q: str, limit: int = 20) -> QuerySet:
    """Partners whose name or e-mail holds every word of ``q``, or whose phone holds its digits
    (accents and case ignored on PostgreSQL)."""
    q = " ".join(q.split())
    if not q:
        return Partner.objects.none()
    return first_found(Partner.objects.filter(partner_condition(q)).order_by("name", "pk"), limit)


def contact_search(*, q: str, limit: int = 20) -> QuerySet:
    """Contacts found by name, e-mail or phone digits, with their partner."""
    q = " ".join(q.split())
    if not q:
        return Contact.objects.none()
    found = (
        Contact.objects.select_related("partner")
        .filter(contact_condition(q))
        .order_by("last_name", "first_name", "pk")
    )
    return first_found(found, limit)
