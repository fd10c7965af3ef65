"""The columns of the CRM's lists, once per record type: each list's django-tables2 table (sortable
headers, Bootstrap 5) and its CSV export are built from the same ``Col`` specs, so that the
export has exactly the columns the list shows, under the same translated headers.

A column's sort always ends with the primary key, so that a page never shows a row twice or
misses one when several rows share a value."""

from __future__ import annotations

import datetime
import inspect
from dataclasses import dataclass

import django_tables2 as tables
import django_tables2.utils
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .records import RECORD_TYPES

TABLE_TEMPLATE = "contacts/lists/_table.html"

# django-tables2 reads the signature of a column's ``render`` (and of its link's callable) for
# every cell, to pass it the arguments it names: ``inspect.signature`` 250 times a page, 5 ms.
# What it reads (the parameters' names, and whether they catch ``**kwargs``) depends only on
# the function's code and on whether it is bound, so it is kept per code object.
_read_signature = django_tables2.utils.signature
_signatures: dict = {}


def _kept_signature(fn):
    code = getattr(getattr(fn, "__func__", fn), "__code__", None)
    if code is None:
        return _read_signature(fn)
    key = (code, inspect.ismethod(fn))
    found = _signatures.get(key)
    if found is None:
        found = _signatures[key] = _read_signature(fn)
    return found


django_tables2.utils.signature = _kept_signature
CSV_DATETIME = "%Y-%m-%d %H:%M"


def _field(model, path: str):
    """The model field at the end of ``path`` ("partner__name"), or None."""
    field = None
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except Exception:  # noqa: BLE001 — a property or a method, not a field
            return None
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    return field


def _resolve(record, path: str):
    value = record
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value


@dataclass(frozen=True)
class Col:
    """One column. ``name`` is its ``?sort=`` key; ``path`` what it shows (a field path, the
    name by default). ``kind`` says how:

    - text, user, datetime, date: the value (choices by their label);
    - record: the record itself, as a link to its page;
    - link: the value, as a link to the record's page;
    - fk: a related record, as a link to its own page;
    - linked: the client, contact or partner of an activity or a record (``path`` lists the
      foreign keys, separated by commas).

    ``sort``: the fields it sorts by (the path by default), before the primary key; empty to
    make it unsortable."""

    name: str
    path: str = ""
    kind: str = "text"
    label: object = None
    sort: tuple[str, ...] | None = None
    css: str = ""

    @property
    def accessor(self) -> str:
        return self.path or self.name

    def header(self, model):
        if self.label is not None:
            return self.label
        field = _field(model, self.accessor)
        return capfirst(field.verbose_name) if field is not None else capfirst(self.name)

    def order_by(self, model) -> tuple[str, ...]:
        if self.sort is not None:
            return (*self.sort, "pk") if self.sort else ()
        if self.kind == "user":
            return (f"{self.accessor}__last_name", f"{self.accessor}__first_name", "pk")
        return (self.accessor, "pk")

    def table_column(self, model) -> tables.Column:
        order_by = self.order_by(model)
        options = {
            "verbose_name": self.header(model),
            "orderable": bool(order_by),
            "attrs": {"td": {"class": self.css}, "th": {"class": self.css}} if self.css else {},
        }
        if order_by:
            options["order_by"] = order_by
        if self.kind == "linked":
            return LinkedColumn(fields=tuple(self.accessor.split(",")), **options)
        if self.kind == "record":
            return RecordColumn(**options)
        accessor = self.accessor
        if self.kind == "link":
            return tables.Column(accessor=accessor, linkify=_record_url, **options)
        if self.kind == "fk":
            return tables.Column(accessor=accessor, linkify=_value_url, **options)
        if self.kind == "datetime":
            return ShortDateTimeColumn(accessor=accessor, **options)
        if self.kind == "date":
            return ShortDateColumn(accessor=accessor, **options)
        return tables.Column(accessor=accessor, **options)

    def csv_value(self, record, model) -> str:
        if self.kind == "record":
            return str(record)
        if self.kind == "linked":
            target = _linked(record, self.accessor.split(","))
            return "" if target is None else str(target)
        value = _resolve(record, self.accessor)
        field = _field(model, self.accessor)
        if field is not None and field.choices and value not in (None, ""):
            value = dict(field.flatchoices).get(value, value)
        if isinstance(value, datetime.datetime):
            # In the body's time zone (settings.TIME_ZONE), whoever exports.
            return timezone.localtime(value, timezone.get_default_timezone()).strftime(CSV_DATETIME)
        if isinstance(value, datetime.date):
            return value.isoformat()
        return "" if value is None else str(value)


