"""A form version's snapshot turned into what a person fills and what an agent reads.

The snapshot (``FormVersion.snapshot``, written by ``snapshot_of``) is plain JSON::

    {"steps": [{"title": {"fr": …, "en": …}, "help": {…}, "condition": None | {"field": key,
      "value": "…"}, "fields": [{"key", "kind", "label": {…}, "help": {…}, "required",
      "choices": [{"value", "label": {…}}], "pattern", "pattern_message": {…}, "min", "max",
      "file_types": [...], "max_size_kb", "prefill", "condition"}]}]}

Everything here reads that JSON only, so an old request is shown with the labels of the version
it was filled with, whatever the form became since.

Conditions: a field or a step is shown when the field it depends on is shown and has the given
answer. A field that is not shown is neither required nor kept.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.forms.renderers import Jinja2
from django.template.defaultfilters import filesizeformat
from django.utils import formats
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from contacts.documents import KNOWN_TYPES, sniff

from .models import FieldKind, FormDefinition, split_extensions

LANGUAGES = [code for code, _name in settings.LANGUAGES]
FIELD_PREFIX = "f_"
ADDRESS_PARTS = (
    ("street", _("Street address"), 255),
    ("postal_code", _("Postal code"), 20),
    ("city", _("City"), 255),
)
TEXT_MAX = 1000
LONG_TEXT_MAX = 5000
DEFAULT_FILE_TYPES = ["pdf", "jpg", "png"]
DEFAULT_MAX_FILE_KB = 5000
PHONE_VALIDATOR = RegexValidator(
    r"^\+?[0-9 ().\-]{6,30}$", _("Enter a phone number: digits, spaces, +, -, ( and ).")
)
# Answers an agent may correct as plain text on the request's edit page.
FREE_TEXT_KINDS = frozenset({"text", "long_text", "email", "phone"})
TRUE_WORDS = {"yes", "true", "1", "on", "oui", "vrai"}
FALSE_WORDS = {"no", "false", "0", "off", "non", "faux", ""}


# --- the snapshot -----------------------------------------------------------------------------


def _texts(obj, name: str) -> dict[str, str]:
    return {code: getattr(obj, f"{name}_{code}", None) or "" for code in LANGUAGES}


def parse_choices(by_language: Mapping[str, str]) -> list[dict]:
    """``"value|label"`` lines (French first) into ``[{"value", "label": {lang: text}}]``. A
    line with no ``|`` takes a value made of its French label; English lines without a value
    are matched to the French ones by their order."""
    french = [line.strip() for line in (by_language.get("fr") or "").splitlines() if line.strip()]
    choices = []
    for line in french:
        value, sep, label = line.partition("|")
        if not sep:
            label, value = line, slugify(line).replace("-", "_")[:50] or "choice"
        choices.append({"value": value.strip(), "label": {"fr": label.strip()}})
    for code, text in by_language.items():
        if code == "fr":
            continue
        lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
        by_value = {}
        for index, line in enumerate(lines):
            value, sep, label = line.partition("|")
            if sep:
                by_value[value.strip()] = label.strip()
            elif index < len(choices):
                by_value[choices[index]["value"]] = line
        for choice in choices:
            if choice["value"] in by_value:
                choice["label"][code] = by_value[choice["value"]]
    return choices


def _condition(obj) -> dict | None:
    if obj.condition_field_id is None:
        return None
    return {"field": obj.condition_field.key, "value": obj.condition_value.strip()}


def _number(value) -> float | int | None:
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def snapshot_of(form: FormDefinition) -> dict:
    """The definition as it stands, frozen into JSON (what a version keeps)."""
    steps = list(form.steps.select_related("condition_field").order_by("position", "pk"))
    fields = list(form.fields.select_related("condition_field").order_by("position", "pk"))
    by_step: dict[int, list] = {step.pk: [] for step in steps}
    for item in fields:
        by_step.setdefault(item.step_id, []).append(
            {
                "key": item.key,
                "kind": item.kind,
                "label": _texts(item, "label"),
                "help": _texts(item, "help_text"),
                "required": item.required,
                "choices": parse_choices(_texts(item, "choices")),
                "pattern": item.pattern,
                "pattern_message": _texts(item, "pattern_message"),
                "min": _number(item.min_value),
                "max": _number(item.max_value),
                "file_types": split_extensions(item.file_types),
                "max_size_kb": item.max_file_size_kb,
                "prefill": item.prefill,
                "condition": _condition(item),
            }
        )
    return {
        "intro": _texts(form, "intro"),
        "prefill_from_last_request": form.prefill_from_last_request,
        "steps": [
            {
                "title": _texts(step, "title"),
                "help": _texts(step, "help_text"),
                "condition": _condition(step),
                "fields": by_step.get(step.pk, []),
            }
            for step in steps
        ],
    }


def snapshot_problems(snapshot: dict) -> list[str]:
    """Why a snapshot may not be published (empty when it may)."""
    problems = []
    steps = snapshot.get("steps") or []
    if not steps:
        problems.append(str(_("The form has no step.")))
    seen: set[str] = set()
    for number, step in enumerate(steps, start=1):
        condition = step.get("condition")
        if condition and condition["field"] not in seen:
            problems.append(
                str(_("Step %(number)s depends on a field that is not on an earlier step."))
                % {"number": number}
            )
        if not step["fields"]:
            problems.append(str(_("Step %(number)s has no field.")) % {"number": number})
        for item in step["fields"]:
            condition = item.get("condition")
            if condition and condition["field"] not in seen:
                problems.append(
                    str(_("The field “%(key)s” depends on a field placed after it."))
                    % {"key": item["key"]}
                )
            seen.add(item["key"])
    return problems


# --- reading a snapshot -----------------------------------------------------------------------


def tr(texts: Mapping[str, str] | None) -> str:
    """The text in the current language, else in French."""
    if not texts:
        return ""
    return texts.get(get_language() or "fr") or texts.get("fr") or ""


def all_fields(snapshot: dict) -> list[dict]:
    return [item for step in snapshot.get("steps", []) for item in step["fields"]]


def fields_by_key(snapshot: dict) -> dict[str, dict]:
    return {item["key"]: item for item in all_fields(snapshot)}


def matches(answer: Any, expected: str) -> bool:
    """Whether an answer equals a condition's value (a multiple choice: contains it)."""
    expected = (expected or "").strip().lower()
    if isinstance(answer, bool):
        return (expected in TRUE_WORDS) if answer else (expected in FALSE_WORDS)
    if isinstance(answer, list):
        return any(str(item).strip().lower() == expected for item in answer)
    if answer is None:
        return expected == ""
    return str(answer).strip().lower() == expected


