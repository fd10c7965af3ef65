"""The models of every room of requests_app, under the one app label ``requests_app``."""

from ..catalogue.models import RequestType, Theme
from ..imports.models import CourseGridImport
from ..incidents.models import Incident, IncidentCategory
from ..mail.models import InboundEmail, JournalAttachment
from ..requests.models import JournalEntry, ServiceRequest
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
    "InboundEmail",
    "Incident",
    "IncidentCategory",
    "JournalAttachment",
    "JournalEntry",
    "OpeningSlot",
    "Priority",
    "RequestType",
    "SLAClock",
    "SLAEscalation",
    "SLAPolicy",
    "ServiceRequest",
    "Theme",
]
