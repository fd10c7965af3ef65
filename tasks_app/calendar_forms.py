"""Forms of the calendar: the range the page asks for, a drag or a resize, the settings, one
occurrence of a series."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from crm.validation import SHORT_TEXT_MAX_LENGTH

# The widest range the event feed answers (a month view shows six weeks).
MAX_RANGE = dt.timedelta(days=62)
MOMENT_MAX_LENGTH = 40


def parse_moment(value: str) -> dt.datetime | None:
    """An ISO date-time with its offset (``2026-11-02T10:00:00-05:00``, ``…Z``), a compact UTC
    one (``20261102T150000Z``, a recurrence id), or a date (midnight in the body's zone)."""
    value = (value or "").strip()
    if not value or len(value) > MOMENT_MAX_LENGTH:
        return None
    try:
        if len(value) == 16 and value.endswith("Z") and "T" in value:
            return dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is None:
                return None
            moment = dt.datetime.combine(day, dt.time())
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class MomentField(forms.Field):
    """A date-time as ``parse_moment`` reads it; bounded and without NUL bytes."""

    default_error_messages = {"invalid": _("Enter a valid date and time.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        if "\x00" in value or len(value) > MOMENT_MAX_LENGTH:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        moment = parse_moment(value)
        if moment is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return moment


class RangeForm(forms.Form):
    start = MomentField()
    end = MomentField()
    users = forms.CharField(required=False, max_length=SHORT_TEXT_MAX_LENGTH)

    def clean_users(self):
        text = self.cleaned_data["users"]
        ids = [part.strip() for part in text.split(",") if part.strip()]
        if not all(part.isdigit() and len(part) < 10 for part in ids):
            raise forms.ValidationError(_("Choose calendars from the list."))
        return [int(part) for part in ids]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end <= start:
                raise forms.ValidationError(_("The end must come after the start."))
            if end - start > MAX_RANGE:
                raise forms.ValidationError(_("Ask for at most two months at a time."))
        return data


class RescheduleForm(forms.Form):
    """A drag or a resize on the calendar."""

    SCOPES = (("occurrence", _("this occurrence")), ("series", _("the whole series")))

    kind = forms.ChoiceField(choices=(("call", "call"), ("meeting", "meeting"), ("todo", "todo")))
    pk = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    start = MomentField()
    end = MomentField(required=False)
    all_day = forms.BooleanField(required=False)
    scope = forms.ChoiceField(choices=SCOPES, required=False)
    recurrence_id = MomentField(required=False)
    old_start = MomentField(required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            raise forms.ValidationError(_("The end must come after the start."))
        if data.get("kind") in ("call", "meeting") and data.get("all_day"):
            raise forms.ValidationError(_("Calls and meetings have a time: drop them on an hour."))
        if data.get("kind") == "todo" and not data.get("all_day"):
            raise forms.ValidationError(_("A to-do lasts whole days: drop it on a day."))
        if data.get("recurrence_id") and not data.get("scope"):
            data["scope"] = "occurrence"
        return data


class CalendarSettingsForm(forms.Form):
    shared = forms.BooleanField(
        label=_("Share my calendar with my colleagues"),
        required=False,
        help_text=_("Colleagues then see your calls, meetings and to-dos in their calendar."),
    )
    shown = forms.ModelMultipleChoiceField(
        label=_("Show the calendars of"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Only colleagues who share their calendar are listed."),
    )

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shown"].queryset = colleagues
        self.fields["shown"].label_from_instance = lambda user: user.get_full_name() or user.email


class OccurrenceForm(forms.Form):
    """One occurrence of a series, changed on its own."""

    subject = forms.CharField(label=_("Subject"), max_length=SHORT_TEXT_MAX_LENGTH)
    starts_at = forms.DateTimeField(
        label=_("Start"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=24 * 60 * 14)
