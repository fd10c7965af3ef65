"""The whole citizen journey of the portal, in Chromium: a citizen signs up and confirms the
address from the mail; browses the catalogue and opens a procedure; fills a three-step form
with a condition, with an error at step 2 (what was typed is kept, the summary links to the
field); saves a draft, resumes it from the launch button and files the request; sees its
number and expected date, then in "My requests" the request with its first visible step.
An agent, in a browser of their own, comments and adds a work note; the citizen sees the
comment, never the note, and replies; the agent reads the reply.

``SCREENSHOTS=dir`` keeps a picture of each page passed through, at 1366 and 390 px."""

import os
import re
from pathlib import Path

import pytest
from django.core import mail
from django.utils import formats, translation
from playwright.sync_api import Page, expect

from requests_app.forms.models import FormDraft
from requests_app.forms.services import form_load
from requests_app.models import JournalEntry
from requests_app.requests.models import ServiceRequest
from tasks_app.models import TaskTemplate
from tests import factories
from tests.e2e.conftest import TIMEOUT_MS
from tests.requests_app.catalogue.factories import ProcedureStepFactory
from tests.requests_app.forms.conftest import permit_form

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("SCREENSHOTS")
PASSWORD = "une-phrase-de-passe-solide-42"
LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")
COMMENT = "Bonjour, l'arboriste passera jeudi matin."
NOTE = "Interne : vérifier le zonage avant la visite."
REPLY = "Merci, je serai présente jeudi."