@dataclass
class Visibility:
    steps: list[bool]
    fields: dict[str, bool]


def visibility(snapshot: dict, data: Mapping[str, Any]) -> Visibility:
    """Which steps and fields are shown for these answers. A field depending on a hidden one is
    hidden, whatever the hidden one's stale answer says."""
    shown: dict[str, bool] = {}
    steps = []

    def met(condition) -> bool:
        if not condition:
            return True
        key = condition["field"]
        return shown.get(key, False) and matches(data.get(key), condition["value"])

    for step in snapshot.get("steps", []):
        step_shown = met(step.get("condition"))
        steps.append(step_shown)
        for item in step["fields"]:
            shown[item["key"]] = step_shown and met(item.get("condition"))
    return Visibility(steps, shown)


def visible_data(snapshot: dict, data: Mapping[str, Any]) -> dict:
    """The answers of the fields shown, in the form's order: what is stored."""
    seen = visibility(snapshot, data)
    return {
        item["key"]: data[item["key"]]
        for item in all_fields(snapshot)
        if seen.fields.get(item["key"]) and item["key"] in data
    }


def missing_required(snapshot: dict, data: Mapping[str, Any]) -> list[int]:
    """The step numbers (1-based) holding a required, shown field without an answer."""
    seen = visibility(snapshot, data)
    missing = []
    for number, step in enumerate(snapshot.get("steps", []), start=1):
        if not seen.steps[number - 1]:
            continue
        for item in step["fields"]:
            if item["required"] and seen.fields[item["key"]] and is_empty(data.get(item["key"])):
                missing.append(number)
                break
    return missing


def is_empty(value) -> bool:
    if isinstance(value, dict):
        return not any(str(v).strip() for v in value.values() if v is not None)
    return value is None or value == "" or value == [] or value is False


# --- one step as a Django form ------------------------------------------------------------------