def _record_url(record):
    return record.get_absolute_url()


def _value_url(value):
    return value.get_absolute_url()


def _linked(record, fields):
    for name in fields:
        target = getattr(record, name)
        if target is not None:
            return target
    return None


class ShortDateColumn(tables.Column):
    """A date in the language's short format (a date and time in the user's time zone), as
    django-tables2's ``DateColumn`` shows it, without the template that column compiles again
    for every cell (50 templates a page, a tenth of a list's time)."""

    format = "SHORT_DATE_FORMAT"

    def render(self, value):
        return date_format(timezone.template_localtime(value), self.format)


class ShortDateTimeColumn(ShortDateColumn):
    format = "SHORT_DATETIME_FORMAT"


class LinkedColumn(tables.Column):
    """The client, contact or partner a record is linked to: a link to its page, with the
    record type's icon."""

    def __init__(self, *, fields: tuple[str, ...], **kwargs):
        self.fields = fields
        kwargs.setdefault("empty_values", ())
        super().__init__(accessor="pk", **kwargs)

    def render(self, record):
        target = _linked(record, self.fields)
        if target is None:
            return "—"
        icon = RECORD_TYPES[target._meta.model_name].icon
        return format_html(
            '<a href="{}"><i class="bi {}" aria-hidden="true"></i> {}</a>',
            target.get_absolute_url(),
            icon,
            target,
        )

    def value(self, record, **kwargs):
        target = _linked(record, self.fields)
        return "" if target is None else str(target)


class RecordColumn(tables.Column):
    """The record itself (its name, or its e-mail or number when it has none), as a link."""

    def __init__(self, **kwargs):
        kwargs.setdefault("empty_values", ())
        super().__init__(accessor="pk", **kwargs)

    def render(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record)

    def value(self, record, **kwargs):
        return str(record)


ACTIVITY_TARGET = "client,contact,partner"
HOLDER = "client,partner"
SECONDARY = "text-nowrap"


@dataclass(frozen=True)
class ListSpec:
    """A record type's list: its columns, the rows it reads with each row (``select_related``:
    a page costs the same queries whatever its rows), and the words of its "New" button."""

    kind: str
    columns: tuple[Col, ...]
    related: tuple[str, ...] = ()
    new_label: object = None

    @property
    def record_type(self):
        return RECORD_TYPES[self.kind]

    @property
    def model(self):
        return self.record_type.model

    def csv_header(self) -> list[str]:
        return [str(col.header(self.model)) for col in self.columns]

    def csv_row(self, record) -> list[str]:
        return [col.csv_value(record, self.model) for col in self.columns]


