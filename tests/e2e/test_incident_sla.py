"""An incident walked in the browser from its creation to its resolution, with the SLA panel's
times checked at each step.

The seeded default policy (response 8 business hours, resolution 3 business days) on the seeded
calendar (Mon–Fri 08:30–16:30, America/Montreal, Quebec holidays) gives, for an incident
created on Thursday 19 November 2026 at 14:00 (no holiday near it), due times computed by hand:

- response: Thursday 14:00–16:30 is 2 h 30, Friday 08:30 + 5 h 30 → Friday 20 November, 14:00;
- resolution: the closing time of the 3rd working day after Thursday (Fri, Mon, Tue) →
  Tuesday 24 November, 16:30;
- waiting for the requester from Thursday 15:30 to Friday 10:30 is 1 h + 2 h = 3 business hours,
  which push the resolution to Wednesday 25 November, 08:30 + 3 h = 11:30.

The live server answers from a thread of the test process, so a frozen clock (freezegun, with
asyncio left on real time for Playwright) is the clock of the services, of the history rows and
of the pages alike; the test moves it between the agent's actions.
"""

import importlib
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from freezegun import freeze_time
from playwright.sync_api import Locator, Page, expect

from requests_app.incidents.models import Incident
from requests_app.sla.models import SLAClock
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MONTREAL = ZoneInfo("America/Montreal")
AGENT = "agent.soutien@example.org"
SEEDS = (
    ("requests_app.migrations.0005_default_sla", "seed"),
    ("requests_app.migrations.0013_calendars_and_protected_status", "faculty_calendar_is_default"),
)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=MONTREAL)


@pytest.fixture
def support(transactional_db, eager_celery):
    """The default calendar and policy as the migrations seed them (a transactional test starts
    from an emptied database), a support group with its agent, and a client who calls."""
    for module, function in SEEDS:
        getattr(importlib.import_module(module), function)(apps, None)
    group = factories.AssignmentGroupFactory(name="Soutien technique")
    agent = factories.agent(email=AGENT, first_name="Léa", last_name="Bouchard")
    group.members.add(agent)
    client = factories.ClientFactory(
        first_name="Gilles",
        last_name="Tremblay",
        email="gilles.tremblay-desjardins@universite-exemple.qc.ca",
    )
    return {"group": group, "agent": agent, "client": client}


def log_in(page: Page, live_server, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/agent/")


def clock_panel(page: Page, label: str) -> Locator:
    """The column of the SLA panel for one clock ("Première réponse" or "Résolution")."""
    return page.get_by_test_id("sla").locator(".col-md-6").filter(has_text=label)


def expect_clock(page: Page, label: str, *, badge: str, due: str, due_iso: str) -> Locator:
    panel = clock_panel(page, label)
    expect(panel.locator("[data-sla]")).to_have_attribute("data-sla", badge)
    expect(panel.locator("time").first).to_have_attribute("datetime", due_iso)
    expect(panel).to_contain_text(f"Échéance\u00a0: {due}")
    return panel


def timeline(page: Page) -> list[str]:
    items = page.get_by_test_id("sla-timeline").locator("li")
    return [" ".join(text.split()) for text in items.all_inner_texts()]


def lines_of(locator: Locator) -> int:
    """How many lines the element's text is laid out on."""
    return locator.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }"
    )


def click_and_wait(page: Page, button: Locator) -> None:
    button.click()
    expect(page.locator(".alert-success")).to_be_visible()


