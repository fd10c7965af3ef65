"""Citizen accounts: sign-up with a mandatory e-mail confirmation, the confirmed account linked
to the Client with that address (or a new one), the one login page of agents and citizens, the
profile page, and the limits on sign-ups and logins."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import caches
from django.urls import reverse

from contacts.models import Client
from crm import roles
from crm.models import User
from tests import factories
from tests.helpers import text

pytestmark = pytest.mark.django_db

PASSWORD = "une-phrase-de-passe-solide-42"
LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _fresh_default_cache():
    # allauth's rate limits count on the default cache (local memory in the tests).
    caches["default"].clear()


def sign_up(client, email="marie.tremblay@example.org", **extra):
    data = {
        "first_name": "Marie",
        "last_name": "Tremblay",
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        **extra,
    }
    return client.post(reverse("account_signup"), data)


def confirmation_path(mailoutbox) -> str:
    found = LINK.search(mailoutbox[-1].body)
    assert found, mailoutbox[-1].body
    return found.group(1)


def log_in(client, email, password=PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_sign_up_sends_a_confirmation_link_and_makes_a_citizen(client, mailoutbox):
    # when
    response = sign_up(client)

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="marie.tremblay@example.org")
    assert (user.first_name, user.last_name, user.language) == ("Marie", "Tremblay", "fr")
    assert list(user.groups.values_list("name", flat=True)) == [roles.CITIZEN]
    assert not user.is_staff and not user.is_backoffice_user
    assert EmailAddress.objects.get(user=user).verified is False
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["marie.tremblay@example.org"]
    assert mailoutbox[0].subject.startswith("[Guichet]")
    assert "/accounts/confirm-email/" in mailoutbox[0].body
    # Not linked to anything before the address is confirmed.
    assert not Client.objects.filter(user=user).exists()


def test_the_sign_up_page_speaks_french_and_english(client):
    page = text(client.get(reverse("account_signup")))
    assert "Créez votre compte usager" in page and "Prénom" in page
    client.post(reverse("set_language"), {"language": "en"})
    page = text(client.get(reverse("account_signup")))
    assert "Create your citizen account" in page and "First name" in page


def test_an_unconfirmed_account_cannot_log_in_and_gets_a_new_link(client, mailoutbox):
    sign_up(client)
    caches["default"].clear()  # past allauth's few minutes between two links

    response = log_in(client, "marie.tremblay@example.org")

    assert response.status_code == 200
    assert "pas encore confirmée" in text(response)
    assert "_auth_user_id" not in client.session
    assert len(mailoutbox) == 2


def test_confirming_links_the_account_to_the_client_with_that_address(client, mailoutbox):
    # given: a teacher known from a course grid, with a request filed for her
    teacher = factories.ClientFactory(
        email="marie.tremblay@example.org", first_name="Marie", last_name="Tremblay"
    )
    sign_up(client, email="Marie.Tremblay@Example.org")

    # when: she opens the link and confirms
    path = confirmation_path(mailoutbox)
    assert "Confirmer" in text(client.get(path))
    response = client.post(path)

    # then: the account is hers, logged in, and linked to her client
    assert response.status_code == 302
    user = User.objects.get(email="marie.tremblay@example.org")
    assert EmailAddress.objects.get(user=user).verified
    teacher.refresh_from_db()
    assert teacher.user == user
    assert Client.objects.filter(email__iexact="marie.tremblay@example.org").count() == 1
    assert client.session["_auth_user_id"] == str(user.pk)
    # and the next page still knows her (the session names a backend the settings list)
    assert client.get(reverse("portal:my_requests")).status_code == 200
    # and she logs in from then on
    client.logout()
    assert log_in(client, "marie.tremblay@example.org").status_code == 302


def test_confirming_without_a_client_creates_one_from_the_account(client, mailoutbox):
    sign_up(client, email="nouveau@example.org")
    client.post(confirmation_path(mailoutbox))
    created = Client.objects.get(user__email="nouveau@example.org")
    assert (created.first_name, created.last_name, created.email) == (
        "Marie",
        "Tremblay",
        "nouveau@example.org",
    )


def test_a_forged_confirmation_key_confirms_nothing(client, mailoutbox):
    sign_up(client)
    response = client.post("/accounts/confirm-email/not-a-real-key/")
    assert response.status_code == 404
    assert not EmailAddress.objects.filter(verified=True).exists()
    assert not Client.objects.exists()


def test_signing_up_with_an_address_in_use_says_the_same_and_creates_nothing(
    client, citizen, mailoutbox
):
    before = User.objects.count()
    response = sign_up(client, email=citizen.email.upper())
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.count() == before
    # The owner of the address is told (by mail), not the visitor.
    assert [to.lower() for to in mailoutbox[-1].to] == [citizen.email]


def test_sign_ups_are_rate_limited_per_address(client, settings, mailoutbox):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}
    answers = [sign_up(client, email=f"p{n}@example.org").status_code for n in range(3)]
    assert answers == [302, 302, 429]
    assert User.objects.filter(email__startswith="p").count() == 2


def test_a_signup_keeps_what_was_typed_and_lists_the_errors_on_top(client):
    response = sign_up(client, email="pas-une-adresse", password2="autre")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-summary"' in page
    assert 'value="Marie"' in page and 'value="pas-une-adresse"' in page
    assert 'aria-invalid="true"' in page
    assert not User.objects.exists() or not User.objects.filter(email="pas-une-adresse").exists()


# The one login page ---------------------------------------------------------------------------


def test_agents_log_in_as_before_and_land_in_the_back_office(client, agent):
    response = log_in(client, agent.email, factories.PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == reverse("agent:home")


def test_the_login_page_offers_sign_up(client):
    page = client.get(reverse("login")).content.decode()
    assert reverse("account_signup") in page


def test_repeated_failed_logins_of_a_citizen_are_locked_out(client, citizen, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, citizen.email, "wrong")
    assert log_in(client, citizen.email, factories.PASSWORD).status_code == 429


# Profile --------------------------------------------------------------------------------------


def test_a_citizen_edits_their_profile_and_the_client_follows(login, citizen):
    client = login(citizen)
    page = text(client.get(reverse("portal:profile")))
    assert citizen.email in page

    response = client.post(
        reverse("portal:profile"),
        {
            "first_name": "Camille",
            "last_name": "Roy",
            "phone": "514 555-0199",
            "street": "12 rue Principale",
            "city": "Montréal",
            "region": "Québec",
            "postal_code": "H2X 1Y4",
            "country": "Canada",
            "language": "en",
        },
    )

    assert response.status_code == 302
    record = Client.objects.get(user=citizen)
    assert (record.first_name, record.last_name, record.phone, record.city, record.language) == (
        "Camille",
        "Roy",
        "514 555-0199",
        "Montréal",
        "en",
    )
    citizen.refresh_from_db()
    assert (citizen.first_name, citizen.language) == ("Camille", "en")
    assert record.history.first().history_user == citizen


def test_a_bad_profile_keeps_what_was_typed(login, citizen):
    response = login(citizen).post(
        reverse("portal:profile"),
        {"first_name": "", "last_name": "Roy", "city": "Laval", "language": "xx"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Laval"' in page and 'data-testid="error-summary"' in page
    assert Client.objects.get(user=citizen).city != "Laval"


def test_the_profile_asks_visitors_to_log_in(client):
    response = client.get(reverse("portal:profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
