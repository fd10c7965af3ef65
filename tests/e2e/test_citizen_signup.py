"""A citizen signs up, confirms the address from the mail, lands logged in, logs out and logs
in again; their account is linked to the client an agent knew under that address."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from contacts.models import Client
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "une-phrase-de-passe-solide-42"
LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")


def test_sign_up_confirm_and_log_in(page: Page, live_server, mailoutbox):
    # given: the body knew her from a phone call
    known = factories.ClientFactory(email="ines.bouchard@example.org", phone="514 555-0101")

    # she signs up from the login page
    page.goto("/accounts/login/")
    page.get_by_test_id("signup-from-login").click()
    page.locator("#id_first_name").fill("Inès")
    page.locator("#id_last_name").fill("Bouchard")
    page.locator("#id_email").fill("ines.bouchard@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_test_id("verification-sent")).to_be_visible()

    # logging in before confirming is refused
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("ines.bouchard@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("pas encore confirmée")

    # she opens the link of the mail and confirms
    link = LINK.search(mail.outbox[0].body)
    assert link, mail.outbox[0].body
    page.goto(link.group(1))
    page.get_by_test_id("confirm-email").click()
    expect(page.locator("#user-menu")).to_contain_text("Inès Bouchard")
    known.refresh_from_db()
    assert known.user is not None and known.user.email == "ines.bouchard@example.org"
    assert Client.objects.filter(email="ines.bouchard@example.org").count() == 1

    # her profile holds what the body knew
    page.goto("/my/profile/")
    expect(page.locator("#id_phone")).to_have_value("514 555-0101")

    # she logs out, then in again
    page.locator("#user-menu").click()
    page.get_by_test_id("logout").click()
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("ines.bouchard@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.get_by_test_id("my-requests-link")).to_be_visible()