def test_an_incident_is_worked_to_its_resolution_and_the_sla_panel_keeps_time(
    page: Page, live_server, support
):
    with freeze_time(local(19, 13, 55), real_asyncio=True) as frozen:
        log_in(page, live_server, AGENT)

        # Thursday 14:00: the agent files the incident for a caller found by the search box.
        frozen.move_to(local(19, 14))
        page.goto("/agent/incidents/new/")
        page.locator("#id_client_q").fill("Tremblay")
        results = page.get_by_test_id("client-results")
        expect(results).to_contain_text("gilles.tremblay-desjardins@universite-exemple.qc.ca")
        page.set_viewport_size({"width": 390, "height": 844})
        assert lines_of(results.locator(".email")) == 1
        page.set_viewport_size({"width": 1366, "height": 900})
        results.locator("input[type=radio]").check()
        page.locator("#id_title").fill("Impossible d'ouvrir la classe virtuelle")
        page.locator("#id_assignment_group").select_option(label="Soutien technique")
        page.get_by_role("button", name="Créer l'incident").click()
        expect(page).to_have_url(re.compile(r"/agent/incidents/\d+/$"))
        incident = Incident.objects.get()
        assert incident.requester == support["client"]
        number = incident.number

        expect(page.get_by_test_id("incident-status").locator("[data-status]")).to_have_text(
            "nouveau"
        )
        expect_clock(
            page,
            "Première réponse",
            badge="on_track",
            due="20 novembre 2026 14:00",
            due_iso="2026-11-20T14:00:00-05:00",
        )
        expect_clock(
            page,
            "Résolution",
            badge="on_track",
            due="24 novembre 2026 16:30",
            due_iso="2026-11-24T16:30:00-05:00",
        )
        assert timeline(page) == [
            "19/11/2026 14:00 · première réponse · début (échéance 20/11/2026 14:00)",
            "19/11/2026 14:00 · résolution · début (échéance 24/11/2026 16:30)",
        ]
        # The times the page shows are the clocks' rows, read in Montreal's time.
        clocks = {c.kind: c for c in SLAClock.objects.filter(incident=incident)}
        assert clocks["response"].due_at == local(20, 14)
        assert clocks["resolution"].due_at == local(24, 16, 30)

        # It waits in the group's queue, unassigned.
        page.goto("/agent/incidents/")
        expect(page.locator(f'a[href="{incident.get_absolute_url()}"]')).to_have_count(1)
        page.locator(f'a[href="{incident.get_absolute_url()}"]').first.click()

        # 14:10: the agent takes it: in progress, assigned to her.
        frozen.move_to(local(19, 14, 10))
        click_and_wait(page, page.get_by_test_id("take"))
        expect(page.get_by_test_id("take")).to_have_count(0)
        expect(page.get_by_test_id("incident-status").locator("[data-status]")).to_have_text(
            "en cours"
        )
        expect(page.locator("dd").filter(has_text="Léa Bouchard")).to_have_count(1)

        # 15:00: her comment to the caller is the first response; that clock stops, met.
        frozen.move_to(local(19, 15))
        page.locator("#id_kind").select_option("comment")
        page.locator("#id_body").fill("Videz le cache du navigateur, puis réessayez.")
        page.get_by_test_id("journal-add").click()
        expect(page).to_have_url(re.compile(r"#journal$"))
        response = expect_clock(
            page,
            "Première réponse",
            badge="met",
            due="20 novembre 2026 14:00",
            due_iso="2026-11-20T14:00:00-05:00",
        )
        expect(response.locator("[data-sla]")).to_have_text("respectée")
        expect(response).to_contain_text("Arrêt du compteur\u00a0: 19 novembre 2026 15:00")
        expect(page.locator("dd").filter(has_text="19/11/2026 15:00")).to_have_count(1)

        # 15:30: waiting for the caller pauses the resolution clock.
        frozen.move_to(local(19, 15, 30))
        click_and_wait(page, page.get_by_role("button", name="Mettre en attente du demandeur"))
        expect(page.get_by_test_id("incident-status").locator("[data-status]")).to_have_text(
            "en attente du demandeur"
        )
        resolution = expect_clock(
            page,
            "Résolution",
            badge="paused",
            due="24 novembre 2026 16:30",
            due_iso="2026-11-24T16:30:00-05:00",
        )
        expect(resolution.locator("[data-sla]")).to_have_text("en pause")

        # Friday 10:30: work goes on; the 3 business hours of waiting push the due time back.
        frozen.move_to(local(20, 10, 30))
        page.reload()
        click_and_wait(page, page.get_by_role("button", name="Traiter"))
        expect_clock(
            page,
            "Résolution",
            badge="on_track",
            due="25 novembre 2026 11:30",
            due_iso="2026-11-25T11:30:00-05:00",
        )

        # Monday 09:00: resolved, within the target.
        frozen.move_to(local(23, 9))
        click_and_wait(page, page.get_by_test_id("resolve"))
        expect(page.get_by_test_id("incident-status").locator("[data-status]")).to_have_text(
            "résolu"
        )
        resolution = expect_clock(
            page,
            "Résolution",
            badge="met",
            due="25 novembre 2026 11:30",
            due_iso="2026-11-25T11:30:00-05:00",
        )
        expect(resolution).to_contain_text("Arrêt du compteur\u00a0: 23 novembre 2026 09:00")
        expect(page.get_by_test_id("resolve")).to_have_count(0)

        # On a phone, the requester's address is never cut in the middle.
        page.set_viewport_size({"width": 390, "height": 844})
        email = page.get_by_test_id("requester-email")
        expect(email).to_have_text("gilles.tremblay-desjardins@universite-exemple.qc.ca")
        assert lines_of(email) == 1
        assert timeline(page) == [
            "19/11/2026 14:00 · première réponse · début (échéance 20/11/2026 14:00)",
            "19/11/2026 14:00 · résolution · début (échéance 24/11/2026 16:30)",
            "19/11/2026 15:00 · première réponse · arrêt (respectée)",
            "19/11/2026 15:30 · résolution · en pause",
            "20/11/2026 10:30 · résolution · reprise",
            "23/11/2026 09:00 · résolution · arrêt (respectée)",
        ]
        # The history at the foot of the page is loaded once scrolled to, in words.
        history = page.get_by_test_id("history")
        history.scroll_into_view_if_needed()
        expect(page.get_by_test_id("history-load")).to_have_count(0)
        expect(history).to_contain_text("résolu")
        expect(history).not_to_contain_text("resolved")

    incident.refresh_from_db()
    assert incident.status == Incident.Status.RESOLVED
    assert incident.resolved_at == local(23, 9)
    assert incident.first_response_at == local(19, 15)
    clocks = {c.kind: c for c in SLAClock.objects.filter(incident=incident)}
    assert clocks["response"].met is True
    assert clocks["resolution"].met is True
    assert clocks["resolution"].due_at == local(25, 11, 30)
    assert clocks["resolution"].paused_seconds == 3 * 3600
    assert number.startswith("INC")
