"""Similar records shown before a client, partner or contact is created: the issue's name
cases, phone formats, e-mail case; the create pages' warning and confirmation."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from contacts.duplicates import (
    normalise_phone,
    similar_clients,
    similar_contacts,
    similar_partners,
)
from contacts.models import Client, Contact, Partner
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def agent(db):
    """An agent who reads the back office in English (the messages asserted are English)."""
    return factories.agent(email="agent@example.org", language="en")


def _names(found):
    return [str(s.record) for s in found]


# --- names --------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["Jodoin", "jodoin ", "JODOIN", "Jodöin", " jodöin"])
def test_a_last_name_differing_by_case_accents_or_spaces_is_the_same_name(typed):
    existing = factories.ClientFactory(first_name="Marie", last_name="Jodoin")
    factories.ClientFactory(first_name="Marie", last_name="Lavoie")

    found = similar_clients(first_name="Marie", last_name=typed)

    assert [s.record for s in found] == [existing]
    assert found[0].reasons == ("same name",)
    assert found[0].codes == {"name"}


def test_a_stored_accent_is_found_from_a_name_typed_without_it():
    existing = factories.ClientFactory(first_name="Léa", last_name="Jodöin")

    found = similar_clients(first_name="lea", last_name="JODOIN")

    assert [s.record for s in found] == [existing]
    assert found[0].reasons == ("same name",)


def test_a_double_name_is_similar_with_its_percentage():
    existing = factories.ClientFactory(first_name="Marie", last_name="Jodoin-Tremblay")

    found = similar_clients(first_name="Marie", last_name="Jodoin")

    assert [s.record for s in found] == [existing]
    (reason,) = found[0].reasons
    assert reason.startswith("similar name (") and reason.endswith(" %)")
    percent = int(reason.removeprefix("similar name (").removesuffix(" %)"))
    assert 40 <= percent < 100
    assert found[0].name_similarity == pytest.approx(percent / 100, abs=0.01)


def test_the_reverse_double_name_case_is_found_too():
    existing = factories.ClientFactory(first_name="Marie", last_name="Jodoin")

    found = similar_clients(first_name="Marie", last_name="Jodoin-Tremblay")

    assert [s.record for s in found] == [existing]
    assert found[0].codes == {"name"}


def test_a_different_person_of_the_same_family_is_not_similar():
    factories.ClientFactory(first_name="Gilles", last_name="Jodoin")
    factories.ClientFactory(first_name="Marie", last_name="Bouchard")

    assert similar_clients(first_name="Marie", last_name="Jodoin") == []


def test_closer_names_come_first():
    far = factories.ClientFactory(first_name="Marie", last_name="Jodoin-Tremblay-Gagnon")
    near = factories.ClientFactory(first_name="Marie", last_name="Jodoin-Tremblay")
    same = factories.ClientFactory(first_name="Marie", last_name="Jodoin")

    found = similar_clients(first_name="Marie", last_name="Jodoin")

    assert [s.record for s in found] == [same, near, far]


# --- phones -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("+1 (514) 555-0199", "5145550199"),
        ("514 555 0199", "5145550199"),
        ("5145550199", "5145550199"),
        ("1-514-555-0199", "5145550199"),
        ("514.555.0199", "5145550199"),
        ("Tél. : 514 555-0199 poste 12", "5145550199"),
        ("514-555-0199 x12", "5145550199"),
        ("514 555 0199 #3", "5145550199"),
        ("+33 1 23 45 67 89", "33123456789"),
        ("555-01", ""),
        ("", ""),
        ("pas de téléphone", ""),
    ],
)
def test_phone_numbers_are_compared_on_their_national_digits(raw, digits):
    assert normalise_phone(raw) == digits


@pytest.mark.parametrize(
    "stored",
    ["+1 (514) 555-0199", "514 555 0199", "5145550199", "1.514.555.0199", "514-555-0199 poste 12"],
)
@pytest.mark.parametrize("typed", ["+1 (514) 555-0199", "514 555 0199", "5145550199"])
def test_the_same_phone_is_found_whatever_its_format(stored, typed):
    existing = factories.ClientFactory(first_name="Paul", last_name="Roy", phone=stored)
    factories.ClientFactory(first_name="Anne", last_name="Roy", phone="514 555 0198")

    found = similar_clients(first_name="Zoé", last_name="Zed", phone=typed)

    assert [s.record for s in found] == [existing]
    assert found[0].reasons == ("same phone",)


def test_a_short_phone_compares_nothing():
    factories.ClientFactory(phone="555-01")
    assert similar_clients(phone="555-01") == []


# --- e-mail -------------------------------------------------------------------------------


def test_the_same_email_in_another_case_is_found():
    existing = factories.ClientFactory(
        first_name="Paul", last_name="Roy", email="paul.roy@example.org"
    )

    found = similar_clients(first_name="Zoé", last_name="Zed", email="  Paul.ROY@Example.org ")

    assert [s.record for s in found] == [existing]
    assert found[0].reasons == ("same e-mail",)


def test_every_reason_is_said_and_the_strongest_match_comes_first():
    by_name = factories.ClientFactory(first_name="Marie", last_name="Jodoin", phone="")
    by_phone = factories.ClientFactory(first_name="X", last_name="Y", phone="514 555 0199")
    by_all = factories.ClientFactory(
        first_name="Marie", last_name="Jodöin", email="mj@example.org", phone="5145550199"
    )

    found = similar_clients(
        first_name="marie", last_name="jodoin", email="MJ@example.org", phone="+1 514 555 0199"
    )

    assert [s.record for s in found] == [by_all, by_phone, by_name]
    assert found[0].reasons == ("same e-mail", "same phone", "same name")


def test_exclude_and_limit():
    clients = [factories.ClientFactory(first_name="Marie", last_name="Jodoin") for _ in range(8)]

    found = similar_clients(first_name="Marie", last_name="Jodoin", exclude_pk=clients[0].pk)

    assert len(found) == 5
    assert clients[0] not in [s.record for s in found]


def test_nothing_typed_asks_nothing(django_assert_num_queries):
    factories.ClientFactory()
    with django_assert_num_queries(0):
        assert similar_clients(first_name="", last_name="", email="", phone="") == []


def test_the_check_is_one_query_whatever_the_number_of_matches():
    def queries():
        with CaptureQueriesContext(connection) as captured:
            similar_clients(
                first_name="Marie", last_name="Jodoin", email="a@example.org", phone="514 555 0199"
            )
            similar_partners(name="Cégep Nord", email="a@example.org", phone="514 555 0199")
            similar_contacts(
                first_name="Marie", last_name="Jodoin", email="a@example.org", phone="514 555 0199"
            )
        return len(captured)

    few = queries()
    partner = factories.PartnerFactory(name="Cégep du Nord", phone="514 555 0199")
    for _ in range(10):
        factories.ClientFactory(first_name="Marie", last_name="Jodoin", phone="514-555-0199")
        factories.PartnerFactory(name="Cegep Nord", email="a@example.org")
        factories.ContactFactory(partner=partner, first_name="Marie", last_name="Jodöin")
    assert queries() == few == 3


# --- partners and contacts ----------------------------------------------------------------


def test_partners_by_name_email_and_phone():
    cegep = factories.PartnerFactory(name="Cégep Nord", email="info@cegep-nord.ca")
    other = factories.PartnerFactory(name="Boulangerie Roy", phone="(450) 555-1234")
    factories.PartnerFactory(name="Usine Sud")

    assert _names(similar_partners(name="CEGEP NORD")) == ["Cégep Nord"]
    assert similar_partners(name="cegep nord")[0].reasons == ("same name",)
    assert [s.record for s in similar_partners(name="Zzz", email="INFO@cegep-nord.ca")] == [cegep]
    assert [s.record for s in similar_partners(name="Zzz", phone="1 450 555 1234")] == [other]


def test_contacts_of_the_same_partner_come_first_and_mobiles_count():
    partner = factories.PartnerFactory()
    elsewhere = factories.ContactFactory(first_name="Julie", last_name="Roy")
    here = factories.ContactFactory(partner=partner, first_name="Julie", last_name="Roy")
    mobile = factories.ContactFactory(first_name="Z", last_name="Z", mobile="514 555 0100")

    found = similar_contacts(first_name="julie", last_name="roy", partner=partner)
    assert [s.record for s in found] == [here, elsewhere]
    assert found[0].reasons == ("same name", "same partner")
    assert [s.record for s in similar_contacts(last_name="Q", phone="5145550100")] == [mobile]


# --- the create pages -----------------------------------------------------------------------

CLIENT_FORM = {
    "first_name": "Marie",
    "last_name": "jodöin ",
    "email": "",
    "phone": "+1 (514) 555-0199",
    "language": "fr",
    "city": "Laval",
}


@pytest.fixture
def jodoin():
    return factories.ClientFactory(first_name="Marie", last_name="Jodoin", phone="514 555 0199")


def test_the_panel_lists_similar_records_as_the_agent_types(client, agent, jodoin):
    client.force_login(agent)
    url = reverse("contacts:client_similar")

    panel = client.get(url, {"first_name": "marie", "last_name": "JODOIN"}, HTTP_HX_REQUEST="true")

    body = panel.content.decode()
    assert panel.status_code == 200
    assert jodoin.get_absolute_url() in body
    assert "same name" in body
    assert 'data-testid="duplicate-confirm"' not in body
    assert client.get(url, {"last_name": "Zzyzx"}).content.decode().strip() == ""


def test_the_create_page_wires_the_panel_to_the_compared_fields(client, agent):
    client.force_login(agent)
    page = client.get(reverse("contacts:client_create"))
    body = page.content.decode()
    assert page.status_code == 200
    assert f'hx-get="{reverse("contacts:client_similar")}"' in body
    assert "change from:#id_last_name" in body and "#id_phone" in body
    assert 'name="confirm_duplicate"' not in body


def test_a_similar_client_stops_the_creation_and_keeps_what_was_typed(client, agent, jodoin):
    client.force_login(agent)

    answer = client.post(reverse("contacts:client_create"), CLIENT_FORM)

    body = answer.content.decode()
    assert answer.status_code == 200
    assert Client.objects.count() == 1
    assert 'data-testid="duplicate-warning"' in body
    assert 'data-testid="duplicate-confirm-button"' in body
    assert jodoin.get_absolute_url() in body  # open the existing one
    assert 'value="jodöin "' in body or 'value="jodöin"' in body
    assert 'value="+1 (514) 555-0199"' in body and 'value="Laval"' in body
    assert "same phone" in body and "same name" in body


def test_confirming_creates_the_new_client(client, agent, jodoin):
    client.force_login(agent)

    answer = client.post(
        reverse("contacts:client_create"),
        {**CLIENT_FORM, "owner": agent.pk, "confirm_duplicate": "on"},
    )

    created = Client.objects.exclude(pk=jodoin.pk).get()
    assert answer.status_code == 302 and answer.url == created.get_absolute_url()
    assert (created.last_name, created.city, created.owner) == ("jodöin", "Laval", agent)


def test_without_similar_record_the_client_is_created_at_once(client, agent):
    client.force_login(agent)
    answer = client.post(reverse("contacts:client_create"), CLIENT_FORM)
    assert answer.status_code == 302
    assert Client.objects.get().first_name == "Marie"


def test_a_taken_email_is_refused_at_the_field_beside_the_existing_client(client, agent):
    existing = factories.ClientFactory(email="marie@example.org")
    client.force_login(agent)

    answer = client.post(
        reverse("contacts:client_create"),
        {**CLIENT_FORM, "email": "Marie@Example.org", "confirm_duplicate": "on"},
    )

    body = answer.content.decode()
    assert answer.status_code == 400
    assert "already exists" in body
    assert existing.get_absolute_url() in body and "same e-mail" in body
    assert Client.objects.count() == 1


def test_a_partner_with_a_similar_name_is_shown_before_creation(client, agent):
    cegep = factories.PartnerFactory(name="Cégep Nord")
    client.force_login(agent)
    url = reverse("contacts:partner_create")

    answer = client.post(url, {"name": "CEGEP NORD", "kind": "school"})
    assert answer.status_code == 200 and cegep.get_absolute_url() in answer.content.decode()
    assert Partner.objects.count() == 1

    confirmed = client.post(
        url, {"name": "CEGEP NORD", "kind": "school", "confirm_duplicate": "on"}
    )
    assert confirmed.status_code == 302 and Partner.objects.count() == 2


def test_a_contact_needs_a_partner_and_similar_contacts_are_shown(client, agent):
    partner = factories.PartnerFactory()
    julie = factories.ContactFactory(partner=partner, first_name="Julie", last_name="Roy")
    client.force_login(agent)
    url = reverse("contacts:contact_create")

    page = client.get(url, {"partner": partner.pk})
    assert f'value="{partner.pk}"' in page.content.decode()

    no_partner = client.post(url, {"first_name": "Julie", "last_name": "Roy", "language": "fr"})
    assert no_partner.status_code == 400
    assert 'value="Julie"' in no_partner.content.decode()
    assert 'data-testid="picker-partner"' in no_partner.content.decode()

    data = {"partner": partner.pk, "first_name": "julie", "last_name": "ROY", "language": "fr"}
    warned = client.post(url, data)
    assert warned.status_code == 200 and julie.get_absolute_url() in warned.content.decode()
    assert "same partner" in warned.content.decode()
    created = client.post(url, {**data, "confirm_duplicate": "on"})
    assert created.status_code == 302 and Contact.objects.count() == 2


@pytest.mark.parametrize("kind", ["client", "partner", "contact"])
def test_managers_and_citizens_get_403_on_the_create_and_panel(client, manager, citizen, kind):
    for user in (manager, citizen):
        client.force_login(user)
        assert client.get(reverse(f"contacts:{kind}_create")).status_code == 403
        assert client.get(reverse(f"contacts:{kind}_similar")).status_code == 403


def test_bad_input_on_the_panel_is_a_400_with_a_message(client, agent):
    client.force_login(agent)
    url = reverse("contacts:client_similar")
    nul = client.get(url, {"last_name": "a\x00b"})
    assert nul.status_code == 400
    big = client.get(url, {"last_name": "x" * 1_000_000})
    assert big.status_code == 400 and b"255" in big.content
    assert client.get(reverse("contacts:contact_similar"), {"partner": "12ab"}).status_code == 200


def test_the_panel_costs_the_same_queries_with_many_matches(client, agent):
    client.force_login(agent)
    url = reverse("contacts:client_similar")
    params = {"first_name": "Marie", "last_name": "Jodoin", "phone": "514 555 0199"}
    client.get(url, params)
    with CaptureQueriesContext(connection) as few:
        client.get(url, params)
    for _ in range(6):
        factories.ClientFactory(first_name="Marie", last_name="Jodoin", phone="5145550199")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url, params)
    assert page.content.decode().count('data-testid="duplicate-match"') == 5
    assert len(many) == len(few)


def test_the_reasons_are_translated_for_a_french_agent(client, jodoin):
    client.force_login(factories.agent(language="fr"))
    factories.ClientFactory(first_name="Marie", last_name="Jodoin-Tremblay")

    panel = client.get(
        reverse("contacts:client_similar"), {"first_name": "Marie", "last_name": "Jodoin"}
    )

    body = panel.content.decode()
    assert "même nom" in body
    assert "nom semblable (59\u00a0%)" in body


def test_without_trigrams_names_are_compared_folded_in_python(monkeypatch):
    # The SQLite of ``make run`` has neither guichet_fold nor pg_trgm: the fallback is asked the
    # same questions (here on PostgreSQL, with the fallback's conditions).
    monkeypatch.setattr("contacts.duplicates.indexed", lambda: False)
    jodoin = factories.ClientFactory(first_name="Marie", last_name="Jodoin", phone="514-555-0199")
    double = factories.ClientFactory(first_name="Marie", last_name="Jodoin-Tremblay", phone="")
    factories.ClientFactory(first_name="Gilles", last_name="Jodoin", phone="")
    factories.ClientFactory(first_name="Marie", last_name="Lavoie", email="ml@example.org")

    found = similar_clients(first_name="marie", last_name="jodöin ")
    assert [s.record for s in found] == [jodoin, double]
    assert found[0].reasons == ("same name",)
    by_phone = similar_clients(last_name="Zed", phone="+1 (514) 555-0199")
    assert [s.record for s in by_phone] == [jodoin]
    by_email = similar_clients(last_name="Zed", email="ML@example.org")
    assert by_email[0].reasons == ("same e-mail",)
