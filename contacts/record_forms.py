"""One form per CRM record type, built from ``records.RECORD_TYPES``: the model's own fields
and validation (255 characters, choices, dates), dates and times as the browser's pickers, staff
chosen among the back office's agents, and the linked client, contact or partner found with a
search picker (``RecordPicker``, template ``contacts/_record_picker.html``)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from crm import roles
from crm.models import User

from .models import Client, Contact, Partner
from .records import RecordType

STAFF_FIELDS = ("owner", "assigned_to", "counsellor", "attendees")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
LINK_MODELS = {"client": Client, "contact": Contact, "partner": Partner}
# Fields that name a client, contact or partner, and the kind the picker searches.
PICKED_FIELDS = {
    "client": "client",
    "contact": "contact",
    "partner": "partner",
    "contacts_attending": "contact",
    "clients_attending": "client",
}
PICKER_HELP = {
    "client": _("Type a name, an e-mail address or a phone number, then pick the client."),
    "contact": _("Type a name, an e-mail address or a phone number, then pick the contact."),
    "partner": _("Type a name, an e-mail address or a city, then pick the partner."),
}


def staff_queryset():
    return (
        User.objects.filter(is_active=True, groups__name__in=[roles.AGENT, roles.ADMINISTRATOR])
        .distinct()
        .order_by("last_name", "first_name", "email")
        # What a choice shows (``User.__str__``): a body may have thousands of agents.
        .only("pk", "first_name", "last_name", "email")
    )


def picked_records(kind: str, values) -> list:
    """The records of ``kind`` whose ids (or records) are ``values``, in one query."""
    ids = []
    for value in values:
        pk = getattr(value, "pk", value)
        if isinstance(pk, int) or (isinstance(pk, str) and pk.isdigit() and len(pk) < 19):
            ids.append(int(pk))
    if not ids:
        return []
    queryset = LINK_MODELS[kind].objects.filter(pk__in=ids)
    if kind == "contact":
        queryset = queryset.select_related("partner")
    return list(queryset)


class RecordPicker(forms.Widget):
    """A client, contact or partner (or several, ``multiple``) found with a search box that asks
    ``contacts:record_search`` (htmx), never a ``<select>`` of every row. The chosen records
    are radio buttons (check boxes when ``multiple``) named like the field."""

    template = "contacts/_record_picker.html"

    def __init__(self, kind: str, *, multiple: bool = False, attrs=None):
        super().__init__(attrs)
        self.kind = kind
        self.multiple = multiple

    def format_value(self, value):
        if value in (None, ""):
            return []
        if (
            isinstance(value, list | tuple)
            or hasattr(value, "__iter__")
            and not isinstance(value, str)
        ):
            return list(value)
        return [value]

    def value_from_datadict(self, data, files, name):
        if self.multiple:
            return data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False if self.multiple else name not in data

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**self.attrs, **(attrs or {})}
        context = {
            "kind": self.kind,
            "name": name,
            "id": attrs.get("id") or f"id_{name}",
            "chosen": picked_records(self.kind, self.format_value(value)),
            "multiple": self.multiple,
            "invalid": "is-invalid" in attrs.get("class", ""),
        }
        return render_to_string(self.template, context)


class RecordForm(forms.ModelForm):
    record_type: RecordType
    # The link fields that the page set (``?client=12``): sent hidden, not asked.
    preset_links: tuple[str, ...] = ()
    # Whether the form checks that exactly one client, contact or partner is linked (not when
    # it edits one other field alone).
    checks_links: bool = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in STAFF_FIELDS:
                field.queryset = staff_queryset()
                if isinstance(field, forms.ModelMultipleChoiceField):
                    field.widget.attrs["size"] = 6
            model_field = self._meta.model._meta.get_field(name)
            if model_field.get_internal_type() == "DateTimeField":
                field.widget = forms.DateTimeInput(
                    attrs={"type": "datetime-local"}, format=DATETIME_FORMAT
                )
                field.input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
            elif model_field.get_internal_type() == "DateField":
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            elif name in self.preset_links:
                field.widget = forms.HiddenInput()
            elif name in PICKED_FIELDS and isinstance(field, forms.ModelChoiceField):
                # Hundreds of thousands of rows: never a <select> of them all.
                kind = PICKED_FIELDS[name]
                field.widget = RecordPicker(
                    kind, multiple=isinstance(field, forms.ModelMultipleChoiceField)
                )
                if name not in self.record_type.linked_to:
                    # The links share one hint, above them (record_form.html).
                    field.help_text = PICKER_HELP[kind]
            elif name == "duration_minutes":
                field.widget.attrs.update(min=0, max=1440, step=5)
                field.help_text = _("In minutes.")

    def clean(self):
        data = super().clean()
        linked = self.record_type.linked_to
        if not self.checks_links or not linked:
            return data
        if sum(1 for name in linked if data.get(name)) != 1:
            if len(linked) == 3:
                message = _("Link it to exactly one client, contact or partner.")
            else:
                message = _("Link it to exactly one client or partner.")
            raise ValidationError(message)
        return data

    @property
    def link_names(self) -> list[str]:
        """The client, contact and partner pickers shown together, of which one is chosen."""
        return [
            name
            for name in self.record_type.linked_to
            if name in self.fields and name not in self.preset_links
        ]

    def link_fields(self):
        return [self[name] for name in self.link_names]

    def service_fields(self) -> dict:
        """The cleaned data as the create and update services take it."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}


def _formfield(model_field, **kwargs):
    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return model_field.formfield(**kwargs)


def form_class_for(
    record_type: RecordType,
    *,
    include_links: bool = True,
    preset_links: tuple[str, ...] = (),
    fields: tuple[str, ...] | None = None,
):
    """The form of ``record_type``: every field and the links to a client, contact or partner
    (only ``preset_links``, hidden, when the page set them), or ``fields`` alone (the record
    page's inline edit of one field)."""
    if fields is not None:
        names = list(fields)
        attrs = {"record_type": record_type, "checks_links": False}
    else:
        names = list(record_type.fields)
        if include_links:
            names = [*(preset_links or record_type.linked_to), *names]
        attrs = {"record_type": record_type, "preset_links": tuple(preset_links)}
    return forms.modelform_factory(
        record_type.model,
        form=type(f"{record_type.model.__name__}Form", (RecordForm,), attrs),
        fields=names,
        formfield_callback=_formfield,
    )
