"""The 360° page of a client in Chromium: inline edit of one field (saved, refused in place,
Escape), the star and the favourites menu, the "+" menu; screenshots at 1366 and 390 px, light
and dark, French and English when SCREENSHOTS names a folder."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from contacts.models import Client, Document, Meeting, Note
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SCREENSHOTS")


def log_in(page: Page, user) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/agent/$"))


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def busy_client(transactional_db):
    agent = factories.agent(email="agent@example.org", first_name="Julie", last_name="Gagnon")
    client = factories.ClientFactory(
        first_name="Léa",
        last_name="Jodoin",
        email="lea.jodoin@example.org",
        phone="514 555-0101",
        client_type="newcomer",
        city="Montréal",
        country_of_origin="Maroc",
        employment_status="En recherche d'emploi",
        target_occupation="Technicienne comptable",
        owner=agent,
    )
    now = timezone.now()
    for index in range(8):
        factories.CallFactory(
            client=client,
            subject=f"Appel de suivi n° {index + 1}",
            starts_at=now - timedelta(days=index * 3),
            status=["planned", "held", "postponed"][index % 3],
            assigned_to=agent,
        )
        factories.MeetingFactory(
            client=client,
            subject=f"Préparer son CV, étape {index + 1}",
            starts_at=now - timedelta(days=index * 3 + 1),
            assigned_to=agent,
        )
    factories.TaskFactory(client=client, title="Relancer l'employeur", due_date=now.date())
    for index in range(3):
        note = Note.objects.create(client=client, subject=f"Note d'entretien {index + 1}")
        Note.objects.filter(pk=note.pk).update(created_at=now - timedelta(days=index * 5 + 2))
    Document.objects.create(
        client=client, title="CV 2026", doc_type="cv", file="documents/x", original_name="cv.pdf"
    )
    factories.ServiceRequestFactory(requester=client, title="Attestation de participation")
    factories.IncidentFactory(requester=client, title="Portail inaccessible")
    return agent, client


def test_an_agent_edits_one_field_stars_the_client_and_finds_it_again(page: Page, busy_client):
    agent, client = busy_client
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, agent)
    page.goto(client.get_absolute_url())
    expect(page.get_by_test_id("timeline-item")).to_have_count(20)
    expect(page.get_by_test_id("timeline-more")).to_be_visible()
    shot(page, "client-1366-light-fr")

    # inline edit: a bad address is refused in place, Escape brings the value back
    page.get_by_test_id("edit-email").click()
    box = page.locator("#id_inline-email")
    expect(box).to_be_focused()
    box.fill("pas une adresse")
    page.get_by_test_id("inline-save").click()
    expect(page.get_by_test_id("inline-error")).to_be_visible()
    shot(page, "client-1366-inline-error-fr")
    page.locator("#id_inline-email").press("Escape")
    expect(page.get_by_test_id("field-email")).to_contain_text("lea.jodoin@example.org")
    # a good value is saved, and the rest of the page stays
    page.get_by_test_id("edit-city").click()
    page.locator("#id_inline-city").fill("Laval")
    page.locator("#id_inline-city").press("Enter")
    expect(page.get_by_test_id("field-city")).to_contain_text("Laval")
    expect(page.get_by_test_id("edit-city")).to_be_visible()
    assert Client.objects.get(pk=client.pk).city == "Laval"

    # load more
    page.get_by_test_id("timeline-more").click()
    expect(page.get_by_test_id("timeline-item")).to_have_count(23)

    # the star, then the favourites menu
    page.get_by_test_id("favourite-star").locator("button").click()
    expect(page.get_by_test_id("favourite-star").locator("button")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.goto("/agent/")
    page.get_by_test_id("favourites-menu").click()
    expect(page.get_by_test_id("favourite-item")).to_have_text(re.compile("Léa Jodoin"))
    shot(page, "menu-favourites-1366-fr")
    page.get_by_test_id("favourite-item").click()
    expect(page).to_have_url(re.compile(f"/agent/clients/{client.pk}/$"))
    page.get_by_test_id("recent-menu").click()
    expect(page.get_by_test_id("recent-item").first).to_contain_text("Léa Jodoin")
    page.keyboard.press("Escape")
    page.get_by_test_id("create-menu").click()
    expect(page.get_by_test_id("create-menu-items")).to_be_visible()
    shot(page, "menu-plus-1366-fr")


@pytest.mark.skipif(not SHOTS, reason="screenshots only when SCREENSHOTS names a folder")
@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_screenshots_of_the_360_page(page: Page, busy_client, width, theme, language):
    agent, client = busy_client
    agent.theme, agent.language = theme, language
    agent.save(update_fields=["theme", "language"])
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, agent)
    if language == "en":
        page.goto("/agent/")
        page.locator("#user-menu").click()
        page.get_by_test_id("lang-en").click()
    page.goto(client.get_absolute_url())
    shot(page, f"client-{width}-{theme}-{language}")
    page.get_by_test_id("edit-target_occupation").click()
    expect(page.locator("#id_inline-target_occupation")).to_be_visible()
    shot(page, f"client-{width}-{theme}-{language}-inline")
    page.get_by_test_id("create-menu").click()
    shot(page, f"menu-plus-{width}-{theme}-{language}")


def test_an_agent_plans_a_meeting_picking_its_partner_and_attendees(page: Page, transactional_db):
    agent = factories.agent(email="agent@example.org", first_name="Julie", last_name="Gagnon")
    partner = factories.PartnerFactory(name="Cégep du Nord", city="Laval")
    contact = factories.ContactFactory(partner=partner, first_name="Marc", last_name="Roy")
    person = factories.ClientFactory(first_name="Léa", last_name="Jodoin")
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, agent)
    page.goto("/agent/meetings/new/")
    page.locator("#id_subject").fill("Préparer son CV")
    page.locator("#id_starts_at").fill("2026-12-03T10:00")
    page.locator("#id_ends_at").fill("2026-12-03T11:00")
    # the partner, found by a word of its name without its accent
    page.get_by_test_id("picker-q-partner").fill("cegep")
    page.get_by_test_id("picker-partner").get_by_text("Cégep du Nord").click()
    chosen = page.get_by_test_id("picker-partner").locator("[data-picker-chosen] input")
    expect(chosen).to_be_checked()
    # a client picked by mistake is taken out again
    page.get_by_test_id("picker-q-client").fill("jodoin")
    page.get_by_test_id("picker-client").get_by_text("Léa Jodoin").click()
    page.get_by_test_id("picker-client").locator("[data-picker-remove]").click()
    expect(page.get_by_test_id("picker-client").locator("input[name=client]")).to_have_count(0)
    # a contact and a client attending (several may be picked)
    page.get_by_test_id("picker-q-contacts_attending").fill("roy")
    page.get_by_test_id("picker-contacts_attending").get_by_text("Marc Roy").click()
    page.get_by_test_id("picker-q-clients_attending").fill("jodoin")
    page.get_by_test_id("picker-clients_attending").get_by_text("Léa Jodoin").click()
    shot(page, "meeting-form-pickers-1366-fr")
    page.get_by_test_id("record-form").locator("button.btn-primary").click()
    expect(page).to_have_url(re.compile(r"/agent/meetings/\d+/$"))
    shot(page, "meeting-page-1366-fr")
    meeting = Meeting.objects.get()
    assert meeting.partner == partner
    assert list(meeting.contacts_attending.all()) == [contact]
    assert list(meeting.clients_attending.all()) == [person]
