"""What a report may be built from: a declarative catalogue of the sources (requests, tasks,
incidents, clients, partners, contacts, calls, meetings, to-dos, service records) and, for each,
the fields a report may show, filter, group and sort on.

A field says what it is called (translated), where it is read (an ORM path, or an expression for
what is computed: a name, a number of hours), its type (which decides the filters' operators and
how the value is shown) and who may see it: the model permissions a reader needs beyond the
source's own. A field that shows another kind of record (the requester of a request is a
client) asks for that record's permission, the one its own page asks for; who may open a source
at all is the source's ``perms`` (reporting/permissions.py decides, with the back office's own
rules).

Nothing here reads the database: ``builder.py`` turns a definition into one query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Field types: each has its operators (builder.OPERATORS_BY_TYPE) and its way of being shown.
TEXT = "text"
NUMBER = "number"
DATE = "date"
DATETIME = "datetime"
CHOICE = "choice"
BOOL = "bool"
USER = "user"  # a staff member's name; "is me" filters on the account itself
REF = "ref"  # a record's number (REQ0000042), read from its id
TYPES = (TEXT, NUMBER, DATE, DATETIME, CHOICE, BOOL, USER, REF)

VIEW_CLIENT = "contacts.view_client"
VIEW_CONTACT = "contacts.view_contact"
VIEW_PARTNER = "contacts.view_partner"
VIEW_REQUEST = "requests_app.view_servicerequest"


class HoursBetween(Func):
    """Hours from one moment to another (a float), NULL while either is unknown."""

    output_field = models.FloatField()
    arg_joiner = " - "
    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)"

    def __init__(self, start: str, end: str):
        super().__init__(F(end), F(start))

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 24.0)",
            arg_joiner=") - julianday(",
            **extra,
        )


def person_name(prefix: str):
    """A person's "first last", or their e-mail when they have no name (as ``str()`` shows
    them), from the row at ``prefix`` ("" for the row itself)."""
    at = f"{prefix}__" if prefix else ""

    def expression():
        full = Trim(Concat(F(f"{at}first_name"), Value(" "), F(f"{at}last_name")))
        return Coalesce(NullIf(full, Value("")), F(f"{at}email"), output_field=models.CharField())

    return expression


def translated(path: str):
    """A translated name (modeltranslation's ``name_fr``/``name_en``) in the reader's language,
    the default language's when it has none."""

    def expression():
        language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        return Coalesce(
            NullIf(F(f"{path}_{language}"), Value("")), F(path), output_field=models.CharField()
        )

    return expression


def hours(start: str, end: str):
    return lambda: HoursBetween(start, end)


def is_set(path: str):
    return lambda: models.ExpressionWrapper(
        Q(**{f"{path}__isnull": False}), output_field=models.BooleanField()
    )


@dataclass(frozen=True)
class Field:
    """One field a report may use. ``path`` is where it is read (and filtered, sorted,
    grouped), unless ``expression`` computes it; ``user_path`` is the staff account a USER
    field names (for "is me"); ``perms`` what a reader needs beyond the source's own; ``link``:
    the value links to the row's page."""

    name: str
    label: object
    type: str
    path: str = ""
    expression: Callable[[], models.Expression] | None = None
    perms: tuple[str, ...] = ()
    link: bool = False
    prefix: str = ""
    user_path: str = ""
    choices: tuple[tuple[str, object], ...] | None = None

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"field {self.name!r}: unknown type {self.type!r}")
        if bool(self.path) == (self.expression is not None):
            raise ValueError(f"field {self.name!r}: a path or an expression, not both")

    def read(self) -> models.Expression:
        return self.expression() if self.expression is not None else F(self.path)

    @property
    def aggregatable(self) -> bool:
        return self.type == NUMBER


@dataclass(frozen=True)
class Source:
    """A kind of record reports are built from. ``perms``: the model permissions its lists ask
    for; ``url_name``: its record page (``args=[pk]``); ``period_field``: the moment that places
    a row in a period (an export "from … to …"); ``base``: the rows of ``model`` it is."""

    name: str
    label: object
    model: str
    perms: tuple[str, ...]
    fields: tuple[Field, ...]
    url_name: str
    period_field: str
    base: Q | None = None
    default_columns: tuple[str, ...] = ()

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def queryset(self) -> models.QuerySet:
        rows = self.model_class._default_manager.all()
        return rows.filter(self.base) if self.base is not None else rows

    @cached_property
    def by_name(self) -> dict[str, Field]:
        return {field.name: field for field in self.fields}

    def field(self, name: str) -> Field | None:
        return self.by_name.get(name)

    def choices_of(self, field: Field) -> dict:
        """The value → label of a CHOICE field (its model field's choices by default)."""
        if field.choices is not None:
            return dict(field.choices)
        model = self.model_class
        model_field = None
        for part in field.path.split("__"):
            model_field = model._meta.get_field(part)
            if model_field.is_relation:
                model = model_field.related_model
        return dict(model_field.flatchoices) if model_field is not None else {}