LISTS: dict[str, ListSpec] = {
    spec.kind: spec
    for spec in (
        ListSpec(
            "client",
            (
                Col("name", "", "record", _("Name"), ("last_name", "first_name")),
                Col("email"),
                Col("phone", css=SECONDARY),
                Col("client_type", label=_("Client type")),
                Col("city", label=_("City")),
                Col("owner", kind="user", label=_("Counsellor")),
                Col("created_at", kind="date", label=_("Created")),
            ),
            related=("owner",),
            new_label=_("New client"),
        ),
        ListSpec(
            "partner",
            (
                Col("name", kind="link"),
                Col("kind", label=_("Kind")),
                Col("email"),
                Col("phone", css=SECONDARY),
                Col("city", label=_("City")),
                Col("owner", kind="user", label=_("Assigned to")),
            ),
            related=("owner",),
            new_label=_("New partner"),
        ),
        ListSpec(
            "contact",
            (
                Col("name", "", "record", _("Name"), ("last_name", "first_name")),
                Col("partner", kind="fk", label=_("Partner"), sort=("partner__name",)),
                Col("job_title"),
                Col("email"),
                Col("phone", css=SECONDARY),
                Col("owner", kind="user", label=_("Assigned to")),
            ),
            related=("partner", "owner"),
            new_label=_("New contact"),
        ),
        ListSpec(
            "call",
            (
                Col("subject", kind="link"),
                Col("starts_at", kind="datetime", css=SECONDARY),
                Col("linked", ACTIVITY_TARGET, "linked", _("Linked to"), ()),
                Col("direction", label=_("Direction")),
                Col("status"),
                Col("duration_minutes", label=_("Minutes")),
                Col("assigned_to", kind="user", label=_("Assigned to")),
            ),
            related=("client", "contact", "partner", "assigned_to"),
            new_label=_("Plan a call"),
        ),
        ListSpec(
            "meeting",
            (
                Col("subject", kind="link"),
                Col("starts_at", kind="datetime", css=SECONDARY),
                Col("ends_at", kind="datetime", css=SECONDARY),
                Col("linked", ACTIVITY_TARGET, "linked", _("Linked to"), ()),
                Col("location", label=_("Location")),
                Col("status"),
                Col("assigned_to", kind="user", label=_("Assigned to")),
            ),
            related=("client", "contact", "partner", "assigned_to"),
            new_label=_("Plan a meeting"),
        ),
        ListSpec(
            "note",
            (
                Col("subject", kind="link"),
                Col("linked", ACTIVITY_TARGET, "linked", _("Linked to"), ()),
                Col("created_by", kind="user", label=_("Written by")),
                Col("created_at", kind="datetime", css=SECONDARY),
            ),
            related=("client", "contact", "partner", "created_by"),
            new_label=_("New note"),
        ),
        ListSpec(
            "document",
            (
                Col("title", kind="link"),
                Col("doc_type"),
                Col("linked", ACTIVITY_TARGET, "linked", _("Linked to"), ()),
                Col("original_name"),
                Col("assigned_to", kind="user", label=_("Assigned to")),
                Col("created_at", kind="datetime", label=_("Added"), css=SECONDARY),
            ),
            related=("client", "contact", "partner", "assigned_to"),
            new_label=_("Add a document"),
        ),
        ListSpec(
            "programenrolment",
            (
                Col("program", "program__name", "link", _("Program"), ("program__name",)),
                Col("holder", HOLDER, "linked", _("Client or partner"), ()),
                Col("start_date", kind="date"),
                Col("end_date", kind="date"),
            ),
            related=("program", "client", "partner"),
            new_label=_("New enrolment"),
        ),
        ListSpec(
            "servicerecord",
            (
                Col("activity_number", kind="link"),
                Col("service", "service__name", label=_("Service"), sort=("service__name",)),
                Col("holder", HOLDER, "linked", _("Client or partner"), ()),
                Col("start_date", kind="date"),
                Col("end_date", kind="date"),
            ),
            related=("service", "client", "partner"),
            new_label=_("New service record"),
        ),
        ListSpec(
            "saefile",
            (
                Col("file_identifier", kind="link"),
                Col("client", kind="fk", sort=("client__last_name", "client__first_name")),
                Col("status"),
                Col("counsellor", kind="user", label=_("Counsellor")),
                Col("opened_on", kind="date"),
                Col("closed_on", kind="date"),
            ),
            related=("client", "counsellor"),
            new_label=_("New SAE file"),
        ),
    )
}


class CRMTable(tables.Table):
    class Meta:
        template_name = TABLE_TEMPLATE
        attrs = {"class": "table table-hover align-middle mb-0", "data-testid": "crm-table"}
        order_by_field = "sort"
        empty_text = _("Nothing matches.")


def _table_class(spec: ListSpec) -> type[tables.Table]:
    model = spec.model
    columns = {col.name: col.table_column(model) for col in spec.columns}
    meta = type(
        "Meta",
        (CRMTable.Meta,),
        {"model": model, "fields": (), "sequence": tuple(columns)},
    )
    return type(f"{model.__name__}Table", (CRMTable,), {**columns, "Meta": meta})


TABLES: dict[str, type[tables.Table]] = {kind: _table_class(spec) for kind, spec in LISTS.items()}
