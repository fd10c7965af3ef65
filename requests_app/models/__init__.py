"""The models of every room of requests_app, under the one app label ``requests_app``."""

from ..catalogue.models import (
    LaunchButton,
    ProcedureContact,
    ProcedureDocument,
    ProcedureLink,
    ProcedureStep,
    RequestType,
    Theme,
)
from ..forms.models import (
    FormDefinition,
    FormDocument,
    FormDraft,
    FormField,
    FormStep,
    FormSubmission,
    FormVersion,
)
from ..imports.models import CourseGridImport
from ..incidents.models import Incident, IncidentCategory
from ..mail.models import InboundEmail, JournalAttachment
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
    "FormDefinition",
    "FormDocument",
    "FormDraft",
    "FormField",
    "FormStep",
    "FormSubmission",
    "FormVersion",
    "InboundEmail",
    "Incident",
    "IncidentCategory",
    "JournalAttachment",
    "JournalEntry",
    "LaunchButton",
    "OpeningSlot",
    "Priority",
    "ProcedureContact",
    "ProcedureDocument",
    "ProcedureLink",
    "ProcedureStep",
    "RequestAttachment",
    "RequestType",
    "SLAClock",
    "SLAEscalation",
    "SLAPolicy",
    "ServiceRequest",
    "Theme",
]
