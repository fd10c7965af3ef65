"""Course-grid fixtures: the faculty's catalogue (SYNC, ASYNC) and grid files built in tests."""

import io

import pytest
from django.core.management import call_command
from django.utils import translation

from requests_app.models import RequestType

HEADER = [
    "sigle",
    "titre",
    "trimestre",
    "departement",
    "responsable_nom",
    "responsable_courriel",
    "approche",
    "date_debut",
    "presentateurs",
]


def row(**overrides) -> dict:
    """A valid grid row; keyword arguments replace its cells."""
    values = {
        "sigle": "MMD1234",
        "titre": "Anatomie générale",
        "trimestre": "A2026",
        "departement": "Pathologie",
        "responsable_nom": "Marie Tremblay",
        "responsable_courriel": "marie.tremblay@umontreal.example",
        "approche": "SYNC",
        "date_debut": "2026-09-08",
        "presentateurs": "",
    }
    values.update(overrides)
    return values


def grid(rows, *, delimiter=";", bom=False, header=None) -> bytes:
    """CSV bytes of ``rows`` (dicts keyed by column, or lists of cells written as they are)."""
    header = header or HEADER
    lines = [delimiter.join(header)]
    for r in rows:
        cells = r if isinstance(r, list) else [r.get(name, "") for name in HEADER]
        lines.append(delimiter.join(_quoted(cell, delimiter) for cell in cells))
    text = "\r\n".join(lines) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def _quoted(cell: str, delimiter: str) -> str:
    if delimiter in cell or '"' in cell or "\n" in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


@pytest.fixture
def faculty(db):
    """Demo users and groups, and the faculty catalogue: request types SYNC and ASYNC."""
    call_command("seed_demo", "--no-samples", stdout=io.StringIO())
    return {t.code: t for t in RequestType.objects.all()}


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
