"""Assisted requests (seed 000): an agent files for a citizen through the type's own form,
finding or creating the client and recording the channel."""

import pytest
from django.urls import reverse

from contacts.models import Client
from requests_app.requests.models import ServiceRequest
from tests import factories
from tests.helpers import text

from .conftest import answers_step

pytestmark = pytest.mark.django_db

TOKEN = "9" * 32


def step_url(client: Client, request_type, number: int) -> str:
    return reverse("requests:assisted_step", args=[client.pk, request_type.pk, number])


def test_an_agent_files_for_a_new_client_by_phone(login, agent, permit, permit_type):
    browser = login(agent)

    response = browser.post(
        reverse("requests:assisted_start"),
        {
            "new_first_name": "Paul",
            "new_last_name": "Tremblay",
            "new_email": "paul@example.org",
            "new_phone": "514 555-0199",
            "request_type": permit_type.pk,
            "channel": ServiceRequest.Channel.PHONE,
        },
    )

    person = Client.objects.get(email="paul@example.org")
    assert response.status_code == 302 and response.url == step_url(person, permit_type, 1)
    first = text(browser.get(response.url))
    assert 'value="Paul Tremblay"' in first  # pre-filled from the client's profile
    for number, values in [
        (1, {"nom": "Paul Tremblay", "courriel": "paul@example.org"}),
        (2, {"essence": "erable", "diametre": "25"}),
        (4, {"accord": "on"}),
    ]:
        response = browser.post(
            step_url(person, permit_type, number), answers_step(number, token=TOKEN, **values)
        )
        assert response.status_code == 302, text(response)
    request = ServiceRequest.objects.get()
    assert response.url == request.get_absolute_url()
    assert request.requester == person
    assert request.channel == ServiceRequest.Channel.PHONE
    assert request.created_by == agent and request.is_assisted
    assert request.tasks.count() == 2
    page = text(browser.get(request.get_absolute_url()))
    assert "Essence" in page and "Érable" in page  # answers under the form's labels
    assert "essence" not in page.replace("Essence", "")


def test_an_agent_files_for_a_client_found_by_the_search(login, agent, permit, permit_type):
    person = factories.ClientFactory(first_name="Léa", last_name="Roy")
    browser = login(agent)

    start = browser.get(reverse("requests:assisted_start") + f"?client={person.pk}")
    response = browser.post(
        reverse("requests:assisted_start"),
        {"client": person.pk, "request_type": permit_type.pk, "channel": "counter"},
    )

    assert "Léa Roy" in text(start)
    assert response.url == step_url(person, permit_type, 1)


def test_the_client_page_and_the_request_list_link_to_it(login, agent, permit):
    person = factories.ClientFactory()
    browser = login(agent)
    start = reverse("requests:assisted_start")
    assert f"{start}?client={person.pk}" in text(browser.get(person.get_absolute_url()))
    assert start in text(browser.get(reverse("requests:list")))


def test_citizens_and_managers_may_not_file_for_someone(
    login, citizen, manager, permit, permit_type
):
    person = factories.ClientFactory()
    for user, status in ((citizen, 403), (manager, 403)):
        browser = login(user)
        assert browser.get(reverse("requests:assisted_start")).status_code == status
        assert browser.get(step_url(person, permit_type, 1)).status_code == status


def test_a_step_without_a_started_filling_goes_back_to_the_start(login, agent, permit, permit_type):
    person = factories.ClientFactory()
    response = login(agent).get(step_url(person, permit_type, 1))
    assert response.status_code == 302
    assert response.url.startswith(reverse("requests:assisted_start"))
