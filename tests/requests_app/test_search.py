"""Searching requests and incidents: accents and case both ways, numbers, requesters, odd input,
and the trigram indexes the queries read (requests_app/{requests,incidents}/search.py)."""

import pytest
from django.db.models import QuerySet
from django.urls import reverse

from contacts import search as contacts_search
from contacts.search import PHONE_NUMBER_MIN_DIGITS, clients_matching
from requests_app.incidents.search import incident_search
from requests_app.models import Incident, ServiceRequest
from requests_app.requests import views as requests_views
from requests_app.requests.search import request_search
from tests import factories
from tests.explain import plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def requests():
    kind = factories.RequestTypeFactory()
    lea = factories.ClientFactory(
        first_name="Léa", last_name="Tremblay", email="lea.t@ville.example", phone="514 555-0101"
    )
    luc = factories.ClientFactory(first_name="Luc", last_name="Côté", email="luc@ex.org")
    return {
        "ecole": factories.ServiceRequestFactory(
            request_type=kind, requester=luc, title="Inscription à l'École de musique"
        ),
        "cote": factories.ServiceRequestFactory(
            request_type=kind, requester=lea, title="Permis de stationnement, rue de la cote"
        ),
        "percent": factories.ServiceRequestFactory(
            request_type=kind, requester=luc, title="Remboursement de 50% des frais_de dossier"
        ),
    }


def found(queryset, q, fixture) -> set[str]:
    names = {obj.pk: name for name, obj in fixture.items()}
    return {names[obj.pk] for obj in request_search(queryset, q) if obj.pk in names}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ecole", {"ecole"}),  # no accent typed, one in the title
        ("ÉCOLE", {"ecole"}),
        ("rue de la Côte", {"cote"}),  # an accent typed, none in the title
        ("Côte", {"cote", "ecole", "percent"}),  # the title, and the requester Côté
        ("COTE", {"cote", "ecole", "percent"}),
        ("lea", {"cote"}),  # the requester's first name
        ("LÉA TREMBLAY", {"cote"}),
        ("tremblay lea", {"cote"}),
        ("@ville.ex", {"cote"}),  # an e-mail fragment
        ("musique inscription", {"ecole"}),  # every word, in any order
        ("musique stationnement", set()),
        ("50%", {"percent"}),
        ("%", {"percent"}),  # a literal percent sign, not a wildcard
        ("s_de", {"percent"}),  # a literal underscore
        ("personne", set()),
    ],
)
def test_requests_are_found_whatever_the_accents_and_case(requests, q, expected):
    assert found(ServiceRequest.objects.all(), q, requests) == expected


def test_a_request_is_found_by_its_number_in_every_form(requests):
    pk = requests["ecole"].pk
    for q in (f"REQ{pk:07d}", f"req {pk}", str(pk), f"#{pk}", f"{pk:07d}"):
        assert list(request_search(ServiceRequest.objects.all(), q)) == [requests["ecole"]], q
    assert not request_search(ServiceRequest.objects.all(), f"INC{pk:07d}").exists()


def test_a_long_number_is_also_a_requesters_phone(requests):
    assert list(request_search(ServiceRequest.objects.all(), "5145550101")) == [requests["cote"]]
    assert list(request_search(ServiceRequest.objects.all(), "(514) 555-0101")) == [
        requests["cote"]
    ]


