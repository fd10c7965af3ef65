"""Forms of the to-dos: create and edit, the list's filters, a Kanban move without a mouse."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from crm import roles
from crm.models import AssignmentGroup, User
from crm.validation import QUERY_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH, TEXT_MAX_LENGTH

from .models import Task
from .todos import TARGET_MODELS, TODO_STATUS_LABELS, target_choice, target_of

STATUS_CHOICES = [(name, capfirst(label)) for name, label in TODO_STATUS_LABELS.items()]
PRIORITY_CHOICES = [(value, capfirst(label)) for value, label in Task.Priority.choices]


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TodoForm(forms.Form):
    title = forms.CharField(label=_("Subject"), max_length=SHORT_TEXT_MAX_LENGTH)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, initial="not_started")
    start_date = forms.DateField(label=_("Start date"), required=False, widget=_date_widget())
    due_date = forms.DateField(label=_("Due date"), required=False, widget=_date_widget())
    priority = forms.ChoiceField(
        label=_("Priority"), choices=PRIORITY_CHOICES, initial=Task.Priority.MEDIUM
    )
    assignee = forms.ModelChoiceField(
        label=_("Assigned to"), queryset=User.objects.none(), required=False
    )
    assignment_group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=AssignmentGroup.objects.filter(is_active=True),
        required=False,
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    target = forms.CharField(
        label=_("Concerns"),
        max_length=40,
        error_messages={"required": _("Choose the client, contact or partner it concerns.")},
    )
    target_q = forms.CharField(
        label=_("Find a client, contact or partner"),
        max_length=QUERY_MAX_LENGTH,
        required=False,
        help_text=_("Type part of a name or an e-mail address, then pick one."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = (
            User.objects.filter(is_active=True, groups__name__in=[roles.AGENT, roles.ADMINISTRATOR])
            .distinct()
            .order_by("first_name", "last_name")
        )
        # The record already chosen (or given by ?client=…), shown checked above the search.
        self.picked = []
        value = self["target"].value()
        if value:
            kind, _sep, pk = str(value).partition(":")
            record = target_of(kind, pk)
            if record is not None:
                self.picked = [target_choice(kind, record)]

    def clean_target(self):
        kind, _sep, pk = self.cleaned_data["target"].partition(":")
        record = target_of(kind, pk)
        if kind not in TARGET_MODELS or record is None:
            raise forms.ValidationError(_("Choose the client, contact or partner it concerns."))
        return (kind, record)

    def clean(self):
        data = super().clean()
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", _("The due date cannot be before the start date."))
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        kind, record = data.pop("target")
        data.pop("target_q", None)
        data.pop("status", None)
        fields = {name: None for name in TARGET_MODELS}
        fields[kind] = record
        return {**data, **fields}


class TodoFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=QUERY_MAX_LENGTH, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("any"))] + STATUS_CHOICES[:3], required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("any")), *PRIORITY_CHOICES], required=False
    )
    mine = forms.BooleanField(label=_("My items"), required=False)


class TodoMoveForm(forms.Form):
    status = forms.ChoiceField(label=_("Move to"), choices=STATUS_CHOICES)
