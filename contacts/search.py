"""How a client is searched for: by name, e-mail or phone, whatever the accents and the case
(trigram indexes of ``contacts/migrations/0002_search_indexes.py``; ``crm/search.py`` for the
pieces). The client picker uses it, and so do the request, task and incident lists to find
requesters."""

import re

from django.db.models import Q, QuerySet

from crm.search import (
    contains_all,
    digits_contain,
    ids_found,
    in_values,
    indexed,
    record_number,
    words_contained,
)

from .models import Client

# A query with at least this many digits, and nothing but what phone numbers are written
# with, is also looked for in phone numbers.
PHONE_MIN_DIGITS = 3
_PHONE_SHAPED = re.compile(r"^[\d\s().+/-]+$")

NAME_FIELDS = ("first_name", "last_name", "email")


def phone_digits(q: str, *, min_digits: int = PHONE_MIN_DIGITS) -> str | None:
    """The digits of a query written like a phone number, or None."""
    if not _PHONE_SHAPED.match(q):
        return None
    digits = re.sub(r"\D", "", q)
    return digits if len(digits) >= min_digits else None


def client_condition(q: str, *, phone_min_digits: int = PHONE_MIN_DIGITS) -> Q:
    """Clients each of whose words is in the first name, the last name or the e-mail ("Léa
    Roy", "lea", "roy@ex"), or whose phone contains the digits of a phone-shaped query."""
    q = " ".join(q.split())
    if not q:
        return Q(pk__in=[])
    # On PostgreSQL the three columns are compared as the one text that stores them folded.
    condition = words_contained("search_folded", q) if indexed() else contains_all(NAME_FIELDS, q)
    digits = phone_digits(q, min_digits=phone_min_digits)
    if digits:
        condition |= digits_contain("phone", digits)
    return condition


def clients_matching(q: str, *, phone_min_digits: int = PHONE_MIN_DIGITS) -> QuerySet:
    """The ids of the clients ``client_condition`` finds, for a subquery."""
    return Client.objects.filter(client_condition(q, phone_min_digits=phone_min_digits)).values(
        "pk"
    )


# An unprefixed number this long may be a phone number too: the requester's is searched.
PHONE_NUMBER_MIN_DIGITS = 7

# Up to this many clients found, a record's search names their ids; beyond, it asks for the
# clients with a subquery.
REQUESTER_IDS_CAP = 5000


def requester_ids(q: str, *, phone_min_digits: int = PHONE_MIN_DIGITS) -> list[int] | QuerySet:
    """The clients ``client_condition`` finds, for ``requester__in``: their ids (one query, at
    most ``REQUESTER_IDS_CAP + 1`` ids read) when there are few, else the subquery.

    A list of ids lets PostgreSQL choose, for a list searched by ``record_condition``, between
    reading the list in its order and keeping the rows that match (a common word: the page is
    found after a few thousand rows) and adding up the indexes' rows (a rare word: the title's
    trigrams OR the requester index for these ids). With a subquery in the OR it has the first
    plan only, which reads every row for a rare word."""
    return ids_found(clients_matching(q, phone_min_digits=phone_min_digits), REQUESTER_IDS_CAP)


def record_condition(
    q: str, *, number_prefix: str, requester: str = "requester", requesters=None
) -> Q:
    """What finds a record served to a client (a request, an incident) for ``q``, as one
    condition (one query first reads the requesters found, ``requester_ids``):

    - a number, with the record's prefix or none ("INC0000123", "123"), is that record; with
      no prefix and at least ``PHONE_NUMBER_MIN_DIGITS`` digits, also the records of the
      clients with that phone number;
    - other text is the records whose title holds every word (compared on the record's stored
      ``title_folded``, ``crm.search.folded_column``), and the records of the clients that
      ``client_condition`` finds (``requesters``, when they were read already:
      ``requester_ids(q)``).
    """
    q = " ".join(q.split())
    number = record_number(q, (number_prefix,))
    if number is not None:
        prefix, value = number
        condition = Q(pk=value)
        if not prefix:
            owners = requester_ids(q, phone_min_digits=PHONE_NUMBER_MIN_DIGITS)
            condition |= in_values(requester, owners)
        return condition
    titles = contains_all(("title",), q, folded={"title": "title_folded"})
    if requesters is None:
        requesters = requester_ids(q)
    return titles | in_values(requester, requesters)
