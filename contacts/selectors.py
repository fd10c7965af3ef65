"""Reads of clients: the agents' search box."""

from django.db.models import QuerySet

from .models import Client
from .search import client_condition


def client_search(*, q: str, limit: int = 20) -> QuerySet:
    """Clients whose first name, last name, "first last", e-mail or phone contain ``q``
    (accents and case ignored on PostgreSQL; a phone matches on its digits, whatever the
    punctuation typed)."""
    q = " ".join(q.split())
    if not q:
        return Client.objects.none()
    return Client.objects.filter(client_condition(q)).order_by("last_name", "first_name", "pk")[
        :limit
    ]
