from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.forms import ClientChoiceForm
from crm.models import AssignmentGroup, User
from crm.validation import TEXT_MAX_LENGTH

from ..requests.models import JournalEntry
from ..sla.models import Priority
from .models import Incident, IncidentCategory


class IncidentForm(ClientChoiceForm):
    """A help request for a client found by the search box or typed in as a new one."""

    channel = forms.ChoiceField(
        label=_("Channel"), choices=Incident.Channel.choices, initial=Incident.Channel.PHONE
    )
    title = forms.CharField(label=_("Title"), max_length=255)
    description = forms.CharField(
        label=_("Description"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=IncidentCategory.objects.all()
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.MODERATE
    )
    assignment_group = forms.ModelChoiceField(
        label=_("Assignment group"),
        required=False,
        queryset=AssignmentGroup.objects.filter(is_active=True),
    )


class IncidentJournalForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=JournalEntry.Kind.choices, initial=JournalEntry.Kind.COMMENT
    )
    body = forms.CharField(
        label=_("Text"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class IncidentAssignForm(forms.Form):
    assignment_group = forms.ModelChoiceField(
        label=_("Assignment group"),
        required=False,
        queryset=AssignmentGroup.objects.filter(is_active=True),
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"),
        required=False,
        queryset=User.objects.filter(assignment_groups__isnull=False, is_active=True).distinct(),
    )


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
