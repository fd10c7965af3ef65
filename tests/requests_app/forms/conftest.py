"""A three-step form with conditions on a request type with a two-step chain, built through the
same loader as the demo data."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from requests_app.forms.services import form_load
from tests import factories

# A PDF's first bytes are enough for its type to be read from its content.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def permit_form(code: str = "PERMIT", **overrides) -> dict:
    data = {
        "request_type": code,
        "intro": "Demandez un permis d'abattage.",
        "intro_en": "Ask for a felling permit.",
        "steps": [
            {
                "title": "Vous",
                "title_en": "You",
                "help": "Vos coordonnées.",
                "help_en": "Your details.",
                "fields": [
                    {
                        "key": "nom",
                        "kind": "text",
                        "label": "Nom complet",
                        "label_en": "Full name",
                        "required": True,
                        "prefill": "full_name",
                    },
                    {
                        "key": "courriel",
                        "kind": "email",
                        "label": "Courriel",
                        "label_en": "E-mail",
                        "required": True,
                        "prefill": "email",
                    },
                    {"key": "adresse", "kind": "address", "label": "Adresse", "prefill": "address"},
                ],
            },
            {
                "title": "L'arbre",
                "title_en": "The tree",
                "help": "Mesurez le tronc à 1,3 m du sol.",
                "help_en": "Measure the trunk 1.3 m above the ground.",
                "fields": [
                    {
                        "key": "essence",
                        "kind": "single_choice",
                        "label": "Essence",
                        "label_en": "Species",
                        "required": True,
                        "choices": "erable|Érable\nfrene|Frêne\nautre|Autre",
                        "choices_en": "erable|Maple\nfrene|Ash\nautre|Other",
                    },
                    {
                        "key": "autre_essence",
                        "kind": "text",
                        "label": "Quelle essence ?",
                        "label_en": "Which species?",
                        "required": True,
                        "condition": {"field": "essence", "value": "autre"},
                    },
                    {
                        "key": "diametre",
                        "kind": "number",
                        "label": "Diamètre (cm)",
                        "label_en": "Diameter (cm)",
                        "required": True,
                        "min": 10,
                        "max": 300,
                    },
                    {
                        "key": "malade",
                        "kind": "checkbox",
                        "label": "L'arbre est malade",
                        "label_en": "The tree is sick",
                    },
                ],
            },
            {
                "title": "La maladie",
                "title_en": "The disease",
                "condition": {"field": "malade", "value": "yes"},
                "fields": [
                    {
                        "key": "symptomes",
                        "kind": "multiple_choice",
                        "label": "Symptômes",
                        "label_en": "Symptoms",
                        "required": True,
                        "choices": "feuilles|Feuilles jaunes\necorce|Écorce fendue",
                        "choices_en": "feuilles|Yellow leaves\necorce|Split bark",
                    },
                ],
            },
            {
                "title": "Confirmation",
                "title_en": "Confirmation",
                "fields": [
                    {"key": "date_souhaitee", "kind": "date", "label": "Date souhaitée"},
                    {"key": "telephone", "kind": "phone", "label": "Téléphone"},
                    {"key": "photo", "kind": "file", "label": "Photo", "file_types": "png, jpg"},
                    {"key": "details", "kind": "long_text", "label": "Précisions", "max": 500},
                    {
                        "key": "accord",
                        "kind": "consent",
                        "label": "J'atteste l'exactitude de ces renseignements.",
                        "required": True,
                    },
                ],
            },
        ],
    }
    data.update(overrides)
    return data


@pytest.fixture
def group(db):
    return factories.AssignmentGroupFactory(name="Environnement")


@pytest.fixture
def permit_type(group):
    request_type = factories.chain(
        ["1", "2<1"], group=group, code="PERMIT", name="Permis", published=True
    )
    request_type.default_assignment_group = group
    request_type.save()
    return request_type


@pytest.fixture
def permit(permit_type):
    """The form of ``permit_type``, published (version 1)."""
    return form_load(data=permit_form())


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def answers_step(number: int, **values) -> dict:
    """A step's POST: ``values`` by field key (``f_`` added), the action and a token."""
    data = {"action": values.pop("action", "next"), "token": values.pop("token", "a" * 32)}
    for key, value in values.items():
        data[f"f_{key}"] = value
    return data


@pytest.fixture
def stdout():
    return io.StringIO()
