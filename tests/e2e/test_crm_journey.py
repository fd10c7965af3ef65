"""Issue 9's walk in Chromium, as seed 002 tells it: an agent creates a partner, adds a contact
to it, plans a call from the contact's page, finds the call in the week view and drags it to
another day, stars the contact and reaches it again from the favourites menu."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Call, Contact, Partner
from tests import factories
from tests.e2e.test_calendar import drag

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ZONE = timezone.get_default_timezone()


@pytest.fixture
def agent_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-CA",
        timezone_id="America/Montreal",
        viewport={"width": 1366, "height": 900},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_partner_contact_call_calendar_and_favourite(agent_page):
    page = agent_page
    agent = factories.agent(email="julie@example.org", first_name="Julie", last_name="Gagnon")
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(agent.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/agent/$"))

    # A partner, created from its list's "new" page.
    page.goto("/agent/partners/new/")
    page.locator("#id_name").fill("Cégep du Vieux-Port")
    page.locator("#id_kind").select_option("school")
    page.get_by_test_id("record-save").click()
    expect(page).to_have_url(re.compile(r"/agent/partners/\d+/$"))
    partner = Partner.objects.get(name="Cégep du Vieux-Port")

    # A contact added from the partner's page: the partner is already chosen.
    page.get_by_test_id("record-add-menu").click()
    page.get_by_test_id("action-contact").click()
    page.locator("#id_first_name").fill("Martin")
    page.locator("#id_last_name").fill("Jodoin")
    page.locator("#id_email").fill("martin.jodoin@example.org")
    page.get_by_test_id("record-save").click()
    expect(page).to_have_url(re.compile(r"/agent/contacts/\d+/$"))
    contact = Contact.objects.get(last_name="Jodoin")
    assert contact.partner == partner

    # A call planned from the contact's page, linked to the contact.
    tuesday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday() + 1)
    page.get_by_test_id("action-call").click()
    page.locator("#id_subject").fill("Appel de suivi avec M. Jodoin")
    page.locator("#id_starts_at").fill(f"{tuesday:%Y-%m-%d}T10:00")
    page.get_by_test_id("record-save").or_(
        page.locator("form[data-testid=record-form] button.btn-primary")
    ).first.click()
    expect(page).to_have_url(re.compile(r"/agent/calls/\d+/$"))
    call = Call.objects.get(subject="Appel de suivi avec M. Jodoin")
    assert call.contact == contact and call.assigned_to == agent

    # The call in the week view, dragged to Thursday.
    page.goto(f"/agent/calendar/?date={tuesday:%Y-%m-%d}")
    event = page.get_by_test_id(f"event-call-{call.pk}")
    expect(event).to_be_visible()
    thursday = tuesday + dt.timedelta(days=2)
    target = page.locator(f'td.fc-timegrid-col[data-date="{thursday:%Y-%m-%d}"]')
    with page.expect_response(lambda r: "/calendar/reschedule/" in r.url) as answer:
        drag(page, event, target)
    assert answer.value.ok
    call.refresh_from_db()
    assert timezone.localtime(call.starts_at, ZONE).date() == thursday
    page.reload()
    expect(target.get_by_test_id(f"event-call-{call.pk}")).to_be_visible()

    # The contact starred, then reached from the favourites menu.
    page.goto(contact.get_absolute_url())
    star = page.get_by_test_id("favourite-star")
    star.locator("button").click()
    expect(page.get_by_test_id("favourite-star").locator("button.is-starred")).to_be_visible()
    page.goto("/agent/")
    page.get_by_test_id("favourites-menu").click()
    item = page.get_by_test_id("favourite-item").filter(has_text="Martin Jodoin")
    expect(item).to_be_visible()
    item.click()
    expect(page).to_have_url(re.compile(rf"/agent/contacts/{contact.pk}/$"))