def test_the_request_list_page_searches(login, agent, requests):
    response = login(agent).get(reverse("requests:list"), {"q": "ecole"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Inscription à l&#x27;École de musique" in html
    assert "stationnement" not in html


ODD_QUERIES = ["%", "_", "\\", "'", '"', "%_\\'\"", "a" * 200, "é" * 200, "' OR 1=1 --", "REQ"]


@pytest.mark.parametrize("q", ODD_QUERIES)
def test_odd_input_never_fails_the_lists(login, agent, requests, q):
    client = login(agent)
    for url in (reverse("requests:list"), reverse("incidents:all"), reverse("incidents:queue")):
        assert client.get(url, {"q": q}).status_code == 200


@pytest.fixture
def incidents():
    lea = factories.ClientFactory(first_name="Léa", last_name="Bélanger", email="lea@ex.org")
    other = factories.ClientFactory(first_name="Marc", last_name="Roy", email="marc@ex.org")
    return {
        "projecteur": factories.IncidentFactory(
            requester=other, title="Projecteur muet, salle Côté"
        ),
        "acces": factories.IncidentFactory(requester=lea, title="Accès refusé à l'ENT"),
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("cote", {"projecteur"}),
        ("SALLE CÔTÉ", {"projecteur"}),
        ("acces refuse", {"acces"}),
        ("ACCÈS", {"acces"}),
        ("belanger", {"acces"}),
        ("Bélanger Léa", {"acces"}),
        ("marc@", {"projecteur"}),
        ("rien", set()),
    ],
)
def test_incidents_are_found_whatever_the_accents_and_case(incidents, q, expected):
    names = {obj.pk: name for name, obj in incidents.items()}
    assert {names[i.pk] for i in incident_search(Incident.objects.all(), q)} == expected


def test_an_incident_is_found_by_its_number(incidents):
    pk = incidents["acces"].pk
    for q in (f"INC{pk:07d}", f"inc{pk}", str(pk)):
        assert list(incident_search(Incident.objects.all(), q)) == [incidents["acces"]], q
    assert not incident_search(Incident.objects.all(), f"REQ{pk:07d}").exists()


def test_the_incident_list_page_searches(login, agent, incidents):
    response = login(agent).get(reverse("incidents:all"), {"q": "belanger"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Accès refusé" in html
    assert "Projecteur muet" not in html


def test_request_search_reads_the_title_and_requester_indexes(requests):
    # The requesters are found first (their trigram indexes), then the requests by the title's
    # trigrams OR the requester index for those ids: both in one bitmap, no subquery.
    assert "client_search_trgm" in plan(clients_matching("École"))
    explained = plan(request_search(ServiceRequest.objects.all(), "tremblay"))
    assert "request_title_trgm" in explained
    assert "request_requester_idx" in explained or "requester_client_id" in explained
    assert "SubPlan" not in explained


def test_incident_search_reads_the_title_index():
    explained = plan(incident_search(Incident.objects.all(), "projecteur"))
    assert "incident_title_trgm" in explained


def test_a_phone_search_reads_the_phone_index():
    assert "client_phone_trgm" in plan(
        clients_matching("514 555-0101", phone_min_digits=PHONE_NUMBER_MIN_DIGITS)
    )


def test_a_search_costs_one_more_query_whatever_it_finds(requests, django_assert_num_queries):
    # The requesters' ids, then the requests: two queries for no requester and for several.
    for q in ("nobody-at-all", "tremblay", "e"):
        with django_assert_num_queries(2):
            list(request_search(ServiceRequest.objects.all(), q))


def test_past_the_cap_the_requesters_are_a_subquery(requests, monkeypatch):
    monkeypatch.setattr(contacts_search, "REQUESTER_IDS_CAP", 1)
    # "e" is in both clients' names: more than the cap, so a subquery, and the same requests.
    assert isinstance(contacts_search.requester_ids("e"), QuerySet)
    assert found(ServiceRequest.objects.all(), "luc", requests) == {"ecole", "percent"}
    assert found(ServiceRequest.objects.all(), "tremblay", requests) == {"cote"}
    monkeypatch.setattr(contacts_search, "REQUESTER_IDS_CAP", 2)
    assert sorted(contacts_search.requester_ids("e")) == sorted(
        {r.requester_id for r in requests.values()}
    )


def test_a_searched_list_counts_its_pages_up_to_the_search_cap(login, agent, monkeypatch):
    monkeypatch.setattr(requests_views, "SEARCH_COUNT_CAP", 2)
    kind = factories.RequestTypeFactory()
    for n in range(4):
        factories.ServiceRequestFactory(request_type=kind, title=f"Abattage d'un frêne {n}")
    response = login(agent).get(reverse("requests:list"), {"q": "frene"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 3  # the cap, plus one
    assert response.context["page"].paginator.is_capped
    # The page is not cut at the capped count.
    assert len(response.context["page"].object_list) == 4


def test_the_folded_title_is_written_by_the_database_and_follows_the_title(requests):
    # given a request whose title is then changed
    request = requests["ecole"]
    ServiceRequest.objects.filter(pk=request.pk).update(title="Œuvre ÉTÉ")
    # then the stored column holds the new title folded (lower case, no accents)
    assert ServiceRequest.objects.get(pk=request.pk).title_folded == "oeuvre ete"
    assert found(ServiceRequest.objects.all(), "oeuvre", requests) == {"ecole"}
    assert found(ServiceRequest.objects.all(), "ecole", requests) == set()


def test_the_title_search_compares_the_stored_column_without_folding_each_row(requests):
    sql = str(request_search(ServiceRequest.objects.all(), "ecole").query)
    assert '"title_folded"' in sql
    assert 'guichet_fold("requests_app_servicerequest"."title")' not in sql


def test_found_requesters_are_one_bigint_array(requests):
    # One parameter whatever the number of requesters, of the column's type (hashed by
    # PostgreSQL); the same requests as an IN list.
    queryset = request_search(ServiceRequest.objects.all(), "e")
    sql, params = queryset.query.sql_with_params()
    assert "= ANY(%s::bigint[])" in sql
    assert sorted(r.pk for r in queryset) == sorted(r.pk for r in requests.values())


def test_a_few_matches_are_paged_among_the_ids_the_count_read(login, agent, monkeypatch):
    # given 3 matches, under the search cap of 4
    monkeypatch.setattr(requests_views, "SEARCH_COUNT_CAP", 4)
    kind = factories.RequestTypeFactory()
    made = [
        factories.ServiceRequestFactory(request_type=kind, title=f"Abattage d'un frêne {n}")
        for n in range(3)
    ]
    factories.ServiceRequestFactory(request_type=kind, title="Autre chose")
    # when
    response = login(agent).get(reverse("requests:list"), {"q": "frene"})
    # then the count is exact, and the page holds the matches in the list's order
    page = response.context["page"]
    assert page.paginator.count == 3 and not page.paginator.is_capped
    assert [r.pk for r in page.object_list] == [r.pk for r in reversed(made)]
    assert "= ANY(" in str(page.paginator.object_list.query)  # read among the counted ids
