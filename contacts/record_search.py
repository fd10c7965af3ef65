"""How each CRM list is searched for, as you type: by its own words (names, e-mail, subject,
title, number), by the digits of its phone numbers, and by what finds the client, contact or
partner a record is linked to. Accents and case are ignored on PostgreSQL, through the trigram
indexes of ``contacts/migrations/0002_search_indexes.py`` and ``0005_crm_search_indexes.py``
(``crm/search.py`` for the pieces); elsewhere ``icontains``.

A condition that crosses tables (a call found by its client's name) is built with
``crm.search.any_of``: each branch is answered by its own index, and the few ids found are
joined to the list."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from crm.search import any_of, contains_all, digits_contain, indexed, words_contained

from .models import Contact, Partner
from .search import client_condition, clients_matching, phone_digits


@dataclass(frozen=True)
class SearchSpec:
    # Columns whose words are searched (each word of the query in one of them).
    words: tuple[str, ...] = ()
    # Phone columns, compared on their digits for a query written like a phone number.
    phones: tuple[str, ...] = ()
    # Foreign keys to clients, contacts or partners whose search also finds the record.
    through: tuple[str, ...] = ()
    # The stored column holding ``words`` folded as one text (``folded_words_column``),
    # compared instead of them on PostgreSQL.
    folded: str = ""


SEARCHES: dict[str, SearchSpec] = {
    "partner": SearchSpec(words=("name", "email"), phones=("phone",), folded="search_folded"),
    "contact": SearchSpec(
        words=("first_name", "last_name", "email"),
        phones=("phone", "mobile"),
        folded="search_folded",
    ),
    "call": SearchSpec(words=("subject",), through=("client", "contact", "partner")),
    "meeting": SearchSpec(words=("subject",), through=("client", "contact", "partner")),
    "note": SearchSpec(words=("subject",), through=("client", "contact", "partner")),
    "document": SearchSpec(words=("title",), through=("client", "contact", "partner")),
    "programenrolment": SearchSpec(words=("program__name",), through=("client", "partner")),
    "servicerecord": SearchSpec(
        words=("activity_number", "service__name"), through=("client", "partner")
    ),
    "saefile": SearchSpec(words=("file_identifier",), through=("client",)),
}


def own_condition(spec: SearchSpec, q: str) -> Q:
    """The record's own columns: every word in one of ``spec.words``, or its phone digits."""
    if spec.folded and indexed():
        condition = words_contained(spec.folded, q)
    else:
        condition = contains_all(spec.words, q) if spec.words else Q(pk__in=[])
    digits = phone_digits(q)
    if digits:
        for field in spec.phones:
            condition |= digits_contain(field, digits)
    return condition


def partner_condition(q: str) -> Q:
    return own_condition(SEARCHES["partner"], " ".join(q.split()))


def contact_condition(q: str) -> Q:
    return own_condition(SEARCHES["contact"], " ".join(q.split()))


MATCHING = {
    "client": clients_matching,
    "contact": lambda q: Contact.objects.filter(contact_condition(q)).values("pk"),
    "partner": lambda q: Partner.objects.filter(partner_condition(q)).values("pk"),
}


def record_search(kind: str, queryset: QuerySet, q: str) -> QuerySet:
    """The rows of ``queryset`` (a list of ``kind``, as in ``RECORD_TYPES``) that ``q`` finds;
    all of them for an empty ``q``."""
    q = " ".join(q.split())
    if not q:
        return queryset
    if kind == "client":
        return queryset.filter(client_condition(q))
    spec = SEARCHES[kind]
    if not spec.through:
        return queryset.filter(own_condition(spec, q))
    branches = [own_condition(spec, q)]
    branches += [Q(**{f"{name}__in": MATCHING[name](q)}) for name in spec.through]
    return queryset.filter(any_of(queryset.model, branches))
