"""Login throttling that resists spraying (crm.throttle), persona by persona.

The sprayer tries many accounts from one address; the botnet tries one account from many
addresses; the owner must still get in from a browser that logged in before, and from anywhere
once the window has passed. Counters live on real Redis (tests/settings.py).
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from crm import throttle
from tests import factories
from tests.helpers import text

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _login(client, email, password, ip):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def _guess(client, email, ip, n=1):
    return [_login(client, email, f"guess-{ip}-{i}", ip).status_code for i in range(n)]


def _botnet(email, *, addresses=10, guesses=4):
    """10 addresses, 4 passwords each: under axes' 5 per pair, 40 guesses on one account."""
    bots = Client()
    return [
        code for i in range(addresses) for code in _guess(bots, email, f"198.51.100.{i}", guesses)
    ]


def _locked_text(response) -> str:
    body = text(response)
    start = body.index('data-testid="locked-out"')
    return body[start : body.index("</p>", start)]


@pytest.fixture
def owner(db):
    return factories.citizen(email="proprietaire@example.org")


@pytest.fixture
def owner_browser(owner):
    """The owner's own browser: it has logged in once, so it holds the known-device cookie."""
    browser = Client()
    assert _login(browser, owner.email, factories.PASSWORD, "203.0.113.7").status_code == 302
    browser.post(reverse("logout"))
    return browser


# One address, many accounts ----------------------------------------------------------------


def test_one_address_spraying_thirty_accounts_is_refused_after_twenty_failures(client):
    # given
    accounts = [factories.citizen(email=f"cible{i}@example.org") for i in range(30)]
    # when
    codes = [_login(client, u.email, "Printemps2026!", "192.0.2.66").status_code for u in accounts]
    # then: 20 failures are allowed, the 21st locks the address, the 22nd is refused
    assert codes[:21] == [200] * 21
    assert codes[21:] == [429] * 9
    refused = _login(client, accounts[0].email, factories.PASSWORD, "192.0.2.66")
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Réessayez dans 15\u00a0minutes" in text(refused)
    assert int(refused["Retry-After"]) <= 15 * 60


def test_address_lock_spares_other_addresses(client):
    # given
    victim = factories.citizen(email="voisine@example.org")
    for i in range(21):
        _login(client, f"inconnu{i}@example.org", "wrong", "192.0.2.66")
    # when
    response = _login(Client(), victim.email, factories.PASSWORD, "192.0.2.67")
    # then
    assert response.status_code == 302


def test_address_lock_applies_to_the_admin_login_too(client, administrator):
    # given
    for i in range(21):
        _login(client, f"inconnu{i}@example.org", "wrong", "192.0.2.66")
    # when
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": administrator.email, "password": factories.PASSWORD},
        REMOTE_ADDR="192.0.2.66",
    )
    # then
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_admin_login_failures_count_towards_the_address_limit(client, administrator):
    # given
    for i in range(21):
        client.post(
            "/admin/login/",
            {"username": f"inconnu{i}@example.org", "password": "wrong"},
            REMOTE_ADDR="192.0.2.66",
        )
    # when
    response = _login(client, administrator.email, factories.PASSWORD, "192.0.2.66")
    # then
    assert response.status_code == 429


def test_an_ipv6_sprayer_cannot_escape_by_changing_the_end_of_its_address(client):
    # given: one /64, a new address for every guess
    for i in range(21):
        _login(client, f"inconnu{i}@example.org", "wrong", f"2001:db8:1:2::{i + 1:x}")
    victim = factories.citizen(email="voisine@example.org")
    # when
    response = _login(client, victim.email, factories.PASSWORD, "2001:db8:1:2::ffff")
    # then
    assert response.status_code == 429


# Many addresses, one account ----------------------------------------------------------------


def test_ten_addresses_guessing_one_account_are_refused_after_ten_failures(owner):
    # when
    codes = _botnet(owner.email)
    # then: 10 guesses in all, not 40
    assert codes[:10] == [200] * 10
    assert codes[10:] == [429] * 30


def test_a_refused_guess_learns_nothing_even_with_the_right_password(owner):
    # given
    _botnet(owner.email)
    stranger = Client()
    # when
    response = _login(stranger, owner.email, factories.PASSWORD, "198.51.100.99")
    # then
    assert response.status_code == 429
    assert "_auth_user_id" not in stranger.session
    assert "Réessayez dans 15\u00a0minutes" in text(response)