def html_name(key: str) -> str:
    return FIELD_PREFIX + key


class FileCheck:
    """The content and size check of a file field (its type read from its bytes)."""

    def __init__(self, spec: dict):
        self.types = [t for t in (spec.get("file_types") or DEFAULT_FILE_TYPES) if t in KNOWN_TYPES]
        self.max_bytes = (spec.get("max_size_kb") or DEFAULT_MAX_FILE_KB) * 1024

    def __call__(self, upload):
        if upload is None:
            return
        if upload.size > self.max_bytes:
            raise ValidationError(
                _("This file is too large (%(size)s): %(max)s at most."),
                params={"size": filesizeformat(upload.size), "max": filesizeformat(self.max_bytes)},
            )
        if upload.size == 0:
            raise ValidationError(_("This file is empty."))
        sniffed = sniff(upload, upload.name)
        if sniffed.type is None or sniffed.type.extension not in self.types:
            raise ValidationError(
                _(
                    "This type of file is not accepted (its content is: %(found)s). "
                    "Accepted types: %(allowed)s."
                ),
                params={
                    "found": sniffed.found,
                    "allowed": ", ".join(str(KNOWN_TYPES[t].label) for t in self.types),
                },
            )
        upload.sniffed = sniffed


def _min_max(spec) -> tuple:
    low = spec.get("min")
    high = spec.get("max")
    return (
        None if low is None else Decimal(str(low)),
        None if high is None else Decimal(str(high)),
    )


def django_fields(spec: dict, *, has_file: bool = False) -> dict[str, forms.Field]:
    """The Django form fields (by HTML name) of one field of the snapshot: one, or three for an
    address."""
    kind = spec["kind"]
    label = tr(spec["label"])
    required = bool(spec.get("required"))
    low, high = _min_max(spec)
    validators = []
    if spec.get("pattern") and kind in (FieldKind.TEXT, FieldKind.PHONE, FieldKind.LONG_TEXT):
        validators.append(
            RegexValidator(
                r"^(?:" + spec["pattern"] + r")\Z",
                tr(spec.get("pattern_message")) or _("The answer is not in the expected form."),
            )
        )
    name = html_name(spec["key"])
    common = {"label": label, "required": required, "validators": validators}
    if kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
        cap = TEXT_MAX if kind == FieldKind.TEXT else LONG_TEXT_MAX
        widget = forms.Textarea(attrs={"rows": 4}) if kind == FieldKind.LONG_TEXT else None
        return {
            name: forms.CharField(
                max_length=min(int(high), cap) if high is not None else cap,
                min_length=int(low) if low is not None else None,
                widget=widget,
                **common,
            )
        }
    if kind == FieldKind.NUMBER:
        return {
            name: CommaDecimalField(
                min_value=low,
                max_value=high,
                max_digits=16,
                decimal_places=4,
                localize=False,
                widget=forms.NumberInput(attrs={"step": "any"}),
                **common,
            )
        }
    if kind == FieldKind.DATE:
        return {
            name: forms.DateField(
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                **common,
            )
        }
    if kind == FieldKind.EMAIL:
        return {
            name: forms.EmailField(
                max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}), **common
            )
        }
    if kind == FieldKind.PHONE:
        common["validators"] = [PHONE_VALIDATOR, *validators]
        return {
            name: forms.CharField(
                max_length=30,
                widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
                **common,
            )
        }
    choices = [(c["value"], tr(c["label"])) for c in spec.get("choices") or []]
    if kind == FieldKind.SINGLE_CHOICE:
        return {name: forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)}
    if kind == FieldKind.MULTIPLE_CHOICE:
        return {
            name: BoundedMultipleChoiceField(
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                fewest=int(low) if low is not None else None,
                most=int(high) if high is not None else None,
                **common,
            )
        }
    if kind in (FieldKind.CHECKBOX, FieldKind.CONSENT):
        return {name: forms.BooleanField(**common)}
    if kind == FieldKind.FILE:
        check = FileCheck(spec)
        common["required"] = required and not has_file
        common["validators"] = [check]
        return {
            name: forms.FileField(
                max_length=255,
                widget=forms.ClearableFileInput(
                    attrs={"accept": ",".join("." + t for t in check.types)}
                ),
                **common,
            )
        }
    if kind == FieldKind.ADDRESS:
        parts = {}
        for part, part_label, cap in ADDRESS_PARTS:
            parts[f"{name}__{part}"] = forms.CharField(
                label=part_label,
                max_length=cap,
                required=required and part != "postal_code",
                widget=forms.TextInput(attrs={"autocomplete": _address_autocomplete(part)}),
            )
        return parts
    raise ValueError(f"unknown field kind {kind!r}")


