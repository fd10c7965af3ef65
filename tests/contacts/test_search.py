"""The client search endpoint of the agents' forms, and the selector behind it."""

import pytest
from django.urls import reverse

from contacts.models import Client
from contacts.selectors import client_search
from tests import factories
from tests.explain import plan
from tests.helpers import text

pytestmark = pytest.mark.django_db

URL = "/agent/clients/search/"


@pytest.fixture
def people():
    return {
        "lea": factories.ClientFactory(
            first_name="Léa", last_name="Roy", email="lea.roy@example.org", phone="(514) 555-0101"
        ),
        "luc": factories.ClientFactory(
            first_name="Luc", last_name="Côté", email="luc@example.org", phone="418 555 9999"
        ),
    }


def test_the_url_is_under_agent_clients():
    assert reverse("contacts:search") == URL


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("roy", {"lea"}),
        ("LÉA", {"lea"}),
        ("Léa Roy", {"lea"}),
        ("luc@exa", {"luc"}),
        ("514-555-0101", {"lea"}),
        ("5550101", {"lea"}),
        ("555", {"lea", "luc"}),
        ("personne", set()),
        # Accents and case ignored both ways.
        ("lea", {"lea"}),
        ("LEA ROY", {"lea"}),
        ("COTE", {"luc"}),
        ("côte", {"luc"}),
        ("Lùc", {"luc"}),
        # Odd input is text like any other.
        ("%", set()),
        ("_", set()),
        ("\\", set()),
        ("'\"", set()),
        ("x" * 100, set()),
    ],
)
def test_clients_are_found_by_name_email_or_phone_digits(people, q, found):
    assert set(client_search(q=q)) == {people[k] for k in found}


def test_an_agent_gets_the_matches_as_choices(login, agent, people):
    response = login(agent).get(URL, {"q": "roy"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="client" value="{people["lea"].pk}"' in html
    assert "lea.roy@example.org" in html
    assert str(people["luc"].pk) not in html


def test_the_form_search_box_sends_its_own_field_name(login, agent, people):
    response = login(agent).get(URL, {"client_q": "Côté"})
    assert f'value="{people["luc"].pk}"' in response.content.decode()


def test_no_match_says_so(login, agent, people):
    response = login(agent).get(URL, {"q": "zzz"})
    assert "Aucun client trouvé" in text(response)


def test_a_manager_may_search_read_only(login, manager, people):
    assert login(manager).get(URL, {"q": "roy"}).status_code == 200


def test_a_citizen_may_not_search_clients(login, citizen, people):
    assert login(citizen).get(URL, {"q": "roy"}).status_code == 403


def test_an_anonymous_visitor_goes_to_the_login_page(client, people):
    response = client.get(URL, {"q": "roy"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_bad_input_is_a_400_not_a_500(login, agent):
    assert login(agent).get(URL, {"q": "a\x00b"}).status_code == 400
    assert login(agent).get(URL, {"q": "x" * 500}).status_code == 400


def test_a_manager_cannot_create_a_client_through_a_form(login, manager):
    response = login(manager).post(
        reverse("incidents:create"),
        {
            "new_first_name": "A",
            "new_last_name": "B",
            "channel": "phone",
            "title": "t",
            "priority": "3",
        },
    )
    assert response.status_code in (400, 403)
    assert not Client.objects.filter(first_name="A").exists()


def test_the_client_search_reads_the_trigram_indexes():
    # The three searched columns are compared as their one stored folded text.
    assert "client_search_trgm" in plan(client_search(q="lea 555"))
    assert "client_phone_trgm" in plan(client_search(q="514 555"))
