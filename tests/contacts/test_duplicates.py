"""Similar records shown before a client, partner or contact is created: the issue's name
cases, phone formats, e-mail case; the create pages' warning and confirmation."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from contacts.duplicates import (
    normalise_phone,
    similar_clients,
    similar_contacts,
    similar_partners,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


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
