"""The CRM's record types as the pages see them: the model, its URL word, the fields its form
edits, and whether it is an activity (linked to one client, contact or partner) or a record
held by one client or partner. Lists, record pages, favourites and the "+" menu read it."""

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import (
    Call,
    Client,
    Contact,
    Document,
    Meeting,
    Note,
    Partner,
    ProgramEnrolment,
    SAEFile,
    ServiceRecord,
)

TARGETS = ("client", "contact", "partner")
HOLDERS = ("client", "partner")


@dataclass(frozen=True)
class RecordType:
    model: type[models.Model]
    path: str  # /agent/<path>/
    fields: tuple[str, ...]
    # The foreign keys of which exactly one is set: an activity's target or a record's holder.
    linked_to: tuple[str, ...] = ()
    icon: str = "bi-card-text"
    title_field: str = ""
    many_to_many: tuple[str, ...] = field(default=())
    # The record page's groups of fields: ``(heading, field names)``; one "details" group of
    # every field when empty.
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def name(self) -> str:
        return self.model._meta.model_name

    @property
    def label(self):
        return self.model._meta.verbose_name

    @property
    def label_plural(self):
        return self.model._meta.verbose_name_plural

    def page_sections(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        if self.sections:
            return self.sections
        # The record it is linked to is named above the fields ("Linked to …").
        return ((_("Details"), self.fields),)

    def inline_editable(self, name: str) -> bool:
        """Whether the record page edits ``name`` on its own (a pencil beside it): a field of
        the form, not a link to the client, contact or partner (exactly one of them is set, so
        they change together on the edit page) nor a list of people."""
        return name in self.fields and name not in self.many_to_many and name not in TARGETS


RECORD_TYPES: dict[str, RecordType] = {
    rt.name: rt
    for rt in (
        RecordType(
            Client,
            "clients",
            (
                "first_name",
                "last_name",
                "email",
                "phone",
                "language",
                "client_type",
                "date_of_birth",
                "arrival_date",
                "country_of_origin",
                "languages_spoken",
                "education_level",
                "employment_status",
                "target_occupation",
                "street",
                "street_2",
                "city",
                "region",
                "postal_code",
                "country",
                "owner",
                "description",
            ),
            icon="bi-person",
            sections=(
                (
                    _("Identity"),
                    (
                        "first_name",
                        "last_name",
                        "client_type",
                        "date_of_birth",
                        "language",
                        "owner",
                    ),
                ),
                (_("Contact details"), ("email", "phone", "languages_spoken")),
                (
                    _("Settlement and employment"),
                    (
                        "arrival_date",
                        "country_of_origin",
                        "education_level",
                        "employment_status",
                        "target_occupation",
                    ),
                ),
                (
                    _("Address"),
                    ("street", "street_2", "city", "region", "postal_code", "country"),
                ),
                (_("Description"), ("description",)),
            ),
        ),
        RecordType(
            Partner,
            "partners",
            (
                "name",
                "kind",
                "email",
                "phone",
                "website",
                "industry",
                "street",
                "city",
                "region",
                "postal_code",
                "country",
                "owner",
                "description",
            ),
            icon="bi-building",
            sections=(
                (_("Identity"), ("name", "kind", "industry", "owner")),
                (_("Contact details"), ("email", "phone", "website")),
                (_("Address"), ("street", "city", "region", "postal_code", "country")),
                (_("Description"), ("description",)),
            ),
        ),
        RecordType(
            Contact,
            "contacts",
            (
                "partner",
                "first_name",
                "last_name",
                "job_title",
                "email",
                "phone",
                "mobile",
                "language",
                "owner",
                "description",
            ),
            icon="bi-person-vcard",
            sections=(
                (
                    _("Identity"),
                    ("first_name", "last_name", "partner", "job_title", "language", "owner"),
                ),
                (_("Contact details"), ("email", "phone", "mobile")),
                (_("Description"), ("description",)),
            ),
        ),
        RecordType(
            Call,
            "calls",
            (
                "subject",
                "starts_at",
                "direction",
                "status",
                "duration_minutes",
                "rrule",
                "assigned_to",
                "description",
            ),
            linked_to=TARGETS,
            icon="bi-telephone",
        ),
        RecordType(
            Meeting,
            "meetings",
            (
                "subject",
                "starts_at",
                "ends_at",
                "location",
                "status",
                "rrule",
                "assigned_to",
                "attendees",
                "contacts_attending",
                "clients_attending",
                "description",
            ),
            linked_to=TARGETS,
            icon="bi-people",
            many_to_many=("attendees", "contacts_attending", "clients_attending"),
        ),
        RecordType(Note, "notes", ("subject", "description"), linked_to=TARGETS, icon="bi-journal"),
        RecordType(
            Document,
            "documents",
            ("title", "doc_type", "assigned_to", "description"),
            linked_to=TARGETS,
            icon="bi-file-earmark",
        ),
        RecordType(
            ProgramEnrolment,
            "enrolments",
            ("program", "start_date", "end_date"),
            linked_to=HOLDERS,
            icon="bi-mortarboard",
        ),
        RecordType(
            ServiceRecord,
            "service-records",
            ("service", "activity_number", "start_date", "end_date"),
            linked_to=HOLDERS,
            icon="bi-briefcase",
        ),
        RecordType(
            SAEFile,
            "sae-files",
            (
                "file_identifier",
                "client",
                "status",
                "counsellor",
                "opened_on",
                "closed_on",
                "description",
            ),
            icon="bi-folder2",
        ),
    )
}


def record_type_of(obj_or_model) -> RecordType:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return RECORD_TYPES[model._meta.model_name]


def linked_record(obj):
    """The client, contact or partner an activity (or a record) is linked to, or None."""
    for name in record_type_of(obj).linked_to:
        target = getattr(obj, name)
        if target is not None:
            return target
    return None
