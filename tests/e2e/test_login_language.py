"""An agent logs in, switches the interface to English, keeps it, and logs out."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from crm.forms import LoginForm
from crm.models import User
from tests import factories

# Transactional: the live server answers from another thread and must see the test's data.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "ana.tremblay@example.org"


@pytest.fixture
def agent_in_group(transactional_db):
    user = factories.agent(email=EMAIL, first_name="Ana", last_name="Tremblay")
    group = factories.AssignmentGroupFactory(name="Technologues")
    group.members.add(user)
    return user


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("form button[type=submit]").click()


def test_agent_switches_to_english_and_it_is_remembered(page: Page, live_server, agent_in_group):
    html = page.locator("html")

    log_in(page, EMAIL, factories.PASSWORD)

    # Lands in the back office, in French (the browser asks for English: it is ignored).
    expect(page).to_have_url(f"{live_server.url}/agent/")
    expect(html).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Mes groupes d'affectation")).to_be_visible()
    expect(page.get_by_role("link", name="Technologues")).to_be_visible()

    page.locator("#user-menu").click()
    expect(page.get_by_test_id("logout")).to_have_text("Se déconnecter")
    page.get_by_test_id("lang-en").click()

    # Back on the same page, now in English.
    expect(page).to_have_url(f"{live_server.url}/agent/")
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="My assignment groups")).to_be_visible()
    assert User.objects.get(pk=agent_in_group.pk).language == User.Language.ENGLISH

    # Another page, loaded afresh: English is remembered.
    page.goto("/notifications/")
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Mark all as read")).to_be_visible()

    page.locator("#user-menu").click()
    logout = page.get_by_test_id("logout")
    expect(logout).to_have_text("Log out")
    logout.click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("#id_username")).to_be_visible()
    expect(page.locator("#user-menu")).to_have_text(re.compile(r"\bEN\b"))
    assert User.objects.get(pk=agent_in_group.pk).language == User.Language.ENGLISH


def test_wrong_password_shows_the_error_and_keeps_the_email(page: Page, agent_in_group):
    log_in(page, EMAIL, "not-the-password")

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    with translation.override("fr"):
        message = str(LoginForm.error_messages["invalid_login"])
    expect(page.get_by_test_id("form-errors")).to_have_text(message)
    expect(page.locator("#id_username")).to_have_value(EMAIL)
    expect(page.locator("#id_password")).to_have_value("")
