from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from contacts.forms import ClientChoiceForm
from contacts.models import Client
from crm.validation import REASON_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH, TEXT_MAX_LENGTH

from ..catalogue.models import RequestType
from ..forms import engine
from ..imports.reading import LIST_SEPARATOR, parse_presenters
from . import answers
from .models import JournalEntry, ServiceRequest


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


class RequestJournalForm(forms.Form):
    """A comment (the requester reads it and is notified) or a work note (agents only), written
    on the request itself."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (JournalEntry.Kind.WORK_NOTE, JournalEntry.Kind.WORK_NOTE.label),
            (JournalEntry.Kind.COMMENT, JournalEntry.Kind.COMMENT.label),
        ],
        initial=JournalEntry.Kind.WORK_NOTE,
        help_text=_("A work note stays among agents; a comment is sent to the requester."),
    )
    body = forms.CharField(
        label=_("Text"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


ANSWER_PREFIX = "answer__"


class RequestEditForm(ClientChoiceForm):
    """What an agent may change on a request: its title, description, due date, requester (the
    client picker) and the form's answers, with the reason for the change.

    ``version`` carries the ``updated_at`` the form was built from, so that saving after
    someone else did is refused instead of undoing their change.
    """

    title = forms.CharField(label=_("Title"), max_length=SHORT_TEXT_MAX_LENGTH)
    description = forms.CharField(
        label=_("Description"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Why is it modified?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the request's history."),
    )
    version = forms.CharField(widget=forms.HiddenInput, max_length=64)

    MAIN_FIELDS = ("title", "description", "due_date")

    def __init__(self, *args, request_obj: ServiceRequest, **kwargs):
        self.request_obj = request_obj
        kwargs.setdefault(
            "initial",
            {
                "title": request_obj.title,
                "description": request_obj.description,
                "due_date": request_obj.due_date,
                "version": request_obj.updated_at.isoformat(),
            },
        )
        super().__init__(*args, **kwargs)
        labels = answers.answer_labels(request_obj)
        data = request_obj.form_data if isinstance(request_obj.form_data, dict) else {}
        self.answer_keys = []
        # Shown beside the fields, not edited: (label, value) rows.
        self.fixed_answers = []
        # A form's choices, dates, files and addresses are answered through the form only.
        specs = engine.fields_by_key(answers.form_snapshot(request_obj) or {})
        for key in answers.ordered_keys(data, labels):
            value = data[key]
            label = answers.label_of(key, labels)
            if key in specs and specs[key]["kind"] not in engine.FREE_TEXT_KINDS:
                self.fixed_answers.append((label, engine.value_in_words(specs[key], value)[0]))
                continue
            if key in answers.FIXED_KEYS:
                self.fixed_answers.append((label, answers.value_text(key, value, request_obj)))
                continue
            if key in answers.PEOPLE_KEYS or isinstance(value, list):
                field = forms.CharField(
                    label=label,
                    max_length=REASON_MAX_LENGTH,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    # Help texts are printed as HTML: the angle brackets are text here.
                    help_text=format_html("{}", _("One person a line: Name <e-mail address>.")),
                )
                initial = "\n".join(answers.person_text(p) for p in value or [])
            elif (
                value is None
                or isinstance(value, str | int | float)
                and not isinstance(value, bool)
            ):
                field = forms.CharField(
                    label=label, max_length=SHORT_TEXT_MAX_LENGTH, required=False
                )
                initial = "" if value is None else str(value)
            else:
                # A value of another shape is kept as it is.
                self.fixed_answers.append((label, answers.value_text(key, value, request_obj)))
                continue
            self.fields[ANSWER_PREFIX + key] = field
            self.initial.setdefault(ANSWER_PREFIX + key, initial)
            self.answer_keys.append(key)

    @cached_property
    def picked(self) -> list[Client]:
        """The client picked again after an error, or at first the current requester."""
        if self.is_bound:
            return super().picked
        return [self.request_obj.requester]

    @property
    def answer_fields(self):
        return [self[ANSWER_PREFIX + key] for key in self.answer_keys]

    saved_requester = None

    def clean_description(self) -> str:
        # Browsers send CRLF line ends: the same text must not count as a change.
        return self.cleaned_data["description"].replace("\r\n", "\n")

    def clean_version(self) -> datetime:
        try:
            return datetime.fromisoformat(self.cleaned_data["version"])
        except ValueError as error:
            raise ValidationError(_("The form is out of date: open it again.")) from error

    def clean(self):
        cleaned = super().clean()
        for key in self.answer_keys:
            name = ANSWER_PREFIX + key
            if name not in cleaned:
                continue
            original = self.request_obj.form_data.get(key)
            typed = cleaned[name].strip()
            if key in answers.PEOPLE_KEYS or isinstance(original, list):
                people, bad = parse_presenters(LIST_SEPARATOR.join(typed.splitlines()))
                if bad:
                    self.add_error(
                        name,
                        _("Not understood: %(items)s (expected Name <e-mail address>).")
                        % {"items": ", ".join(bad)},
                    )
                    continue
                # an empty answer left empty stays as it was stored (None stays None)
                cleaned[name] = original if not people and not original else people
            elif original is None and typed == "":
                cleaned[name] = None
            elif original is not None and str(original) == typed:
                cleaned[name] = original  # unchanged: keep its type (a number stays a number)
            else:
                cleaned[name] = typed
        return cleaned

    def form_data(self) -> dict:
        """The answers as they are to be saved: the request's, with the edited ones replaced."""
        data = dict(self.request_obj.form_data)
        for key in self.answer_keys:
            data[key] = self.cleaned_data[ANSWER_PREFIX + key]
        return data

    def show_saved_meanwhile(self, current: ServiceRequest, before: dict | None) -> None:
        """After a conflict: under each field someone else changed (``before``, what the request
        said when the form was built, against ``current``), the value saved now; when ``before``
        is unknown, under each field whose typed value differs from the saved one. The form
        then carries the current version, so saving again is a deliberate choice."""
        self.request_obj = current
        data = self.data.copy()
        data[self.add_prefix("version")] = current.updated_at.isoformat()
        self.data = data
        typed = getattr(self, "cleaned_data", {})

        def changed(name: str, then, now) -> bool:
            if before is not None:
                return then != now
            return name in typed and typed[name] != now

        then = before or {}
        for name in self.MAIN_FIELDS:
            now = getattr(current, name)
            if changed(name, then.get(name), now):
                self._saved_meanwhile(name, now)
        for key in self.answer_keys:
            name = ANSWER_PREFIX + key
            now = current.form_data.get(key)
            if changed(name, then.get("form_data", {}).get(key), now):
                self._saved_meanwhile(name, answers.value_text(key, now, current))
        if before is not None:
            requester_changed = before["requester"] != current.requester_id
        else:
            picked = typed.get("client")
            requester_changed = picked is not None and picked.pk != current.requester_id
        if requester_changed:
            self.saved_requester = current.requester

    def _saved_meanwhile(self, name: str, value) -> None:
        if value in (None, ""):
            shown = "—"
        elif isinstance(value, date):
            shown = date_format(value, "SHORT_DATE_FORMAT")
        else:
            shown = value
        # Bound fields copy their help text when first built (validation built them).
        self[name].help_text = self.fields[name].help_text = format_html(
            '{} <strong data-testid="saved-meanwhile">{}</strong>',
            _("Saved meanwhile:"),
            shown,
        )
