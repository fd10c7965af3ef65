"""The incidents on a client's timeline (contacts.timeline), and the incident page's star."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from contacts import favourites
from contacts.models import Client
from contacts.timeline import TimelineItem, older_than, register
from crm.permissions import can_read_backoffice

from .models import Incident


def incidents_of(target, limit, before):
    if not isinstance(target, Client):
        return []
    rows = (
        Incident.objects.filter(requester_id=target.pk)
        .filter(older_than(before, field="created_at", kind="incident"))
        .only("pk", "title", "status", "created_at")
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        TimelineItem(
            when=incident.created_at,
            kind="incident",
            pk=incident.pk,
            title=f"{incident.number} {incident.title}",
            url=reverse("incidents:detail", args=[incident.pk]),
            icon="bi-life-preserver",
            kind_label=_("incident"),
            status=incident.get_status_display(),
            status_code=incident.status,
        )
        for incident in rows
    ]


def register_sources() -> None:
    register(incidents_of)
    # Every back-office reader reads every incident page (incidents/permissions.py).
    favourites.register_model(Incident, can_read_backoffice)
