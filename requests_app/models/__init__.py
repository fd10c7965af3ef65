"""The models of every room of requests_app, under the one app label ``requests_app``."""

from ..catalogue.models import RequestType, Theme
from ..imports.models import CourseGridImport
from ..incidents.models import Incident, IncidentCategory
from ..requests.models import JournalEntry, RequestAttachment, ServiceRequest
from ..sla.models import (
    BusinessCalendar,
    Closure,
    EscalationLevel,
    OpeningSlot,
    Priority,
    SLAClock,
    SLAEscalation,
    SLAPolicy,
)

__all__ = [
    "BusinessCalendar",
    "Closure",
    "CourseGridImport",
    "EscalationLevel",
    "Incident",
    "IncidentCategory",
    "JournalEntry",
    "OpeningSlot",
    "Priority",
    "RequestAttachment",
    "RequestType",
    "SLAClock",
    "SLAEscalation",
    "SLAPolicy",
    "ServiceRequest",
    "Theme",
]
