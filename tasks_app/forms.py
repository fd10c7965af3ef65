from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contacts.models import Client
from crm.models import AssignmentGroup, User
from crm.validation import SHORT_TEXT_MAX_LENGTH, TEXT_MAX_LENGTH
from requests_app.requests.seam import JournalKind

from .models import BookableResource, SupportTaskTemplate


class JournalForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=JournalKind.choices, initial=JournalKind.WORK_NOTE
    )
    body = forms.CharField(
        label=_("Text"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker (``datetime-local``)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _datetime_field(label, **kwargs):
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        **kwargs,
    )


class ScheduleFields(forms.Form):
    """When, where and with whom a support task happens (seed 001's support calendar)."""

    SCHEDULE_FIELDS = ("start", "end", "resource", "place", "virtual_room_url", "attendees")

    start = _datetime_field(pgettext_lazy("schedule", "Start"))
    end = _datetime_field(pgettext_lazy("schedule", "End"))
    resource = forms.ModelChoiceField(
        label=_("Room, cubicle or virtual room booked"),
        queryset=BookableResource.objects.filter(active=True),
        required=False,
    )
    place = forms.CharField(label=_("Place"), max_length=SHORT_TEXT_MAX_LENGTH, required=False)
    virtual_room_url = forms.URLField(
        label=_("Link to the virtual room"),
        max_length=SHORT_TEXT_MAX_LENGTH,
        required=False,
        assume_scheme="https",
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"),
        queryset=Client.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("The request's requester and the course's presenters known as clients."),
    )

    def __init__(self, *args, attendee_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        ids = [client.pk for client in attendee_choices]
        self.fields["attendees"].queryset = Client.objects.filter(pk__in=ids).order_by(
            "last_name", "first_name", "pk"
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The end must come after the start."))
        if cleaned.get("resource") and not start:
            self.add_error("start", _("A resource is booked for a start and an end."))
        return cleaned


class SupportTaskForm(ScheduleFields):
    support_template = forms.ModelChoiceField(
        label=_("Template"),
        queryset=SupportTaskTemplate.objects.filter(active=True).select_related("assignment_group"),
        required=False,
        empty_label=_("— no template —"),
        help_text=_(
            "Its name, group and instructions fill what is left empty; its duration gives the end."
        ),
    )
    title = forms.CharField(label=_("Title"), max_length=255, required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    assignment_group = forms.ModelChoiceField(
        label=_("Assignment group"),
        queryset=AssignmentGroup.objects.filter(is_active=True),
        required=False,
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), required=False
    )
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    field_order = [
        "support_template",
        "title",
        "description",
        "assignment_group",
        "assignee",
        "due_date",
        *ScheduleFields.SCHEDULE_FIELDS,
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(
            assignment_groups__is_active=True, is_active=True
        ).distinct()

    def clean(self):
        cleaned = super().clean()
        template = cleaned.get("support_template")
        if template is None and "support_template" not in self.errors:
            if not (cleaned.get("title") or "").strip() and "title" not in self.errors:
                self.add_error("title", _("Give a title or choose a template."))
            if cleaned.get("assignment_group") is None and "assignment_group" not in self.errors:
                self.add_error("assignment_group", _("Choose a group or a template."))
            if cleaned.get("start") and not cleaned.get("end") and "end" not in self.errors:
                self.add_error("end", _("Give the end (or choose a template: its duration)."))
        return cleaned


class SupportScheduleForm(ScheduleFields):
    """Reschedule a support task from its page."""

    def clean(self):
        cleaned = super().clean()
        for name in ("start", "end"):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, _("This field is required."))
        return cleaned


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