def test_owner_with_a_known_device_still_logs_in_during_the_attack(owner, owner_browser):
    # given
    assert _botnet(owner.email)[-1] == 429
    # when: at home, then on the road with the same laptop
    at_home = _login(owner_browser, owner.email, factories.PASSWORD, "203.0.113.7")
    owner_browser.post(reverse("logout"))
    on_the_road = _login(owner_browser, owner.email, factories.PASSWORD, "203.0.113.200")
    # then
    assert at_home.status_code == on_the_road.status_code == 302
    assert "_auth_user_id" in owner_browser.session


def test_a_known_device_of_another_account_does_not_open_this_one(owner):
    # given: the attacker logs in to an account of their own, then guesses the owner's
    attacker = Client()
    factories.citizen(email="attaquant@example.org")
    _login(attacker, "attaquant@example.org", factories.PASSWORD, "198.51.100.50")
    attacker.post(reverse("logout"))
    _botnet(owner.email)
    # when
    response = _login(attacker, owner.email, factories.PASSWORD, "198.51.100.50")
    # then
    assert response.status_code == 429


def test_a_forged_device_cookie_is_ignored(owner, settings):
    # given
    _botnet(owner.email)
    forger = Client()
    forger.cookies[settings.KNOWN_DEVICE_COOKIE_NAME] = throttle.account_key(owner.email)
    # when
    response = _login(forger, owner.email, factories.PASSWORD, "198.51.100.98")
    # then
    assert response.status_code == 429


def test_owner_from_a_fresh_address_logs_in_once_the_window_has_passed(owner):
    with freeze_time("2026-11-23 10:00:00", tz_offset=0) as clock:
        # given
        _botnet(owner.email)
        # when
        clock.tick(datetime.timedelta(minutes=16))
        response = _login(Client(), owner.email, factories.PASSWORD, "203.0.113.99")
    # then
    assert response.status_code == 302


def test_each_guess_after_the_lock_doubles_the_wait(owner):
    with freeze_time("2026-11-23 10:00:00", tz_offset=0) as clock:
        # given: the first lock has passed and the botnet guesses once more
        _botnet(owner.email)
        clock.tick(datetime.timedelta(minutes=16))
        assert _guess(Client(), owner.email, "198.51.100.20") == [200]
        # when
        clock.tick(datetime.timedelta(minutes=16))
        still_locked = _login(Client(), owner.email, factories.PASSWORD, "203.0.113.99")
        clock.tick(datetime.timedelta(minutes=15))
        after_double = _login(Client(), owner.email, factories.PASSWORD, "203.0.113.99")
    # then
    assert still_locked.status_code == 429
    assert "Réessayez dans 14\u00a0minutes" in text(still_locked)
    assert after_double.status_code == 302


def test_the_answer_never_says_whether_the_account_exists(owner):
    # when
    existing = _botnet(owner.email)
    unknown = _botnet("personne@example.org")
    # then
    assert existing == unknown
    first = _login(Client(), owner.email, "x", "198.51.100.97")
    second = _login(Client(), "personne@example.org", "x", "198.51.100.97")
    assert _locked_text(first) == _locked_text(second)


def test_the_lock_out_page_is_in_english_for_an_english_reader(owner, settings):
    # given
    _botnet(owner.email)
    reader = Client()
    reader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when
    response = _login(reader, owner.email, "x", "198.51.100.96")
    # then
    assert "Too many failed logins. Try again in 15 minutes, or reset your password." in (
        text(response)
    )


def test_the_known_device_cookie_is_signed_and_kept_from_scripts(owner, settings):
    # when
    response = _login(Client(), owner.email, factories.PASSWORD, "203.0.113.7")
    # then
    cookie = response.cookies[settings.KNOWN_DEVICE_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert owner.email not in cookie.value
    assert throttle.account_key(owner.email) in cookie.value


def test_a_failed_login_makes_no_known_device(owner, settings):
    response = _login(Client(), owner.email, "wrong", "203.0.113.7")
    assert settings.KNOWN_DEVICE_COOKIE_NAME not in response.cookies
