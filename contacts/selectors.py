"""Reads of clients: the agents' search box."""

import re

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Replace

from .models import Client

# A query with at least this many digits is also looked for in phone numbers.
PHONE_MIN_DIGITS = 3


# What people type between the digits of a phone number. Removed with REPLACE, which every
# database has (SQLite has no REGEXP_REPLACE).
PHONE_PUNCTUATION = (" ", "-", ".", "(", ")", "+", "/")


def _digits_only(expression):
    for character in PHONE_PUNCTUATION:
        expression = Replace(expression, Value(character), Value(""))
    return expression


def client_search(*, q: str, limit: int = 20) -> QuerySet:
    """Clients whose first name, last name, "first last", e-mail or phone contain ``q``
    (case-insensitive; a phone matches on its digits, whatever the punctuation typed)."""
    q = " ".join(q.split())
    if not q:
        return Client.objects.none()
    condition = Q()
    for word in q.split(" "):
        condition &= (
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    digits = re.sub(r"\D", "", q)
    queryset = Client.objects.all()
    if len(digits) >= PHONE_MIN_DIGITS and not re.search(r"[^\d\s().+/-]", q):
        queryset = queryset.annotate(phone_digits=_digits_only(F("phone")))
        condition |= Q(phone_digits__contains=digits)
    return queryset.filter(condition).order_by("last_name", "first_name", "pk")[:limit]