def _status_and_dates(prefix_resolved=True) -> tuple[Field, ...]:
    fields = [
        Field("created_at", _("Created"), DATETIME, "created_at"),
    ]
    if prefix_resolved:
        fields += [
            Field("resolved_at", _("Resolved"), DATETIME, "resolved_at"),
            Field("closed_at", _("Closed"), DATETIME, "closed_at"),
            Field(
                "hours_to_resolve",
                _("Hours to resolve"),
                NUMBER,
                expression=hours("created_at", "resolved_at"),
            ),
        ]
    return tuple(fields)


def _targets(*, client="client", contact="contact", partner="partner") -> tuple[Field, ...]:
    """The client, contact and partner an activity concerns, each as its own field."""
    found = []
    if client:
        found.append(
            Field("client", _("Client"), TEXT, expression=person_name(client), perms=(VIEW_CLIENT,))
        )
    if contact:
        found.append(
            Field(
                "contact",
                _("Contact"),
                TEXT,
                expression=person_name(contact),
                perms=(VIEW_CONTACT,),
            )
        )
    if partner:
        found.append(
            Field("partner", _("Partner"), TEXT, f"{partner}__name", perms=(VIEW_PARTNER,))
        )
    return tuple(found)


def _user(name: str, label, path: str) -> Field:
    return Field(name, label, USER, expression=person_name(path), user_path=path)


SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        Source(
            "requests",
            _("Requests"),
            "requests_app.ServiceRequest",
            (VIEW_REQUEST,),
            (
                Field("number", _("Number"), REF, "pk", link=True, prefix="REQ"),
                Field("title", _("Title"), TEXT, "title"),
                Field("status", _("Status"), CHOICE, "status"),
                Field("channel", _("Channel"), CHOICE, "channel"),
                Field(
                    "request_type",
                    _("Request type"),
                    TEXT,
                    expression=translated("request_type__name"),
                ),
                Field(
                    "requester",
                    _("Requester"),
                    TEXT,
                    expression=person_name("requester"),
                    perms=(VIEW_CLIENT,),
                ),
                Field(
                    "requester_email",
                    _("Requester's e-mail"),
                    TEXT,
                    "requester__email",
                    perms=(VIEW_CLIENT,),
                ),
                _user("created_by", _("Filed by"), "created_by"),
                Field("due_date", _("Due date"), DATE, "due_date"),
                *_status_and_dates(),
            ),
            "requests:detail",
            "created_at",
            default_columns=("number", "title", "status", "request_type", "created_at"),
        ),
        Source(
            "tasks",
            _("Tasks"),
            "tasks_app.Task",
            ("tasks_app.view_task",),
            (
                Field("number", _("Number"), REF, "pk", link=True, prefix="TASK"),
                Field("title", _("Title"), TEXT, "title"),
                Field(
                    "kind",
                    _("Kind"),
                    CHOICE,
                    "kind",
                    choices=(("service", _("service task")), ("support", _("support task"))),
                ),
                Field("status", _("Status"), CHOICE, "status"),
                Field("priority", _("Priority"), CHOICE, "priority"),
                Field("assignment_group", _("Assignment group"), TEXT, "assignment_group__name"),
                _user("assignee", _("Assignee"), "assignee"),
                Field(
                    "request",
                    _("Request"),
                    REF,
                    "request_id",
                    prefix="REQ",
                    perms=(VIEW_REQUEST,),
                ),
                Field(
                    "request_type",
                    _("Request type"),
                    TEXT,
                    expression=translated("request__request_type__name"),
                    perms=(VIEW_REQUEST,),
                ),
                Field("due_date", _("Due date"), DATE, "due_date"),
                Field("created_at", _("Created"), DATETIME, "created_at"),
                Field("opened_at", _("Opened"), DATETIME, "opened_at"),
                Field("closed_at", _("Closed"), DATETIME, "closed_at"),
                Field(
                    "hours_to_close",
                    _("Hours from opening to closing"),
                    NUMBER,
                    expression=hours("opened_at", "closed_at"),
                ),
            ),
            "tasks:detail",
            "created_at",
            base=Q(kind__in=("service", "support")),
            default_columns=("number", "title", "status", "assignment_group", "due_date"),
        ),
        Source(
            "incidents",
            _("Incidents"),
            "requests_app.Incident",
            ("requests_app.view_incident",),
            (
                Field("number", _("Number"), REF, "pk", link=True, prefix="INC"),
                Field("title", _("Title"), TEXT, "title"),
                Field("status", _("Status"), CHOICE, "status"),
                Field("priority", _("Priority"), CHOICE, "priority"),
                Field("channel", _("Channel"), CHOICE, "channel"),
                Field("category", _("Category"), TEXT, expression=translated("category__name")),
                Field("assignment_group", _("Assignment group"), TEXT, "assignment_group__name"),
                _user("assignee", _("Assignee"), "assignee"),
                Field(
                    "requester",
                    _("Requester"),
                    TEXT,
                    expression=person_name("requester"),
                    perms=(VIEW_CLIENT,),
                ),
                Field(
                    "related_request",
                    _("Related request"),
                    REF,
                    "related_request_id",
                    prefix="REQ",
                    perms=(VIEW_REQUEST,),
                ),
                Field("first_response_at", _("First response"), DATETIME, "first_response_at"),
                Field("resolution_due_at", _("Resolution due"), DATETIME, "resolution_due_at"),
                Field(
                    "hours_to_first_response",
                    _("Hours to first response"),
                    NUMBER,
                    expression=hours("created_at", "first_response_at"),
                ),
                *_status_and_dates(),
            ),
            "incidents:detail",
            "created_at",
            default_columns=("number", "title", "status", "priority", "assignment_group"),
        ),
        Source(
            "clients",
            _("Clients"),
            "contacts.Client",
            (VIEW_CLIENT,),
            (
                Field("name", _("Name"), TEXT, expression=person_name(""), link=True),
                Field("email", _("E-mail address"), TEXT, "email"),
                Field("phone", _("Phone"), TEXT, "phone"),
                Field("client_type", _("Client type"), CHOICE, "client_type"),
                Field("language", _("Preferred language"), CHOICE, "language"),
                Field("city", _("City"), TEXT, "city"),
                Field("region", _("Province or region"), TEXT, "region"),
                Field("country", _("Country"), TEXT, "country"),
                Field("country_of_origin", _("Country of origin"), TEXT, "country_of_origin"),
                Field("date_of_birth", _("Date of birth"), DATE, "date_of_birth"),
                Field("arrival_date", _("Date of arrival in the country"), DATE, "arrival_date"),
                Field("education_level", _("Education level"), TEXT, "education_level"),
                Field("employment_status", _("Employment status"), TEXT, "employment_status"),
                Field("target_occupation", _("Occupation sought"), TEXT, "target_occupation"),
                _user("owner", _("Counsellor"), "owner"),
                Field(
                    "has_portal_account", _("Has a portal account"), BOOL, expression=is_set("user")
                ),
                Field("created_at", _("Created"), DATETIME, "created_at"),
            ),
            "contacts:client_detail",
            "created_at",
            default_columns=("name", "email", "client_type", "city", "owner"),
        ),
        Source(
            "partners",
            _("Partners"),
            "contacts.Partner",
            (VIEW_PARTNER,),
            (
                Field("name", _("Name"), TEXT, "name", link=True),
                Field("kind", _("Kind"), CHOICE, "kind"),
                Field("email", _("E-mail address"), TEXT, "email"),
                Field("phone", _("Phone"), TEXT, "phone"),
                Field("website", _("Website"), TEXT, "website"),
                Field("industry", _("Sector of activity"), TEXT, "industry"),
                Field("city", _("City"), TEXT, "city"),
                Field("region", _("Province or region"), TEXT, "region"),
                Field("country", _("Country"), TEXT, "country"),
                _user("owner", _("Assigned to"), "owner"),
                Field("created_at", _("Created"), DATETIME, "created_at"),
            ),
            "contacts:partner_detail",
            "created_at",
            default_columns=("name", "kind", "city", "owner"),
        ),
        Source(
            "contacts",
            _("Contacts"),
            "contacts.Contact",
            (VIEW_CONTACT,),
            (
                Field("name", _("Name"), TEXT, expression=person_name(""), link=True),
                Field("partner", _("Partner"), TEXT, "partner__name", perms=(VIEW_PARTNER,)),
                Field("job_title", _("Job title"), TEXT, "job_title"),
                Field("email", _("E-mail address"), TEXT, "email"),
                Field("phone", _("Phone"), TEXT, "phone"),
                Field("mobile", _("Mobile phone"), TEXT, "mobile"),
                Field("language", _("Preferred language"), CHOICE, "language"),
                _user("owner", _("Assigned to"), "owner"),
                Field("created_at", _("Created"), DATETIME, "created_at"),
            ),
            "contacts:contact_detail",
            "created_at",
            default_columns=("name", "partner", "job_title", "email"),
        ),
        Source(
            "calls",
            _("Calls"),
            "contacts.Call",
            ("contacts.view_call",),
            (
                Field("subject", _("Subject"), TEXT, "subject", link=True),
                Field("starts_at", _("Date and time"), DATETIME, "starts_at"),
                Field("direction", _("Direction"), CHOICE, "direction"),
                Field("status", _("Status"), CHOICE, "status"),
                Field("duration_minutes", _("Duration (minutes)"), NUMBER, "duration_minutes"),
                _user("assigned_to", _("Assigned to"), "assigned_to"),
                *_targets(),
                Field("created_at", _("Created"), DATETIME, "created_at"),
            ),
            "contacts:call_detail",
            "starts_at",
            default_columns=("subject", "starts_at", "direction", "status", "assigned_to"),
        ),
        Source(
            "meetings",
            _("Meetings"),
            "contacts.Meeting",
            ("contacts.view_meeting",),
            (
                Field("subject", _("Subject"), TEXT, "subject", link=True),
                Field("starts_at", _("Start"), DATETIME, "starts_at"),
                Field("ends_at", _("End"), DATETIME, "ends_at"),
                Field("location", _("Location"), TEXT, "location"),
                Field("status", _("Status"), CHOICE, "status"),
                Field(
                    "duration_hours",
                    _("Duration (hours)"),
                    NUMBER,
                    expression=hours("starts_at", "ends_at"),
                ),
                _user("assigned_to", _("Assigned to"), "assigned_to"),
                *_targets(),
                Field("created_at", _("Created"), DATETIME, "created_at"),
            ),
            "contacts:meeting_detail",
            "starts_at",
            default_columns=("subject", "starts_at", "location", "status", "assigned_to"),
        ),
        Source(
            "todos",
            _("To-dos"),
            "tasks_app.Task",
            ("tasks_app.view_task",),
            (
                Field("title", _("Subject"), TEXT, "title", link=True),
                Field("status", _("Status"), CHOICE, "status"),
                Field("priority", _("Priority"), CHOICE, "priority"),
                _user("assignee", _("Assigned to"), "assignee"),
                Field("assignment_group", _("Assignment group"), TEXT, "assignment_group__name"),
                *_targets(),
                Field("start_date", _("Start date"), DATE, "start_date"),
                Field("due_date", _("Due date"), DATE, "due_date"),
                Field("created_at", _("Created"), DATETIME, "created_at"),
                Field("closed_at", _("Closed"), DATETIME, "closed_at"),
            ),
            "tasks:detail",
            "created_at",
            base=Q(kind="todo"),
            default_columns=("title", "status", "priority", "assignee", "due_date"),
        ),
        Source(
            "service_records",
            _("Service records"),
            "contacts.ServiceRecord",
            ("contacts.view_servicerecord",),
            (
                Field("activity_number", _("Activity number"), TEXT, "activity_number", link=True),
                Field("service", _("Service"), TEXT, "service__name"),
                *_targets(contact=""),
                Field("start_date", _("Start date"), DATE, "start_date"),
                Field("end_date", _("End date"), DATE, "end_date"),
                _user("created_by", _("Created by"), "created_by"),
                Field("created_at", _("Created"), DATETIME, "created_at"),
            ),
            "contacts:servicerecord_detail",
            "start_date",
            default_columns=("activity_number", "service", "client", "start_date", "end_date"),
        ),
    )
}


def source(name: str) -> Source | None:
    return SOURCES.get(name)


def source_choices() -> list[tuple[str, object]]:
    return [(s.name, s.label) for s in SOURCES.values()]