def _address_autocomplete(part: str) -> str:
    return {"street": "street-address", "postal_code": "postal-code", "city": "address-level2"}[
        part
    ]


class CommaDecimalField(forms.DecimalField):
    """A number typed the French way (``2,5``) is the same number as ``2.5``."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("\u202f", "").replace(" ", "").replace(",", ".")
        return super().to_python(value)


class BoundedMultipleChoiceField(forms.MultipleChoiceField):
    def __init__(self, *args, fewest=None, most=None, **kwargs):
        self.fewest, self.most = fewest, most
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and self.fewest is not None and len(value) < self.fewest:
            raise ValidationError(
                _("Tick at least %(count)s choices."), params={"count": self.fewest}
            )
        if self.most is not None and len(value) > self.most:
            raise ValidationError(_("Tick at most %(count)s choices."), params={"count": self.most})


def to_json(spec: dict, cleaned: Mapping[str, Any]) -> Any:
    """A field's cleaned value(s) as stored in ``form_data``."""
    name = html_name(spec["key"])
    kind = spec["kind"]
    if kind == FieldKind.ADDRESS:
        return {part: (cleaned.get(f"{name}__{part}") or "").strip() for part, *_x in ADDRESS_PARTS}
    value = cleaned.get(name)
    if kind == FieldKind.NUMBER:
        return None if value is None else _number(value)
    if kind == FieldKind.DATE:
        return value.isoformat() if value else None
    if kind in (FieldKind.CHECKBOX, FieldKind.CONSENT):
        return bool(value)
    if kind == FieldKind.MULTIPLE_CHOICE:
        return list(value or [])
    if isinstance(value, str):
        return value.strip()
    return value


def to_initial(spec: dict, value: Any) -> dict[str, Any]:
    """A stored answer as the initial value(s) of its Django field(s)."""
    name = html_name(spec["key"])
    kind = spec["kind"]
    if kind == FieldKind.ADDRESS:
        value = value if isinstance(value, dict) else {}
        return {f"{name}__{part}": value.get(part, "") for part, *_x in ADDRESS_PARTS}
    if kind == FieldKind.FILE or value is None:
        return {}
    if kind == FieldKind.DATE and isinstance(value, str):
        try:
            return {name: date.fromisoformat(value)}
        except ValueError:
            return {}
    return {name: value}


def posted_answer(spec: dict, post: Mapping) -> Any:
    """The raw answer of a field as posted, for evaluating conditions on the same step before
    validation."""
    name = html_name(spec["key"])
    kind = spec["kind"]
    if kind == FieldKind.MULTIPLE_CHOICE:
        return post.getlist(name) if hasattr(post, "getlist") else post.get(name) or []
    if kind in (FieldKind.CHECKBOX, FieldKind.CONSENT):
        return str(post.get(name, "")).lower() in TRUE_WORDS
    return post.get(name)


