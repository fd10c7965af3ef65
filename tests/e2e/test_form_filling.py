"""A citizen fills a form built in the admin, in Chromium: three steps with a condition, an
error at step 2 (what was typed is kept), a draft saved and resumed, then the request filed
with its number and expected date."""

import re

import pytest
from playwright.sync_api import Page, expect

from requests_app.forms.models import FormDraft
from requests_app.forms.services import form_load
from requests_app.requests.models import ServiceRequest
from tests import factories
from tests.requests_app.forms.conftest import permit_form

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def citizen(transactional_db):
    group = factories.AssignmentGroupFactory(name="Environnement")
    request_type = factories.chain(
        ["1", "2<1"], group=group, code="PERMIT", name="Permis", published=True
    )
    form_load(data=permit_form())
    user = factories.citizen(email="ana@example.org", first_name="Ana", last_name="Roy")
    return user, request_type


def log_in(page: Page, user) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(re.compile(r"//[^/]+/$"))


def test_a_citizen_fills_saves_resumes_and_files_a_form(page: Page, citizen):
    user, request_type = citizen
    log_in(page, user)

    # step 1: pre-filled from the profile ("tell us once")
    page.goto("/services/permit/start/")
    trail = page.get_by_test_id("form-trail")
    expect(trail.locator("li")).to_have_count(3)  # the disease step waits for its condition
    expect(page.locator("#id_f_nom")).to_have_value("Ana Roy")
    expect(page.locator("#id_f_courriel")).to_have_value("ana@example.org")
    expect(page.get_by_test_id("step-help")).to_contain_text("Vos coordonnées.")
    page.get_by_test_id("step-next").click()

    # step 2: the condition shows a field in the browser; an error keeps what was typed
    page.wait_for_url(re.compile(r"/step/2/$"))
    other = page.get_by_test_id("field-autre_essence")
    expect(other).to_be_hidden()
    page.get_by_label("Autre", exact=True).check()
    expect(other).to_be_visible()
    page.locator("#id_f_diametre").fill("5")
    page.get_by_test_id("step-next").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.locator("a")).to_have_count(2)
    expect(page.locator("#id_f_diametre")).to_have_value("5")
    expect(page.get_by_label("Autre", exact=True)).to_be_checked()
    expect(page.locator("#id_f_diametre")).to_have_attribute("aria-describedby", "f_diametre-error")
    summary.locator('a[href="#id_f_diametre"]').click()
    expect(page.locator("#id_f_diametre")).to_be_focused()
    page.locator("#id_f_autre_essence").fill("Chêne rouge")
    page.locator("#id_f_diametre").fill("45")

    # a draft, resumed from "my requests"
    page.get_by_test_id("step-save").click()
    page.wait_for_url(re.compile(r"/my/requests/$"))
    assert FormDraft.objects.filter(client=user.client).exists()
    page.get_by_test_id("my-drafts").get_by_test_id("resume-draft").click()
    page.wait_for_url(re.compile(r"/step/2/$"))
    expect(page.locator("#id_f_autre_essence")).to_have_value("Chêne rouge")
    expect(page.locator("#id_f_diametre")).to_have_value("45")
    page.get_by_test_id("step-next").click()

    # the disease step is skipped (the tree is healthy): three steps in all
    page.wait_for_url(re.compile(r"/step/4/$"))
    expect(page.get_by_test_id("form-trail").locator("li")).to_have_count(3)
    page.get_by_label(re.compile("J'atteste")).check()
    page.get_by_test_id("step-next").click()

    # filed: the number and the expected date
    page.wait_for_url(re.compile(r"/filed/\d+/$"))
    request = ServiceRequest.objects.get()
    expect(page.get_by_test_id("request-number")).to_have_text(request.number)
    expected = max(t.due_date for t in request.tasks.all())
    expect(page.get_by_test_id("expected-date")).to_contain_text(str(expected.year))
    assert request.form_data["autre_essence"] == "Chêne rouge"
    assert request.form_data["diametre"] == 45
    assert not FormDraft.objects.exists()
