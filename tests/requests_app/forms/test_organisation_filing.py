"""A member of an organisation files a request for it on the last step of the form; the other
members follow it; nobody files for an organisation they are not a member of."""

import pytest
from django.urls import reverse
from django.utils import translation

from contacts.models import PartnerMembership
from requests_app.forms.models import FormField, FormStep
from requests_app.forms.services import form_load
from requests_app.requests.models import ServiceRequest
from tests import factories
from tests.helpers import text

from .conftest import answers_step, permit_form
from .test_filling import TOKEN, fill_to_last_step, step_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(citizen, other_citizen):
    school = factories.PartnerFactory(name="École des Saules")
    PartnerMembership.objects.create(partner=school, user=citizen, role="member")
    PartnerMembership.objects.create(partner=school, user=other_citizen, role="manager")
    return school


def test_the_last_step_asks_whom_the_request_is_for(login, citizen, permit, school):
    client = login(citizen)
    fill_to_last_step(client)
    page = text(client.get(step_url(4)))
    assert 'data-testid="filed-for"' in page
    assert "École des Saules" in page


def test_a_member_files_for_the_organisation_and_the_others_follow_it(
    login, citizen, other_citizen, permit, school
):
    # given
    client = login(citizen)
    fill_to_last_step(client)
    # when
    response = client.post(
        step_url(4), {**answers_step(4, accord="on", token=TOKEN), "organisation": str(school.pk)}
    )
    # then
    assert response.status_code == 302
    request = ServiceRequest.objects.get()
    assert request.organisation == school
    assert request.requester == citizen.client
    colleague = login(other_citizen)
    assert request.number in text(colleague.get(reverse("portal:my_requests")))
    detail = colleague.get(reverse("portal:my_request_detail", args=[request.pk]))
    assert detail.status_code == 200


def test_filing_for_oneself_leaves_the_organisation_out(login, citizen, permit, school):
    client = login(citizen)
    fill_to_last_step(client)
    client.post(step_url(4), {**answers_step(4, accord="on", token=TOKEN), "organisation": ""})
    assert ServiceRequest.objects.get().organisation is None


def test_an_organisation_one_is_not_a_member_of_is_refused(login, citizen, permit, school):
    other = factories.PartnerFactory(name="Collège voisin")
    client = login(citizen)
    fill_to_last_step(client)
    for value in (str(other.pk), "nope", "9" * 30):
        response = client.post(
            step_url(4), {**answers_step(4, accord="on", token=TOKEN), "organisation": value}
        )
        assert response.status_code == 400
        assert "Choisissez l’une de vos organisations" in text(response)
    assert not ServiceRequest.objects.exists()


def test_submissions_past_the_hourly_limit_are_refused_with_429(login, citizen, permit, settings):
    settings.PORTAL_SUBMISSION_LIMIT_PER_HOUR = 1
    client = login(citizen)
    fill_to_last_step(client)
    first = client.post(step_url(4), answers_step(4, accord="on", token=TOKEN))
    assert first.status_code == 302
    other = "d" * 32
    client.post(
        step_url(1), answers_step(1, nom="Ana Roy", courriel="ana@example.org", token=other)
    )
    client.post(step_url(2), answers_step(2, essence="erable", diametre="40", token=other))
    second = client.post(step_url(4), answers_step(4, accord="on", token=other))
    assert second.status_code == 429
    assert ServiceRequest.objects.count() == 1


def test_a_form_description_loads_in_french_whatever_language_is_active(permit_type):
    # given a request in English (an English-speaking administrator, a leaked activation)
    with translation.override("en"):
        # when
        form_load(data=permit_form())
    # then the plain texts are French and the _en ones English
    step = FormStep.objects.order_by("position").first()
    assert (step.title_fr, step.title_en) == ("Vous", "You")
    field = FormField.objects.get(key="nom")
    assert (field.label_fr, field.label_en) == ("Nom complet", "Full name")
