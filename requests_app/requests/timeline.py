"""The requests on a client's timeline (contacts.timeline), and the request page's star."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from contacts import favourites
from contacts.models import Client
from contacts.timeline import TimelineItem, older_than, register
from crm.permissions import can_read_backoffice

from .models import ServiceRequest


def requests_of(target, limit, before):
    # A request is for a client (its requester); partners and contacts have none.
    if not isinstance(target, Client):
        return []
    rows = (
        ServiceRequest.objects.filter(requester_id=target.pk)
        .filter(older_than(before, field="created_at", kind="request"))
        .only("pk", "title", "status", "created_at")
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        TimelineItem(
            when=request.created_at,
            kind="request",
            pk=request.pk,
            title=f"{request.number} {request.title}",
            url=reverse("requests:detail", args=[request.pk]),
            icon="bi-folder2-open",
            kind_label=_("request"),
            status=request.get_status_display(),
            status_code=request.status,
        )
        for request in rows
    ]


def register_sources() -> None:
    register(requests_of)
    # Every back-office reader reads every request page (requests/permissions.py).
    favourites.register_model(ServiceRequest, can_read_backoffice)
