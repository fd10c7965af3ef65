from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.forms import ClientChoiceForm
from crm.validation import REASON_MAX_LENGTH, TEXT_MAX_LENGTH

from ..catalogue.models import RequestType
from .models import ServiceRequest


class AssistedRequestForm(ClientChoiceForm):
    """An agent files a request for a client (demande assistée): found by the search box or
    typed in as a new one."""

    request_type = forms.ModelChoiceField(
        label=_("Request type"), queryset=RequestType.objects.filter(active=True)
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[
            c
            for c in ServiceRequest.Channel.choices
            if c[0]
            in (
                ServiceRequest.Channel.PHONE,
                ServiceRequest.Channel.EMAIL,
                ServiceRequest.Channel.COUNTER,
            )
        ],
    )
    title = forms.CharField(label=_("Title"), max_length=255)
    description = forms.CharField(
        label=_("Description"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )
