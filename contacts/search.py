"""How a client is searched for: by name, e-mail or phone, whatever the accents and the case
(trigram indexes of ``contacts/migrations/0002_search_indexes.py``; ``crm/search.py`` for the
pieces). The client picker uses it, and so do the request, task and incident lists to find
requesters."""

import re

from django.db.models import Q, QuerySet

from crm.search import contains_all, digits_contain, record_number

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
    condition = contains_all(NAME_FIELDS, q)
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


def record_branches(q: str, *, number_prefix: str, requester: str = "requester") -> list[Q]:
    """What finds a record served to a client (a request, an incident) for ``q``, one condition
    per index, for ``crm.search.any_of``:

    - a number, with the record's prefix or none ("INC0000123", "123"), is that record; with
      no prefix and at least ``PHONE_NUMBER_MIN_DIGITS`` digits, also the records of the
      clients with that phone number;
    - other text is the records whose title holds every word, and the records of the clients
      that ``client_condition`` finds.
    """
    q = " ".join(q.split())
    number = record_number(q, (number_prefix,))
    if number is not None:
        prefix, value = number
        branches = [Q(pk=value)]
        if not prefix:
            phone_owners = clients_matching(q, phone_min_digits=PHONE_NUMBER_MIN_DIGITS)
            branches.append(Q(**{f"{requester}__in": phone_owners}))
        return branches
    return [contains_all(("title",), q), Q(**{f"{requester}__in": clients_matching(q)})]
