"""The global search of the shell: clients, partners, contacts, requests and incidents found by
name, e-mail, phone or number, grouped by kind and capped per kind, at a constant number of
queries; the dropdown as one types and the full results page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts import search as contact_search
from contacts.models import Client
from reporting import search
from tests import factories
from tests.helpers import text

pytestmark = pytest.mark.django_db

PAGE = "/agent/search/"
SUGGEST = "/agent/search/suggest/"


@pytest.fixture
def world():
    lea = factories.ClientFactory(
        first_name="Léa", last_name="Jodöin", email="lea@example.org", phone="(514) 555-0101"
    )
    marc = factories.ClientFactory(first_name="Marc", last_name="Jodoin-Tremblay")
    other = factories.ClientFactory(first_name="Paul", last_name="Roy")
    partner = factories.PartnerFactory(name="Jodoin Électrique", email="info@jodoin.example")
    contact = factories.ContactFactory(
        partner=partner, first_name="Sylvie", last_name="Côté", phone="438 555 0202"
    )
    request = factories.ServiceRequestFactory(requester=other, title="Salle pour Jodoin")
    incident = factories.IncidentFactory(requester=lea, title="Projecteur muet")
    return {
        "lea": lea,
        "marc": marc,
        "other": other,
        "partner": partner,
        "contact": contact,
        "request": request,
        "incident": incident,
    }


def found(groups) -> dict[str, list[str]]:
    return {group.kind: [hit.title for hit in group.hits] for group in groups}


def test_the_urls():
    assert reverse("agent:search") == PAGE
    assert reverse("agent:search_suggest") == SUGGEST


@pytest.mark.parametrize("q", ["Jodoin", "jodoin", "JODÖIN", "  jodoin  "])
def test_a_name_finds_every_kind_accents_and_case_aside(agent, world, q):
    groups = found(search.global_search(user=agent, q=q))
    assert set(groups["client"]) == {"Léa Jodöin", "Marc Jodoin-Tremblay"}
    assert groups["partner"] == ["Jodoin Électrique"]
    # the request by its title, the incident by its requester's name
    assert groups["request"] == [f"{world['request'].number} Salle pour Jodoin"]
    assert groups["incident"] == [f"{world['incident'].number} Projecteur muet"]
    assert "contact" not in groups  # nothing found of a kind: no group
    assert list(groups) == ["client", "partner", "request", "incident"]


def test_an_email_a_phone_or_a_number_finds_its_record(agent, world):
    assert found(search.global_search(user=agent, q="lea@example"))["client"] == ["Léa Jodöin"]
    assert found(search.global_search(user=agent, q="info@jodoin"))["partner"] == [
        "Jodoin Électrique"
    ]
    by_phone = found(search.global_search(user=agent, q="514-555-0101"))
    assert by_phone["client"] == ["Léa Jodöin"]
    assert found(search.global_search(user=agent, q="4385550202"))["contact"] == ["Sylvie Côté"]
    request, incident = world["request"], world["incident"]
    by_number = found(search.global_search(user=agent, q=request.number))
    assert by_number == {"request": [f"{request.number} Salle pour Jodoin"]}
    by_number = found(search.global_search(user=agent, q=f"inc {incident.pk}"))
    assert by_number == {"incident": [f"{incident.number} Projecteur muet"]}


def test_results_are_capped_per_kind_and_say_there_are_more(agent):
    factories.ClientFactory.create_batch(8, last_name="Tremblay")
    groups = search.global_search(user=agent, q="tremblay", limit=5)
    assert len(groups[0].hits) == 5 and groups[0].more
    assert groups[0].more_url == "/agent/clients/"
    assert not search.global_search(user=agent, q="tremblay", limit=20)[0].more


def test_the_search_costs_the_same_queries_with_few_or_many_matches(agent):
    factories.ClientFactory(last_name="Gagnon")
    factories.PartnerFactory(name="Gagnon inc.")
    search.global_search(user=agent, q="gagnon")  # the user's permissions, read once
    with CaptureQueriesContext(connection) as few:
        search.global_search(user=agent, q="gagnon")
    factories.ClientFactory.create_batch(30, last_name="Gagnon")
    factories.PartnerFactory.create_batch(30, name="Gagnon et fils")
    factories.ContactFactory.create_batch(10, last_name="Gagnon")
    for _ in range(3):
        factories.ServiceRequestFactory(title="Gagnon")
    with CaptureQueriesContext(connection) as many:
        groups = search.global_search(user=agent, q="gagnon")
    assert len(many) == len(few) <= 8
    assert {g.kind for g in groups} == {"client", "partner", "contact", "request"}


def test_past_the_sorted_cap_a_kind_shows_its_newest_matches_sorted(agent, monkeypatch):
    # given more clients and partners found than the search sorts whole
    monkeypatch.setattr(search, "SORTED_CAP", 3)
    monkeypatch.setattr(contact_search, "REQUESTER_IDS_CAP", 3)
    for first in ("Zoé", "Anne", "Marc", "Léa", "Yves"):
        factories.ClientFactory(first_name=first, last_name="Tremblay")
    for name in ("Tremblay Zinc", "Tremblay Acier", "Tremblay Bois", "Tremblay Verre"):
        factories.PartnerFactory(name=name)
    anne = Client.objects.get(first_name="Anne")
    factories.ServiceRequestFactory(title="Demande", requester=anne)
    # when two of each are asked for
    groups = {g.kind: g for g in search.global_search(user=agent, q="tremblay", limit=2)}
    # then the newest are shown (three read, to tell there are more), in name order, with a
    # link to all of them
    assert [h.title for h in groups["client"].hits] == ["Léa Tremblay", "Marc Tremblay"]
    assert [h.title for h in groups["partner"].hits] == ["Tremblay Acier", "Tremblay Bois"]
    assert groups["client"].more and groups["partner"].more
    # and the requests of every client found are still found
    assert [h.title.split(" ", 1)[1] for h in groups["request"].hits] == ["Demande"]


def test_the_dropdown_shows_the_top_matches_grouped_with_a_link_to_all(client, agent, world):
    client.force_login(agent)
    answer = client.get(SUGGEST, {"q": "jodoin"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    body = text(answer)
    assert "<html" not in body
    for obj in (world["lea"], world["marc"], world["partner"], world["request"]):
        assert f'href="{obj.get_absolute_url()}"' in body
    assert f'href="{PAGE}?q=jodoin"' in body
    assert "Clients" in body and "Partenaires" in body
    # an empty box: an empty answer, the dropdown closes
    assert client.get(SUGGEST, {"q": " "}).content.strip() == b""
    nothing = client.get(SUGGEST, {"q": "zzzz"})
    assert "Rien trouvé pour « zzzz »." in text(nothing)


def test_the_results_page_lists_every_kind(client, agent, world):
    client.force_login(agent)
    page = client.get(PAGE, {"q": "jodoin"})
    assert page.status_code == 200
    body = text(page)
    for kind in ("client", "partner", "request", "incident"):
        assert f'data-testid="search-group-{kind}"' in body
    assert f'href="{world["incident"].get_absolute_url()}"' in body
    assert client.get(PAGE).status_code == 200


def test_the_shell_has_the_search_box(client, agent):
    client.force_login(agent)
    body = text(client.get("/agent/"))
    assert 'data-testid="global-search"' in body and f'hx-get="{SUGGEST}"' in body


def test_a_manager_searches_citizens_and_visitors_do_not(client, manager, citizen, world):
    client.force_login(manager)
    assert "Léa Jodöin" in text(client.get(PAGE, {"q": "jodoin"}))
    client.force_login(citizen)
    assert client.get(PAGE, {"q": "jodoin"}).status_code == 403
    assert client.get(SUGGEST, {"q": "jodoin"}).status_code == 403
    client.logout()
    for url in (PAGE, SUGGEST):
        answer = client.get(url, {"q": "jodoin"})
        assert answer.status_code == 302 and "/accounts/login/" in answer.url


def test_a_kind_one_may_not_read_is_left_out(agent, world):
    from django.contrib.auth.models import Permission

    agent.user_permissions.clear()
    for group in agent.groups.all():
        group.permissions.remove(Permission.objects.get(codename="view_partner"))
    agent = type(agent).objects.get(pk=agent.pk)  # permissions are cached on the user
    assert "partner" not in found(search.global_search(user=agent, q="jodoin"))


def test_bad_input_is_a_4xx_or_an_empty_answer_never_a_500(client, agent, world):
    client.force_login(agent)
    assert client.get(PAGE, {"q": "a\x00b"}).status_code == 400
    assert client.get(SUGGEST, {"q": "a\x00b"}).status_code == 400
    huge = client.get(PAGE, {"q": "x" * 1_000_000})
    assert huge.status_code == 400 and "200" in text(huge)
    assert client.get(SUGGEST, {"q": "x" * 1_000_000}).status_code == 400
    for odd in ("%", "_", "\\", "'\"", "REQ", "INC99999999999999999999", "#", "--"):
        assert client.get(PAGE, {"q": odd}).status_code == 200, odd
        assert client.get(SUGGEST, {"q": odd}).status_code == 200, odd
