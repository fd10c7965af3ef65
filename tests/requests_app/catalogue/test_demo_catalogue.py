"""The demo's catalogue is real: published e-services in several themes with full procedure
pages in French and English, loaded again without change; existing types get an address."""

import importlib
import io
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from requests_app.catalogue.services import catalogue_load
from requests_app.models import ProcedureDocument, ProcedureLink, ProcedureStep, RequestType
from tests.factories import RequestTypeFactory
from tests.helpers import text

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[3] / "requests_app" / "fixtures"


@pytest.fixture(autouse=True)
def _media(media):
    """The demo's templates are written to a temporary folder, before the demo is loaded."""
    return media


def test_the_demo_offers_published_procedures_in_several_themes(faculty, client):
    # when
    response = client.get(reverse("portal:home"))

    # then
    assert response.status_code == 200
    codes = {t.slug for t in response.context["tiles"]}
    assert {"sync", "async", "travaux", "equipnum", "sorties"} <= codes
    assert len(response.context["themes"]) >= 3


@pytest.mark.parametrize("code", ["SYNC", "ASYNC", "TRAVAUX", "EQUIPNUM", "SORTIES"])
def test_every_demo_procedure_is_complete_in_both_languages(faculty, code):
    request_type = RequestType.objects.get(code=code)
    assert request_type.published and request_type.active
    for language in ("fr", "en"):
        with translation.override(language):
            for field in ("name", "summary", "eligibility", "processing_time"):
                assert getattr(request_type, f"{field}_{language}"), (code, field, language)
            for lines in (
                request_type.procedure_steps.all(),
                request_type.procedure_documents.all(),
                request_type.launch_buttons.all(),
                request_type.procedure_contacts.all(),
                request_type.procedure_links.all(),
            ):
                assert lines, (code, language)
            steps = request_type.procedure_steps.all()
            assert all(step.title_en and step.title_fr for step in steps)


def test_a_demo_template_downloads(faculty, client):
    # given
    document = ProcedureDocument.objects.get(
        request_type__code="SYNC", template_name="liste-presentateurs.csv"
    )

    # when
    response = client.get(
        reverse("portal:procedure_template", kwargs={"slug": "sync", "pk": document.pk})
    )

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert b"courriel" in b"".join(response.streaming_content)
    page = text(client.get(reverse("portal:procedure", args=["sync"])))
    assert reverse("portal:procedure_template", kwargs={"slug": "sync", "pk": document.pk}) in page
    assert "CSV" in page


def test_loading_the_demo_again_changes_no_procedure(faculty):
    # given
    before = list(ProcedureStep.objects.order_by("pk").values())
    templates = list(ProcedureDocument.objects.order_by("pk").values_list("pk", "template"))

    # when
    call_command("seed_demo", "--no-samples", stdout=io.StringIO())

    # then
    assert list(ProcedureStep.objects.order_by("pk").values()) == before
    assert list(ProcedureDocument.objects.order_by("pk").values_list("pk", "template")) == templates


def test_the_migration_gives_existing_types_an_address_from_their_code():
    # given: types from before the migration, without an address
    migration = importlib.import_module("requests_app.migrations.0018_catalogue_procedures")
    first = RequestTypeFactory(code="SYNC")
    second = RequestTypeFactory(code="ASYNC", slug="classe-asynchrone")
    RequestType.objects.filter(pk=first.pk).update(slug="")

    # when
    migration.slugs_from_codes(apps, None)

    # then
    assert RequestType.objects.get(pk=first.pk).slug == "sync"
    assert RequestType.objects.get(pk=second.pk).slug == "classe-asynchrone"


def test_a_catalogue_file_with_a_script_link_is_refused(faculty):
    # given
    data = json.loads((FIXTURES / "faculty_catalogue.json").read_text(encoding="utf-8"))
    data["request_types"][0]["procedure"]["links"] = [
        {"label": "FAQ", "url": "javascript:alert(1)"}
    ]

    # when / then
    with pytest.raises(ValidationError):
        catalogue_load(data=data, files=FIXTURES / "templates")
    assert not ProcedureLink.objects.filter(url__startswith="javascript").exists()
