"""One form per CRM record type, built from ``records.RECORD_TYPES``: the model's own fields
and validation (255 characters, choices, dates), dates and times as the browser's pickers, staff
chosen among the back office's agents, and the linked client, contact or partner."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm import roles
from crm.models import User

from .models import Client, Contact, Partner
from .records import RecordType

STAFF_FIELDS = ("owner", "assigned_to", "counsellor", "attendees")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def staff_queryset():
    return (
        User.objects.filter(is_active=True, groups__name__in=[roles.AGENT, roles.ADMINISTRATOR])
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


class RecordNumberWidget(forms.NumberInput):
    """A linked record given by its number (the record pages fill it in; the pickers of the
    create pages write it)."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"min": 1, **(attrs or {})})


class RecordForm(forms.ModelForm):
    record_type: RecordType

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in STAFF_FIELDS:
                field.queryset = staff_queryset()
            model_field = self._meta.model._meta.get_field(name)
            if model_field.get_internal_type() == "DateTimeField":
                field.widget = forms.DateTimeInput(
                    attrs={"type": "datetime-local"}, format=DATETIME_FORMAT
                )
                field.input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
            elif model_field.get_internal_type() == "DateField":
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            elif name in ("client", "contact", "partner") and isinstance(
                field, forms.ModelChoiceField
            ):
                # Hundreds of thousands of rows: never a <select> of them all.
                field.widget = RecordNumberWidget()
                field.help_text = {
                    "client": _("The client's number."),
                    "contact": _("The contact's number."),
                    "partner": _("The partner's number."),
                }[name]

    def clean(self):
        data = super().clean()
        linked = self.record_type.linked_to
        if linked and sum(1 for name in linked if data.get(name)) != 1:
            if len(linked) == 3:
                message = _("Link it to exactly one client, contact or partner.")
            else:
                message = _("Link it to exactly one client or partner.")
            raise ValidationError(message)
        return data

    def service_fields(self) -> dict:
        """The cleaned data as the create and update services take it."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}


def _formfield(model_field, **kwargs):
    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return model_field.formfield(**kwargs)


def form_class_for(record_type: RecordType, *, include_links: bool = True):
    fields = list(record_type.fields)
    if include_links:
        fields = [*record_type.linked_to, *fields]
    return forms.modelform_factory(
        record_type.model,
        form=type(f"{record_type.model.__name__}Form", (RecordForm,), {"record_type": record_type}),
        fields=fields,
        formfield_callback=_formfield,
    )


LINK_MODELS = {"client": Client, "contact": Contact, "partner": Partner}