class StepForm(forms.Form):
    """One step of a form version. Fields whose condition is not met on this step's answers
    (and the earlier steps' ``data``) are neither required nor kept.

    Its widgets are rendered with Django's Jinja2 templates of them (the same HTML as the
    Django-template ones, written by Django alongside): a step of five fields rendered ten
    templates per field, a third of the step page's time."""

    default_renderer = Jinja2()

    def __init__(
        self,
        *args,
        snapshot: dict,
        step_index: int,
        data_so_far: Mapping[str, Any],
        documents: Mapping[str, dict] | None = None,
        **kwargs,
    ):
        self.snapshot = snapshot
        self.step = snapshot["steps"][step_index]
        self.data_so_far = dict(data_so_far)
        self.documents = documents or {}
        initial = {}
        for spec in self.step["fields"]:
            initial.update(to_initial(spec, self.data_so_far.get(spec["key"])))
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for spec in self.step["fields"]:
            has_file = bool(self.documents.get(spec["key"]))
            self.fields.update(django_fields(spec, has_file=has_file))
        self.shown = self._shown()

    def _answers_now(self) -> dict:
        answers = dict(self.data_so_far)
        if self.is_bound:
            for spec in self.step["fields"]:
                if spec["kind"] != FieldKind.FILE:
                    answers[spec["key"]] = posted_answer(spec, self.data)
        return answers

    def _shown(self) -> dict[str, bool]:
        return visibility(self.snapshot, self._answers_now()).fields

    def names_of(self, spec) -> list[str]:
        name = html_name(spec["key"])
        if spec["kind"] == FieldKind.ADDRESS:
            return [f"{name}__{part}" for part, *_x in ADDRESS_PARTS]
        return [name]

    def full_clean(self):
        if self.is_bound:
            for spec in self.step["fields"]:
                if not self.shown.get(spec["key"]):
                    for name in self.names_of(spec):
                        self.fields[name].required = False
        super().full_clean()
        if not self.is_bound:
            return
        for spec in self.step["fields"]:
            if not self.shown.get(spec["key"]):
                for name in self.names_of(spec):
                    self._errors.pop(name, None)
                    if hasattr(self, "cleaned_data"):
                        self.cleaned_data.pop(name, None)

    def answers(self) -> dict[str, Any]:
        """The step's shown answers (files apart: the caller stores them), after validation."""
        result = {}
        for spec in self.step["fields"]:
            if not self.shown.get(spec["key"]) or spec["kind"] == FieldKind.FILE:
                continue
            result[spec["key"]] = to_json(spec, self.cleaned_data)
        return result

    def valid_answers(self) -> dict[str, Any]:
        """What can be kept of a step that has errors (a draft saved half-typed): the shown
        fields that validated."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        result = {}
        for spec in self.step["fields"]:
            names = self.names_of(spec)
            if (
                not self.shown.get(spec["key"])
                or spec["kind"] == FieldKind.FILE
                or any(name in self._errors for name in names)
            ):
                continue
            result[spec["key"]] = to_json(spec, self.cleaned_data)
        return result

    def uploads(self) -> dict[str, Any]:
        """The files given on this step, by field key (shown fields only)."""
        result = {}
        for spec in self.step["fields"]:
            if spec["kind"] != FieldKind.FILE or not self.shown.get(spec["key"]):
                continue
            upload = self.cleaned_data.get(html_name(spec["key"]))
            if upload:
                result[spec["key"]] = upload
        return result

    # --- for the template ---

    def field_views(self) -> list["FieldView"]:
        views = []
        by_key = fields_by_key(self.snapshot)
        for spec in self.step["fields"]:
            names = self.names_of(spec)
            bounds = [self[name] for name in names]
            condition = spec.get("condition")
            controller = by_key.get(condition["field"]) if condition else None
            errors = [e for bound in bounds for e in bound.errors]
            view = FieldView(
                spec=spec,
                key=spec["key"],
                label=tr(spec["label"]),
                help=tr(spec["help"]),
                kind=spec["kind"],
                required=bool(spec.get("required")),
                bounds=bounds,
                errors=errors,
                shown=bool(self.shown.get(spec["key"])),
                condition_name=html_name(controller["key"]) if controller else "",
                condition_value=condition["value"] if condition else "",
                document=self.documents.get(spec["key"]),
                accepted=_accepted_text(spec) if spec["kind"] == FieldKind.FILE else "",
            )
            describedby = []
            if view.help:
                describedby.append(view.help_id)
            if view.kind == FieldKind.FILE:
                describedby.append(view.accepted_id)
            if errors:
                describedby.append(view.error_id)
            for bound in bounds:
                widget = bound.field.widget
                attrs = widget.attrs
                if isinstance(
                    widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.CheckboxInput
                ):
                    css = "form-check-input"
                else:
                    css = "form-control"
                attrs["class"] = css + (" is-invalid" if bound.errors else "")
                if describedby:
                    attrs["aria-describedby"] = " ".join(describedby)
                if bound.errors:
                    attrs["aria-invalid"] = "true"
                if view.required and bound.field.required and not view.is_group:
                    attrs["aria-required"] = "true"
            views.append(view)
        return views

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(anchor, label, message) of each error, for the summary at the top of the step."""
        summary = []
        for view in self.field_views():
            for bound in view.bounds:
                for error in bound.errors:
                    label = view.label
                    if len(view.bounds) > 1:
                        label = f"{view.label} — {bound.label}"
                    summary.append((_anchor(bound), label, error))
        for error in self.non_field_errors():
            summary.append(("", "", error))
        return summary


