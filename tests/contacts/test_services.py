"""Client services: create, the client of a portal account, find-or-create by e-mail in bulk."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from contacts.models import Client
from contacts.services import client_create, client_for_user, clients_find_or_create_by_email
from crm.errors import NotAllowed
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_agent_creates_a_client_with_history(agent):
    # when
    client = client_create(by=agent, first_name="Léa", last_name="Roy", email=" Lea@Example.ORG ")

    # then
    assert client.email == "lea@example.org"
    assert str(client) == "Léa Roy"
    assert client.language == "fr"
    assert client.history.get().history_user == agent


def test_managers_and_citizens_may_not_create_clients(manager, citizen):
    for person in (manager, citizen):
        with pytest.raises(NotAllowed):
            client_create(by=person, first_name="Léa", last_name="Roy")
    assert not Client.objects.filter(first_name="Léa").exists()


def test_two_clients_cannot_share_an_email_whatever_its_case(agent):
    # given
    client_create(by=agent, first_name="A", last_name="B", email="lea@example.org")

    # then
    with pytest.raises(ValidationError):
        client_create(by=agent, first_name="C", last_name="D", email="LEA@example.org")
    with pytest.raises(IntegrityError):
        Client.objects.create(first_name="C", email="LEA@EXAMPLE.ORG")


def test_many_clients_may_have_no_email(agent):
    client_create(by=agent, first_name="A", last_name="B")
    client_create(by=agent, first_name="C", last_name="D", email="")
    assert Client.objects.filter(email__isnull=True).count() == 2


def test_a_client_without_names_is_shown_by_its_email():
    assert str(factories.ClientFactory(first_name="", last_name="", email="x@y.org")) == "x@y.org"


def test_a_portal_account_without_client_gets_one_from_its_names_and_language():
    # given an account with no client yet
    user = factories.UserFactory(
        email="ana@example.org", first_name="Ana", last_name="Lima", language="en"
    )

    # when
    client = client_for_user(user=user)

    # then
    assert (client.first_name, client.last_name, client.email) == ("Ana", "Lima", user.email)
    assert client.language == "en"
    assert client.user == user
    assert client_for_user(user=user) == client
    assert Client.objects.count() == 1


def test_a_portal_account_is_linked_to_the_unlinked_client_with_its_email():
    # given a client filed by an import, and later an account with the same address
    teacher = factories.ClientFactory(email="marie@example.org", first_name="Marie")
    user = factories.UserFactory(email="Marie@Example.org")

    # when
    client = client_for_user(user=user)

    # then
    assert client == teacher
    teacher.refresh_from_db()
    assert teacher.user == user
    assert Client.objects.count() == 1
    assert teacher.history.latest().history_reason_code == "portal_account_linked"


def test_a_client_linked_to_another_account_is_not_taken_over():
    # given a client linked to one account whose address another account now uses
    first = factories.UserFactory(email="old@example.org")
    linked = factories.ClientFactory(email="shared@example.org", user=first)
    second = factories.UserFactory(email="other@example.org")

    # when
    client = client_for_user(user=second)

    # then
    assert client != linked and client.user == second


def test_find_or_create_by_email_creates_only_the_missing_ones_in_bulk(
    agent, django_assert_max_num_queries
):
    # given
    known = factories.ClientFactory(email="known@example.org")
    people = {f"p{i}@example.org": f"Prénom{i} Nom{i}" for i in range(50)}
    people["KNOWN@example.org"] = "Autre Nom"

    # when
    with django_assert_max_num_queries(10):
        ids = clients_find_or_create_by_email(people=people, by=agent)

    # then
    assert ids["known@example.org"] == known.pk
    assert len(ids) == 51
    assert Client.objects.count() == 51
    created = Client.objects.get(email="p7@example.org")
    assert (created.first_name, created.last_name) == ("Prénom7", "Nom7")
    assert created.history.get().history_user == agent
    # and a second call finds them all
    assert clients_find_or_create_by_email(people=people, by=agent) == ids
    assert Client.objects.count() == 51


def test_an_account_whose_address_belongs_to_another_linked_client_still_gets_its_client(db):
    # given: the address is already the client of another account (changed since, say)
    from contacts.services import client_for_user

    first = factories.citizen(email="ancienne@example.org")
    first.client.email = "partage@example.org"
    first.client.save()
    second = factories.UserFactory(email="partage@example.org")

    # when
    client = client_for_user(user=second)

    # then: no crash, a client of its own without the address taken
    assert client.user == second
    assert client.email in (None, "")
    assert first.client.email == "partage@example.org"


def test_a_picked_client_id_that_is_not_ascii_digits_is_a_form_error(login, agent):
    # given: "²" passes str.isdigit() but is not a number
    from django.urls import reverse

    # when
    response = login(agent).post(
        reverse("requests:create"), {"client": "²", "title": "x", "channel": "phone"}
    )

    # then: a 400 with the form, never a 500
    assert response.status_code == 400
