"""A procedure page (fiche démarche) at /services/<slug>/: everything a citizen reads before
filing, the templates to download, the launch buttons; nothing of an unpublished type."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from requests_app.forms.services import form_load
from tests.factories import RequestTypeFactory
from tests.helpers import text
from tests.requests_app.forms.conftest import permit_form

from .factories import (
    LaunchButtonFactory,
    ProcedureContactFactory,
    ProcedureDocumentFactory,
    ProcedureLinkFactory,
    ProcedureStepFactory,
    PublishedTypeFactory,
    ThemeFactory,
    full_procedure,
)

pytestmark = pytest.mark.django_db

CSV = b"nom;courriel\nMarie;marie@example.org\n"


def page_of(request_type) -> str:
    return reverse("portal:procedure", kwargs={"slug": request_type.slug})


def with_template(document, content: bytes = CSV, name: str = "modele.csv"):
    document.template.save(name, ContentFile(content), save=False)
    document.template_name = name
    document.template_content_type = "text/csv; charset=utf-8"
    document.template_size = len(content)
    document.save()
    return document


@pytest.fixture
def sync(media):
    request_type = PublishedTypeFactory(
        code="SYNC",
        name="Classe virtuelle",
        theme=ThemeFactory(name="Formation à distance"),
        summary="Donnez votre cours en direct.",
        eligibility="Vous êtes responsable d'un cours\n- Le cours est offert au trimestre\n\n",
        processing_time="premier contact sous 5 jours ouvrables",
    )
    ProcedureStepFactory(request_type=request_type, position=2, title="Entrevue")
    ProcedureStepFactory(request_type=request_type, position=1, title="Vous déposez la demande")
    with_template(
        ProcedureDocumentFactory(request_type=request_type, name="Liste des présentateurs")
    )
    ProcedureDocumentFactory(request_type=request_type, name="Calendrier", required=False)
    LaunchButtonFactory(request_type=request_type, position=1, label="Demander une classe")
    LaunchButtonFactory(
        request_type=request_type,
        position=2,
        label="Plusieurs présentateurs",
        description="Le cours a des invités.",
        variant="presentateurs",
    )
    ProcedureContactFactory(
        request_type=request_type,
        name="Centre FAD",
        role="Conseillers",
        email="fad@example.org",
        phone="514 343-6111",
        hours="Lundi au vendredi",
    )
    ProcedureLinkFactory(request_type=request_type, label="FAQ", url="https://example.org/faq")
    return request_type


def test_the_page_shows_every_part_of_the_procedure(client, sync):
    # when
    response = client.get(page_of(sync))

    # then
    page = text(response)
    assert response.status_code == 200
    assert "<h1" in page and "Classe virtuelle" in page
    assert "Donnez votre cours en direct." in page
    assert "premier contact sous 5 jours ouvrables" in page
    assert page.index("Vous déposez la demande") < page.index("Entrevue")
    assert response.context["eligibility"] == [
        "Vous êtes responsable d'un cours",
        "Le cours est offert au trimestre",
    ]
    assert "Liste des présentateurs" in page and "obligatoire" in page
    assert "Calendrier" in page and "si nécessaire" in page
    assert "Centre FAD" in page and "mailto:fad@example.org" in page and "tel:514343-6111" in page
    assert 'href="https://example.org/faq"' in page


def test_breadcrumbs_lead_back_to_the_catalogue_and_the_theme(client, sync):
    page = text(client.get(page_of(sync)))
    home = reverse("portal:home")
    assert 'data-testid="breadcrumb"' in page
    assert f'href="{home}"' in page
    assert f'href="{home}?theme={sync.theme_id}"' in page
    assert 'aria-current="page">Classe virtuelle' in page


def test_launch_buttons_lead_to_the_form_start_with_their_variant(client, sync):
    page = text(client.get(page_of(sync)))
    start = reverse("portal:request_start", kwargs={"slug": "sync"})
    assert f'href="{start}"' in page
    assert f'href="{start}?variant=presentateurs"' in page
    assert page.index("Demander une classe") < page.index("Plusieurs présentateurs")
    assert "Le cours a des invités." in page


def test_a_page_without_buttons_still_offers_to_start(client):
    request_type = PublishedTypeFactory()
    page = text(client.get(page_of(request_type)))
    assert reverse("portal:request_start", kwargs={"slug": request_type.slug}) in page


def test_the_page_in_english_falls_back_to_french_where_untranslated(client, settings):
    # given
    request_type = PublishedTypeFactory(name_fr="Classe virtuelle", name_en="Virtual class")
    ProcedureStepFactory(request_type=request_type, title_fr="Entrevue", title_en="Interview")
    ProcedureStepFactory(request_type=request_type, title_fr="Conformité", title_en=None)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    # when
    page = text(client.get(page_of(request_type)))

    # then
    assert "Virtual class" in page and "How it works" in page
    assert "Interview" in page and "Conformité" in page


@pytest.mark.parametrize(
    "hidden",
    [{"published": False}, {"active": False}],
    ids=["unpublished", "inactive"],
)
def test_a_type_not_shown_on_the_portal_has_no_page(client, hidden):
    request_type = RequestTypeFactory(**{"published": True, **hidden})
    assert client.get(page_of(request_type)).status_code == 404


def test_an_unknown_address_answers_404(client):
    assert client.get(reverse("portal:procedure", kwargs={"slug": "nope"})).status_code == 404


def test_the_page_costs_the_same_queries_with_one_or_many_lines(client):
    # given
    def count(request_type) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page_of(request_type)).status_code == 200
        return len(captured)

    lean = full_procedure(PublishedTypeFactory(), lines=1)
    rich = full_procedure(PublishedTypeFactory(), lines=12)

    # then
    assert count(lean) == count(rich) <= 6


# Templates to download -----------------------------------------------------------------------


def template_url(document) -> str:
    return reverse(
        "portal:procedure_template",
        kwargs={"slug": document.request_type.slug, "pk": document.pk},
    )


def test_a_template_downloads_as_an_attachment_of_its_checked_type(client, sync):
    # given
    document = sync.procedure_documents.get(name="Liste des présentateurs")

    # when
    response = client.get(template_url(document))

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="modele.csv"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == CSV
    assert template_url(document) in text(client.get(page_of(sync)))


@pytest.mark.parametrize("hidden", [{"published": False}, {"active": False}])
def test_a_template_of_a_type_not_on_the_portal_answers_404(client, sync, hidden):
    document = sync.procedure_documents.get(name="Liste des présentateurs")
    type(sync).objects.filter(pk=sync.pk).update(**hidden)
    assert client.get(template_url(document)).status_code == 404


def test_a_template_asked_under_another_types_address_answers_404(client, sync):
    document = sync.procedure_documents.get(name="Liste des présentateurs")
    other = PublishedTypeFactory()
    url = reverse("portal:procedure_template", kwargs={"slug": other.slug, "pk": document.pk})
    assert client.get(url).status_code == 404


def test_a_document_without_template_has_nothing_to_download(client, sync):
    document = sync.procedure_documents.get(name="Calendrier")
    assert client.get(template_url(document)).status_code == 404


def test_a_template_whose_file_is_gone_answers_404(client, sync):
    document = sync.procedure_documents.get(name="Liste des présentateurs")
    document.template.storage.delete(document.template.name)
    assert client.get(template_url(document)).status_code == 404


# Starting the request --------------------------------------------------------------------------


def start_of(request_type) -> str:
    return reverse("portal:request_start", kwargs={"slug": request_type.slug})


def test_starting_a_request_asks_an_anonymous_visitor_to_log_in_first(client, sync):
    form_load(data=permit_form(code="SYNC"))  # its form, published
    response = client.get(start_of(sync))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert response["Location"].endswith("?next=" + start_of(sync))


def test_starting_a_request_of_an_unpublished_type_answers_404(client, citizen):
    client.force_login(citizen)
    request_type = RequestTypeFactory(published=False)
    assert client.get(start_of(request_type)).status_code == 404
