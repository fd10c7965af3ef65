"""Administrators write procedure pages in the admin, in French and English: inlines ordered by
drag and drop, templates checked from their content, links http(s) only."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from requests_app.models import ProcedureDocument, ProcedureLink, RequestType
from tests.helpers import text

from .factories import PublishedTypeFactory, full_procedure

pytestmark = pytest.mark.django_db

INLINES = {
    "procedure_steps": ["title_fr", "title_en", "text_fr", "text_en"],
    "procedure_documents": ["name_fr", "name_en", "description_fr", "description_en", "required"],
    "launch_buttons": ["label_fr", "label_en", "description_fr", "description_en", "variant"],
    "procedure_contacts": ["name_fr", "name_en", "role_fr", "email", "phone", "hours_fr"],
    "procedure_links": ["label_fr", "label_en", "url"],
}


def management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def type_form(**extra) -> dict:
    data = {
        "code": "trav",
        "active": "on",
        "published": "on",
        "name_fr": "Demande de travaux",
        "name_en": "Request for works",
        "icon": "tools",
        "summary_fr": "Signalez des travaux.",
        "summary_en": "Report works.",
        "eligibility_fr": "Chefs d'établissement",
        "processing_time_fr": "15 jours",
    }
    for prefix in INLINES:
        data.update(management(prefix, 0))
    data.update(extra)
    return data


def test_the_change_form_shows_every_inline_sortable_with_language_tabs(login, administrator):
    # given
    request_type = full_procedure(PublishedTypeFactory(), lines=2)

    # when
    response = login(administrator).get(
        reverse("admin:requests_app_requesttype_change", args=[request_type.pk])
    )

    # then
    page = text(response)
    assert response.status_code == 200
    for prefix, fields in INLINES.items():
        assert f'name="{prefix}-TOTAL_FORMS"' in page
        for field in fields:
            assert f'name="{prefix}-0-{field}"' in page, (prefix, field)
        assert f'name="{prefix}-1-position"' in page
    assert "adminsortable2/js/adminsortable2" in page
    assert "vendor/jquery-ui/jquery-ui.min.js" in page
    assert "modeltranslation/js/tabbed_translation_fields.js" in page
    assert "googleapis" not in page


def test_an_administrator_writes_a_procedure_in_both_languages_in_order(
    login, administrator, media
):
    # given
    data = type_form(
        **management("procedure_steps", 2),
        **{
            "procedure_steps-0-title_fr": "Décrivez les travaux",
            "procedure_steps-0-title_en": "Describe the works",
            "procedure_steps-0-position": "2",
            "procedure_steps-1-title_fr": "Recevabilité",
            "procedure_steps-1-title_en": "Admissibility",
            "procedure_steps-1-position": "1",
        },
        **management("procedure_documents", 1),
        **{
            "procedure_documents-0-name_fr": "Fiche travaux",
            "procedure_documents-0-name_en": "Works form",
            "procedure_documents-0-required": "on",
            "procedure_documents-0-position": "1",
            "procedure_documents-0-template": SimpleUploadedFile(
                "fiche travaux.csv", b"salle;travaux\nA104;peinture\n", "text/plain"
            ),
        },
        **management("launch_buttons", 1),
        **{
            "launch_buttons-0-label_fr": "Demander des travaux",
            "launch_buttons-0-label_en": "Ask for works",
            "launch_buttons-0-variant": "urgence",
            "launch_buttons-0-position": "1",
        },
        **management("procedure_links", 1),
        **{
            "procedure_links-0-label_fr": "FAQ",
            "procedure_links-0-url": "https://example.org/faq",
            "procedure_links-0-position": "1",
        },
    )

    # when
    response = login(administrator).post(reverse("admin:requests_app_requesttype_add"), data)

    # then
    assert response.status_code == 302, text(response)[:3000]
    request_type = RequestType.objects.get(code="TRAV")
    assert request_type.slug == "trav" and request_type.published
    with translation.override("en"):
        steps = [s.title for s in request_type.procedure_steps.all()]
        assert steps == ["Admissibility", "Describe the works"]
        assert request_type.summary == "Report works."
        # Left empty in English: the French text shows.
        assert request_type.eligibility == "Chefs d'établissement"
    document = request_type.procedure_documents.get()
    assert document.template_name == "fiche travaux.csv"
    assert document.template_content_type == "text/csv; charset=utf-8"
    assert document.template.name.startswith("procedures/")
    assert "fiche" not in document.template.name
    assert request_type.launch_buttons.get().variant == "urgence"


def docx_with_macros() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/vbaProject.bin", b"\x00macro")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("modele.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),  # an executable
        ("modele.docx", docx_with_macros()),
        ("modele.csv", b"<html><script>alert(1)</script></html>"),
        ("vide.pdf", b""),
    ],
    ids=["exe-as-pdf", "macros", "html-as-csv", "empty"],
)
def test_a_template_that_is_not_what_it_claims_is_refused(
    login, administrator, media, name, content
):
    # given
    data = type_form(
        **management("procedure_documents", 1),
        **{
            "procedure_documents-0-name_fr": "Modèle",
            "procedure_documents-0-position": "1",
            "procedure_documents-0-template": SimpleUploadedFile(name, content),
        },
    )

    # when
    response = login(administrator).post(reverse("admin:requests_app_requesttype_add"), data)

    # then
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][1].formset.errors[0]["template"]
    assert not RequestType.objects.filter(code="TRAV").exists()
    assert not ProcedureDocument.objects.exists()


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.org/faq", "data:text/html,hi", "faq"]
)
def test_a_link_must_be_http_or_https(login, administrator, url):
    # given
    data = type_form(
        **management("procedure_links", 1),
        **{
            "procedure_links-0-label_fr": "FAQ",
            "procedure_links-0-url": url,
            "procedure_links-0-position": "1",
        },
    )

    # when
    response = login(administrator).post(reverse("admin:requests_app_requesttype_add"), data)

    # then
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][4].formset.errors[0]["url"]
    assert not ProcedureLink.objects.exists()


def test_an_agent_may_not_edit_the_catalogue(login, agent):
    request_type = PublishedTypeFactory()
    response = login(agent).get(
        reverse("admin:requests_app_requesttype_change", args=[request_type.pk])
    )
    assert response.status_code in (302, 403)
