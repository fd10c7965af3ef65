from django import forms
from django.utils.translation import gettext_lazy as _

from crm.models import AssignmentGroup, User
from crm.validation import TEXT_MAX_LENGTH
from requests_app.requests.seam import JournalKind


class JournalForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=JournalKind.choices, initial=JournalKind.WORK_NOTE
    )
    body = forms.CharField(
        label=_("Text"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class SupportTaskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    description = forms.CharField(
        label=_("Description"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    assignment_group = forms.ModelChoiceField(
        label=_("Assignment group"), queryset=AssignmentGroup.objects.filter(is_active=True)
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), required=False
    )
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(
            assignment_groups__is_active=True, is_active=True
        ).distinct()


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— nobody —"),
    )

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        if task.assignment_group_id:
            self.fields["assignee"].queryset = task.assignment_group.members.filter(is_active=True)