def _anchor(bound) -> str:
    widget = bound.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{bound.auto_id}_0"
    return bound.id_for_label


def _accepted_text(spec) -> str:
    check = FileCheck(spec)
    return str(_("Accepted: %(types)s; %(size)s at most.")) % {
        "types": ", ".join(str(KNOWN_TYPES[t].label) for t in check.types),
        "size": filesizeformat(check.max_bytes),
    }


@dataclass
class FieldView:
    spec: dict
    key: str
    label: str
    help: str
    kind: str
    required: bool
    bounds: list
    errors: list
    shown: bool
    condition_name: str
    condition_value: str
    document: dict | None = None
    accepted: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def wrapper_id(self) -> str:
        return f"field-{self.key}"

    @property
    def help_id(self) -> str:
        return f"{html_name(self.key)}-help"

    @property
    def error_id(self) -> str:
        return f"{html_name(self.key)}-error"

    @property
    def accepted_id(self) -> str:
        return f"{html_name(self.key)}-accepted"

    @property
    def is_group(self) -> bool:
        return self.kind in (FieldKind.SINGLE_CHOICE, FieldKind.MULTIPLE_CHOICE, FieldKind.ADDRESS)

    @property
    def is_check(self) -> bool:
        return self.kind in (FieldKind.CHECKBOX, FieldKind.CONSENT)

    @property
    def bound(self):
        return self.bounds[0]


# --- answers as people read them ----------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    key: str
    label: str
    value: str
    document_id: int | None = None


def value_in_words(spec: dict, value: Any) -> tuple[str, int | None]:
    """An answer in words, with the document's id for a file."""
    kind = spec["kind"]
    if is_empty(value) and kind not in (FieldKind.CHECKBOX, FieldKind.CONSENT):
        return "—", None
    if kind in (FieldKind.CHECKBOX, FieldKind.CONSENT):
        return str(_("yes") if value else _("no")), None
    labels = {c["value"]: tr(c["label"]) for c in spec.get("choices") or []}
    if kind == FieldKind.SINGLE_CHOICE:
        return labels.get(str(value), str(value)), None
    if kind == FieldKind.MULTIPLE_CHOICE:
        items = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in items), None
    if kind == FieldKind.DATE:
        try:
            return formats.date_format(date.fromisoformat(str(value)), "DATE_FORMAT"), None
        except ValueError:
            return str(value), None
    if kind == FieldKind.NUMBER:
        try:
            return formats.number_format(Decimal(str(value)), use_l10n=True), None
        except (InvalidOperation, ValueError):
            return str(value), None
    if kind == FieldKind.ADDRESS and isinstance(value, dict):
        return ", ".join(
            str(value.get(part)) for part, *_x in ADDRESS_PARTS if value.get(part)
        ), None
    if kind == FieldKind.FILE and isinstance(value, dict):
        document_id = value.get("document")
        return str(value.get("name") or ""), document_id if isinstance(document_id, int) else None
    return str(value), None


def answers_of(snapshot: dict, data: Mapping[str, Any]) -> list[Answer]:
    """Every answer under its label in the version's order, then any key the version does not
    know (by key)."""
    data = data if isinstance(data, Mapping) else {}
    rows = []
    known = set()
    for spec in all_fields(snapshot):
        known.add(spec["key"])
        if spec["key"] not in data:
            continue
        text, document_id = value_in_words(spec, data[spec["key"]])
        rows.append(Answer(spec["key"], tr(spec["label"]), text, document_id))
    return rows + [Answer(key, key, str(data[key])) for key in sorted(data) if key not in known]


def labels_of(snapshot: dict) -> dict[str, str]:
    return {spec["key"]: tr(spec["label"]) for spec in all_fields(snapshot)}


def file_fields(snapshot: dict) -> Iterable[dict]:
    return [spec for spec in all_fields(snapshot) if spec["kind"] == FieldKind.FILE]


def is_key(text: str) -> bool:
    return bool(re.fullmatch(r"[a-z][a-z0-9_]{0,49}", text or ""))
