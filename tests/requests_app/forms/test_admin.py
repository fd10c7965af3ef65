"""The form factory in the admin: the change page with its sortable steps and fields, the
preview as the citizen sees it, and publishing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from requests_app.forms.models import FormField, FormVersion
from requests_app.forms.services import form_load
from tests import factories
from tests.helpers import text

from .conftest import permit_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(factories.administrator())
    return client


def test_the_change_page_orders_steps_and_fields_by_drag_and_drop(admin_client, permit):
    response = admin_client.get(
        reverse("admin:requests_app_formdefinition_change", args=[permit.pk])
    )
    page = text(response)
    assert response.status_code == 200
    assert "adminsortable2" in page and "sortable" in page
    assert 'data-testid="form-preview-link"' in page
    assert "label_en" in page  # typed in French and English


def test_the_preview_renders_every_step_as_the_citizen_sees_it(admin_client, permit):
    FormField.objects.filter(form=permit, key="nom").update(label="Nom (brouillon)")

    response = admin_client.get(
        reverse("admin:requests_app_formdefinition_preview", args=[permit.pk])
    )

    page = text(response)
    assert response.status_code == 200
    assert 'data-testid="preview-banner"' in page
    assert "Nom (brouillon)" in page  # the saved definition, not the published version
    assert page.count("<section") >= 4
    assert 'data-show-when="f_essence"' in page


def test_publishing_from_the_admin_makes_a_new_version(admin_client, permit):
    FormField.objects.filter(form=permit, key="nom").update(label="Votre nom")
    url = reverse("admin:requests_app_formdefinition_publish", args=[permit.pk])

    assert admin_client.get(url).status_code == 405
    response = admin_client.post(url)

    assert response.status_code == 302
    assert FormVersion.objects.filter(form=permit).count() == 2
    again = admin_client.post(url, follow=True)
    assert FormVersion.objects.filter(form=permit).count() == 2
    assert "messagelist" in text(again)


def test_agents_reach_neither_the_preview_nor_publishing(client, permit):
    client.force_login(factories.agent())
    preview = reverse("admin:requests_app_formdefinition_preview", args=[permit.pk])
    publish = reverse("admin:requests_app_formdefinition_publish", args=[permit.pk])
    assert client.get(preview).status_code == 302  # to the admin's login
    assert client.post(publish).status_code == 302
    assert FormVersion.objects.filter(form=permit).count() == 1


def test_a_field_is_checked_when_the_administrator_saves_it(permit):
    other_form = factories.RequestTypeFactory()
    other = form_load(data=permit_form(code=other_form.code))
    field = FormField.objects.get(form=permit, key="nom")
    cases = {
        "pattern": {"pattern": "[a-z"},
        "choices": {"kind": "single_choice", "choices": ""},
        "max_value": {"min_value": 5, "max_value": 1},
        "file_types": {"kind": "file", "file_types": "pdf, exe"},
        "condition_field": {"condition_field": other.fields.first()},
        "key": {"key": "Nom Complet"},
    }
    for error_field, changes in cases.items():
        candidate = FormField.objects.get(pk=field.pk)
        for name, value in changes.items():
            setattr(candidate, name, value)
        with pytest.raises(ValidationError) as caught:
            candidate.full_clean()
        assert error_field in caught.value.message_dict, error_field
