"""Configuration text typed in French and English in the admin (django-modeltranslation)."""

import pytest
from django.urls import reverse
from django.utils import translation

from requests_app.models import IncidentCategory, RequestType, Theme
from tests.helpers import text

pytestmark = pytest.mark.django_db

PROCEDURE_INLINES = [
    "procedure_steps",
    "procedure_documents",
    "launch_buttons",
    "procedure_contacts",
    "procedure_links",
]


def test_names_follow_the_active_language_and_fall_back_to_french():
    # given
    theme = Theme.objects.create(name_fr="Formation", name_en="Training")
    category = IncidentCategory.objects.create(name_fr="Accès", name_en="")

    # then
    with translation.override("en"):
        assert str(Theme.objects.get(pk=theme.pk)) == "Training"
        assert str(IncidentCategory.objects.get(pk=category.pk)) == "Accès"
    with translation.override("fr"):
        assert str(Theme.objects.get(pk=theme.pk)) == "Formation"


def test_an_administrator_types_both_languages_in_the_admin(login, administrator):
    # given
    client = login(administrator)

    # when
    response = client.post(
        reverse("admin:requests_app_requesttype_add"),
        {
            "code": "hybr",
            "active": "on",
            "name_fr": "Hybride",
            "name_en": "Hybrid",
            "description_fr": "Cours en partie à distance.",
            "description_en": "Partly remote courses.",
            "icon": "easel",
            # The procedure page's lists (inlines), left empty.
            **{
                f"{prefix}-{name}": value
                for prefix in PROCEDURE_INLINES
                for name, value in [("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0")]
            },
        },
    )

    # then
    assert response.status_code == 302, text(response)[:2000]
    request_type = RequestType.objects.get(code="HYBR")
    with translation.override("en"):
        assert request_type.name == "Hybrid"
        assert request_type.description == "Partly remote courses."
    with translation.override("fr"):
        assert request_type.name == "Hybride"
    assert request_type.history.count() == 1


def test_several_names_may_stay_untranslated_in_the_admin(login, administrator):
    # given
    client = login(administrator)

    # when: two categories typed in French only
    for name in ("Accès", "Matériel"):
        response = client.post(
            reverse("admin:requests_app_incidentcategory_add"), {"name_fr": name, "name_en": ""}
        )
        assert response.status_code == 302, text(response)[:2000]

    # then: both are kept, and fall back to French in English
    assert IncidentCategory.objects.count() == 2
    with translation.override("en"):
        assert sorted(str(c) for c in IncidentCategory.objects.all()) == ["Accès", "Matériel"]
