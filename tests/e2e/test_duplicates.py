"""The duplicate check of the client create page in Chromium: the panel appears as the agent
types (htmx, under the Content-Security-Policy), the warning keeps what was typed, "Create
anyway" creates the client; and a merge from the record's merge page."""

import re

import pytest
from playwright.sync_api import Page, expect

from contacts.models import Client
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, user) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/agent/$"))


def test_an_agent_sees_the_similar_client_confirms_and_creates(page: Page):
    # given an agent and an existing client
    agent = factories.agent(email="agent@example.org")
    existing = factories.ClientFactory(first_name="Marie", last_name="Jodoin", phone="5145550199")
    log_in(page, agent)

    # when the agent types the names of a new client
    page.goto("/agent/clients/new/")
    page.locator("#id_first_name").fill("Marie")
    page.locator("#id_last_name").fill("Jodöin")
    page.locator("#id_last_name").press("Tab")

    # then the panel lists the existing client, with a link to open it
    match = page.get_by_test_id("duplicate-match")
    expect(match).to_have_count(1)
    expect(match.get_by_test_id("duplicate-open")).to_have_attribute(
        "href", existing.get_absolute_url()
    )

    # when the agent saves all the same
    page.locator("#id_phone").fill("+1 (514) 555-0199")
    page.locator("#id_city").fill("Laval")
    page.get_by_test_id("record-save").click()

    # then nothing is created yet, what was typed is kept, and a confirmation is offered
    expect(page.get_by_test_id("duplicate-warning")).to_be_visible()
    expect(page.locator("#id_city")).to_have_value("Laval")
    expect(page.get_by_test_id("duplicate-reason").first).to_be_visible()
    assert Client.objects.count() == 1

    # when the agent confirms
    page.get_by_test_id("duplicate-confirm-button").click()

    # then the new client is created and shown
    expect(page).to_have_url(re.compile(r"/agent/clients/\d+/$"))
    assert Client.objects.count() == 2


def test_an_agent_merges_two_clients_from_the_merge_page(page: Page):
    agent = factories.agent(email="agent@example.org")
    keep = factories.ClientFactory(first_name="Marie", last_name="Jodoin", city="")
    remove = factories.ClientFactory(first_name="Marie", last_name="Jodöin", city="Laval")
    factories.CallFactory(client=remove)
    log_in(page, agent)

    page.goto(f"/agent/clients/{keep.pk}/merge/")
    page.get_by_test_id("merge-suggestions").get_by_role("link").first.click()
    expect(page.get_by_test_id("merge-comparison")).to_contain_text("Laval")
    # choosing the other one to keep reloads the comparison (data-autosubmit)
    page.locator(f"#keep-{remove.pk}").check()
    expect(page).to_have_url(re.compile(rf"keep={remove.pk}"))
    page.get_by_test_id("merge-submit").click()

    expect(page).to_have_url(re.compile(rf"/agent/clients/{remove.pk}/$"))
    assert list(Client.objects.values_list("pk", flat=True)) == [remove.pk]
    assert remove.calls.count() == 1