def shoot(page: Page, name: str) -> None:
    """The page at a desk's width and at a phone's, then back to the desk's."""
    if not SCREENSHOTS:
        return
    Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SCREENSHOTS}/citizen-{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.fixture
def permit(transactional_db):
    """The felling permit: a published e-service whose form has three steps shown (a fourth
    waits for a condition) and whose chain starts with a step the requester does not see."""
    group = factories.AssignmentGroupFactory(name="Environnement")
    request_type = factories.chain(
        ["1", "2<1"],
        group=group,
        code="PERMIT",
        name="Permis d'abattage d'arbre",
        published=True,
        summary="Abattre un arbre sur votre terrain.",
    )
    TaskTemplate.objects.filter(chain=request_type.chain_template, sequence="1").update(
        name="Contrôle interne", visible_to_requester=False
    )
    TaskTemplate.objects.filter(chain=request_type.chain_template, sequence="2").update(
        name="Visite de l'arboriste"
    )
    ProcedureStepFactory(request_type=request_type, position=1, title="Décrivez l'arbre")
    ProcedureStepFactory(request_type=request_type, position=2, title="Un arboriste le visite")
    form_load(data=permit_form())
    agent = factories.agent(email="agent.env@example.org", first_name="Luc", last_name="Martin")
    group.members.add(agent)
    return {"type": request_type, "agent": agent}


def sign_up_and_confirm(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_test_id("signup-from-login").click()
    page.locator("#id_first_name").fill("Ana")
    page.locator("#id_last_name").fill("Roy")
    page.locator("#id_email").fill("ana.roy@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_test_id("verification-sent")).to_be_visible()
    [sent] = mail.outbox
    assert sent.to == ["ana.roy@example.org"]
    link = LINK.search(sent.body)
    assert link, sent.body
    page.goto(link.group(1))
    page.get_by_test_id("confirm-email").click()
    expect(page.locator("#user-menu")).to_contain_text("Ana Roy")


def open_procedure(page: Page) -> None:
    page.goto("/")
    shoot(page, "home")
    tiles = page.get_by_test_id("tile")
    search = page.get_by_label("Rechercher une démarche")
    search.fill("abattage")
    search.press("Enter")
    expect(tiles).to_have_count(1)
    tiles.first.get_by_role("link", name="Permis d'abattage d'arbre").click()
    expect(page).to_have_url(re.compile(r"/services/permit/$"))
    expect(page.get_by_role("heading", name="Permis d'abattage d'arbre", level=1)).to_be_visible()
    expect(page.get_by_test_id("steps").locator("li")).to_have_count(2)
    shoot(page, "procedure")


def fill_until_the_draft(page: Page) -> None:
    # step 1: pre-filled from the new account ("tell us once")
    page.locator("[data-testid=launch-buttons]:visible").first.click()
    page.wait_for_url(re.compile(r"/services/permit/step/1/$"))
    expect(page.get_by_test_id("form-trail").locator("li")).to_have_count(3)
    expect(page.locator("#id_f_nom")).to_have_value("Ana Roy")
    expect(page.locator("#id_f_courriel")).to_have_value("ana.roy@example.org")
    page.get_by_test_id("step-next").click()

    # step 2: "Autre" shows the field of the condition; a diameter too small is an error
    page.wait_for_url(re.compile(r"/step/2/$"))
    other = page.get_by_test_id("field-autre_essence")
    expect(other).to_be_hidden()
    page.get_by_label("Autre", exact=True).check()
    expect(other).to_be_visible()
    page.locator("#id_f_autre_essence").fill("Chêne rouge")
    page.locator("#id_f_diametre").fill("5")
    page.get_by_test_id("step-next").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    shoot(page, "step-error")
    # what was typed is kept, and the summary's link leads to the field
    expect(page.get_by_label("Autre", exact=True)).to_be_checked()
    expect(page.locator("#id_f_autre_essence")).to_have_value("Chêne rouge")
    expect(page.locator("#id_f_diametre")).to_have_value("5")
    expect(summary.locator("a")).to_have_count(1)
    expect(page.locator("#id_f_diametre")).to_have_attribute("aria-invalid", "true")
    summary.locator('a[href="#id_f_diametre"]').click()
    expect(page.locator("#id_f_diametre")).to_be_focused()
    page.locator("#id_f_diametre").fill("45")
    page.get_by_test_id("step-save").click()
    page.wait_for_url(re.compile(r"/my/requests/$"))
    expect(page.get_by_test_id("my-drafts")).to_contain_text("Permis d'abattage d'arbre")


def resume_and_file(page: Page) -> ServiceRequest:
    # resumed from the procedure's launch button, where it was left
    page.goto("/services/permit/")
    page.locator("[data-testid=launch-buttons]:visible").first.click()
    page.wait_for_url(re.compile(r"/step/2/$"))
    expect(page.locator("#id_f_autre_essence")).to_have_value("Chêne rouge")
    expect(page.locator("#id_f_diametre")).to_have_value("45")
    page.get_by_test_id("step-next").click()
    # the tree is healthy: the disease step is skipped, three steps in all
    page.wait_for_url(re.compile(r"/step/4/$"))
    expect(page.get_by_test_id("form-trail").locator("li")).to_have_count(3)
    page.get_by_label(re.compile("J'atteste")).check()
    page.get_by_test_id("step-next").click()

    page.wait_for_url(re.compile(r"/filed/\d+/$"))
    request = ServiceRequest.objects.get()
    expect(page.get_by_test_id("request-number")).to_have_text(request.number)
    expected = max(t.due_date for t in request.tasks.all())
    expect(page.get_by_test_id("expected-date")).to_contain_text(str(expected.year))
    assert request.requester.email == "ana.roy@example.org"
    assert request.form_data["autre_essence"] == "Chêne rouge"
    assert not FormDraft.objects.exists()
    return request


def follow_in_my_requests(page: Page, request: ServiceRequest) -> None:
    page.get_by_test_id("my-requests-link").first.click()
    page.wait_for_url(re.compile(r"/my/requests/$"))
    listed = page.get_by_test_id("my-requests").locator("a")
    expect(listed).to_have_count(1)
    expect(listed.first).to_contain_text(request.number)
    # the first step the citizen sees, and the day it is expected by
    visit = request.tasks.get(template__sequence="2")
    with translation.override("fr"):
        due = formats.date_format(visit.due_date, "DATE_FORMAT")
    next_step = listed.first.get_by_test_id("next-step")
    expect(next_step).to_contain_text("Prochaine étape : Visite de l'arboriste")
    expect(next_step).to_contain_text(f"prévue d'ici le {due}")
    expect(next_step).not_to_contain_text("Contrôle interne")
    shoot(page, "my-requests")
    listed.first.click()
    page.wait_for_url(re.compile(rf"/my/requests/{request.pk}/$"))
    # the internal check is not shown: the first step the citizen sees is the visit
    steps = page.get_by_test_id("timeline").locator("li")
    expect(steps).to_have_count(1)
    expect(steps.first).to_contain_text("Visite de l'arboriste")
    expect(page.get_by_test_id("timeline")).not_to_contain_text("Contrôle interne")
    expect(steps.first).to_contain_text(due)
    expect(page.get_by_test_id("expected")).to_have_text(due)


def agent_writes(browser, live_server, agent, request: ServiceRequest) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    agent_page = context.new_page()
    agent_page.goto("/accounts/login/")
    agent_page.locator("#id_username").fill(agent.email)
    agent_page.locator("#id_password").fill(factories.PASSWORD)
    agent_page.locator("form button[type=submit]").click()
    expect(agent_page).to_have_url(re.compile(r"/agent/$"))
    agent_page.goto(request.get_absolute_url())
    for kind, body in (("comment", COMMENT), ("work_note", NOTE)):
        agent_page.locator("#id_kind").select_option(kind)
        agent_page.locator("#id_body").fill(body)
        agent_page.get_by_test_id("journal-add").click()
        expect(agent_page).to_have_url(re.compile(r"#journal$"))
        expect(agent_page.locator("#journal")).to_contain_text(body)
    return agent_page


def test_a_citizen_signs_up_files_and_follows_a_request(
    page: Page, browser, live_server, permit, mailoutbox, eager_celery
):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_up_and_confirm(page)
    open_procedure(page)
    fill_until_the_draft(page)
    request = resume_and_file(page)
    follow_in_my_requests(page, request)

    agent_page = agent_writes(browser, live_server, permit["agent"], request)
    assert set(request.journal.values_list("kind", "body")) >= {
        (JournalEntry.Kind.COMMENT, COMMENT),
        (JournalEntry.Kind.WORK_NOTE, NOTE),
    }
    # the comment reaches her by mail too, the note never does
    [told] = [m for m in mail.outbox if COMMENT in m.body]
    assert told.to == ["Ana Roy <ana.roy@example.org>"]
    assert request.number in told.subject
    assert not any(NOTE in m.body for m in mail.outbox)

    # the citizen sees the comment, never the note, and replies
    page.reload()
    comments = page.get_by_test_id("comments")
    expect(comments).to_contain_text(COMMENT)
    expect(comments).to_contain_text("Luc Martin")
    expect(page.locator("main")).not_to_contain_text(NOTE)
    shoot(page, "request")
    page.locator("#id_body").fill(REPLY)
    page.get_by_role("button", name="Envoyer").click()
    page.wait_for_url(re.compile(rf"/my/requests/{request.pk}/$"))
    expect(comments.locator("li").last).to_contain_text(REPLY)
    expect(comments.locator("li").last).to_contain_text("Vous")
    assert request.journal.filter(
        kind=JournalEntry.Kind.COMMENT, body=REPLY, author__email="ana.roy@example.org"
    ).exists()
    expect(page.locator("main")).not_to_contain_text(NOTE)

    # the agent finds the reply in the request's thread
    agent_page.reload()
    expect(agent_page.locator("#journal")).to_contain_text(REPLY)
    agent_page.context.close()
