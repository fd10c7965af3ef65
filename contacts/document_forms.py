"""The document upload form (contacts:document_create)."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from crm.models import User
from crm.validation import SHORT_TEXT_MAX_LENGTH, TEXT_MAX_LENGTH

from .documents import allowed_types
from .models import ACTIVITY_TARGETS, Client, Contact, Document, Partner


def staff_users():
    """The people a document can be assigned to: active users who act in the back office."""
    return (
        User.objects.filter(
            is_active=True,
            groups__permissions__codename="act_in_backoffice",
            groups__permissions__content_type__app_label="crm",
        )
        .distinct()
        .order_by("first_name", "last_name", "pk")
    )


class DocumentForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=SHORT_TEXT_MAX_LENGTH,
        required=False,
        help_text=_("Left empty: the file's name."),
    )
    doc_type = forms.ChoiceField(
        label=_("Type"), choices=Document.Type.choices, initial=Document.Type.OTHER
    )
    file = forms.FileField(label=_("File"), max_length=SHORT_TEXT_MAX_LENGTH)
    description = forms.CharField(
        label=_("Description"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    assigned_to = forms.ModelChoiceField(
        label=_("Assigned to"), queryset=User.objects.none(), required=False
    )
    # What the document belongs to: given by the page it was opened from (?client=…), or the
    # client picked in the search.
    client = forms.ModelChoiceField(
        queryset=Client.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("This client no longer exists: search again.")},
    )
    contact = forms.ModelChoiceField(
        queryset=Contact.objects.all(), required=False, widget=forms.HiddenInput
    )
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.all(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = staff_users()
        accepted = ", ".join(str(t.label) for t in allowed_types())
        self.fields["file"].help_text = _("%(types)s; %(max)s at most.") % {
            "types": accepted,
            "max": filesizeformat(settings.DOCUMENT_MAX_BYTES),
        }
        self.fields["file"].widget.attrs["accept"] = ",".join(
            f".{t.extension}" + (",.jpeg" if t.extension == "jpg" else "") for t in allowed_types()
        )

    def clean(self):
        cleaned = super().clean()
        targets = [name for name in ACTIVITY_TARGETS if cleaned.get(name) is not None]
        if any(name in self.errors for name in ACTIVITY_TARGETS):
            return cleaned
        if len(targets) != 1:
            raise ValidationError(
                _("Say what this document belongs to: open it from a client, contact or partner.")
            )
        return cleaned

    @property
    def target(self):
        """The client, contact or partner this (valid, or initial) form is about."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else self.initial
        return next((data[name] for name in ACTIVITY_TARGETS if data.get(name)), None)
