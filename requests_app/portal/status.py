"""A request's status as its requester reads it: plain words and a sentence of what it means,
rather than the agents' vocabulary (``ServiceRequest.Status``)."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..requests.models import ServiceRequest

Status = ServiceRequest.Status


@dataclass(frozen=True)
class CitizenStatus:
    label: Promise
    explanation: Promise
    # The badge's colour (includes/status_badge.html reads the agents' code).
    code: str


CITIZEN_STATUSES = {
    Status.DRAFT: CitizenStatus(
        _("Not sent yet"), _("You have not sent this request yet."), Status.DRAFT
    ),
    Status.SUBMITTED: CitizenStatus(
        _("Received"),
        _("We have received your request; an agent will start on it soon."),
        Status.SUBMITTED,
    ),
    Status.IN_PROGRESS: CitizenStatus(
        _("Being handled"), _("Agents are working on your request."), Status.IN_PROGRESS
    ),
    Status.RESOLVED: CitizenStatus(
        _("Done"),
        _("The work on your request is done. Write to us below if something is missing."),
        Status.RESOLVED,
    ),
    Status.CLOSED: CitizenStatus(
        _("Closed"), _("Your request is finished and closed."), Status.CLOSED
    ),
    Status.CANCELLED: CitizenStatus(
        _("Cancelled"), _("This request was cancelled."), Status.CANCELLED
    ),
}


def citizen_status(status: str) -> CitizenStatus:
    return CITIZEN_STATUSES[status]
