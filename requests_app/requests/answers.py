"""A request's form answers (``ServiceRequest.form_data``) as a person reads them: under their
labels, never their keys, and their values in words.

A request filed through a form built in the admin is read under the labels of the form version
it was filled with (requests_app/forms); the others (the course-grid import) under ``LABELS``.
Pages and history call ``answer_rows`` and ``answer_changes``.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..forms import engine
from ..forms.models import FormSubmission
from .models import ServiceRequest

# The keys the course-grid import writes (requests_app/imports/reading.py), in reading order.
LABELS: dict[str, Any] = {
    "sigle": pgettext_lazy("form answer", "Course code"),
    "titre": pgettext_lazy("form answer", "Course title"),
    "trimestre": pgettext_lazy("form answer", "Term"),
    "departement": pgettext_lazy("form answer", "Department"),
    "approche": pgettext_lazy("form answer", "Approach"),
    "presentateurs": pgettext_lazy("form answer", "Presenters"),
}
# Answers that hold people: a list of ``{"name": …, "email": …}``.
PEOPLE_KEYS = frozenset({"presentateurs"})
# Answers that restate the request's type (its code): shown, not edited apart from the type.
FIXED_KEYS = frozenset({"approche"})


@dataclass(frozen=True)
class AnswerRow:
    key: str
    label: str
    value: str
    # (name, e-mail) of each person of an answer that holds people, so that a page can keep
    # each address whole.
    people: tuple[tuple[str, str], ...] = ()
    # A file given in the form: its document's id, for a download link.
    document_id: int | None = None


def humanise(key: str) -> str:
    """The label of a key nobody named: ``"date_de_debut"`` → ``"Date de debut"``."""
    return capfirst(key.replace("_", " ").replace("-", " ").strip()) or key


def form_snapshot(request: ServiceRequest) -> dict | None:
    """The snapshot of the form version ``request`` was filled with, if it was (one query, kept
    on the request for the page's other calls)."""
    if request.pk is None:
        return None
    if not hasattr(request, "_form_snapshot"):
        snapshot = (
            FormSubmission.objects.filter(request_id=request.pk)
            .values_list("version__snapshot", flat=True)
            .first()
        )
        request._form_snapshot = snapshot
    return request._form_snapshot


def answer_labels(request: ServiceRequest) -> Mapping[str, Any]:
    """The labels of ``request``'s answers, by key: its form version's, else the course grid's."""
    snapshot = form_snapshot(request)
    if snapshot is not None:
        return engine.labels_of(snapshot)
    return LABELS


def label_of(key: str, labels: Mapping[str, Any]) -> str:
    return str(labels[key]) if key in labels else humanise(key)


def person_text(person: Any) -> str:
    """``{"name": "Ana Roy", "email": "ana@x.org"}`` → ``"Ana Roy <ana@x.org>"``."""
    if not isinstance(person, dict):
        return str(person)
    name, email = str(person.get("name") or "").strip(), str(person.get("email") or "").strip()
    if name and email:
        return f"{name} <{email}>"
    return name or email


def value_text(key: str, value: Any, request: ServiceRequest | None = None) -> str:
    """An answer's value in words; "—" when empty."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(person_text(item) for item in value)
    if isinstance(value, dict):
        return person_text(value)
    if (
        key == "approche"
        and request is not None
        and request.request_type_id is not None
        and str(value) == request.request_type.code
    ):
        # The approach is the request type's code: its name says it.
        return str(request.request_type.name)
    return str(value)


def ordered_keys(data: Mapping[str, Any], labels: Mapping[str, Any]) -> list[str]:
    known = [key for key in labels if key in data]
    return known + sorted(key for key in data if key not in labels)


def answer_rows(request: ServiceRequest) -> list[AnswerRow]:
    """(label, value) of every answer of ``request``: the labelled ones in their form's order,
    then the others by key."""
    data = request.form_data if isinstance(request.form_data, dict) else {}
    snapshot = form_snapshot(request)
    if snapshot is not None:
        return [
            AnswerRow(a.key, a.label, a.value, document_id=a.document_id)
            for a in engine.answers_of(snapshot, data)
        ]
    labels = answer_labels(request)
    return [
        AnswerRow(
            key,
            label_of(key, labels),
            value_text(key, data[key], request),
            people_of(data[key]) if key in PEOPLE_KEYS else (),
        )
        for key in ordered_keys(data, labels)
    ]


def people_of(value: Any) -> tuple[tuple[str, str], ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(
        (str(item.get("name") or "").strip(), str(item.get("email") or "").strip())
        for item in items
        if isinstance(item, dict)
    )


def answer_changes(request: ServiceRequest) -> Callable[[Any, Any], list[tuple[str, str, str]]]:
    """For the history: a function turning two versions of ``form_data`` into one
    ``(label, old, new)`` per answer that differs."""
    labels = answer_labels(request)
    snapshot = form_snapshot(request)
    specs = engine.fields_by_key(snapshot) if snapshot is not None else {}

    def text(key, value) -> str:
        if key in specs:
            return engine.value_in_words(specs[key], value)[0]
        return value_text(key, value, request)

    def changes(old: Any, new: Any) -> list[tuple[str, str, str]]:
        old = old if isinstance(old, dict) else {}
        new = new if isinstance(new, dict) else {}
        merged = {**old, **new}
        return [
            (
                label_of(key, labels),
                text(key, old.get(key)),
                text(key, new.get(key)),
            )
            for key in ordered_keys(merged, labels)
            if old.get(key) != new.get(key)
        ]

    return changes
