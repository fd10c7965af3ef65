"""Accessibility of an e-service's pages: axe-core in Chromium finds no violation of any impact
on the catalogue with its tile, the procedure page, the start page of a form filed without an
account, every step of the form (the disease step shown, a step in error with its summary) and
the page that gives the request's number, in French and in English, light and dark."""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from requests_app.forms.services import form_load
from tests import factories
from tests.e2e.test_form_filling import log_in
from tests.e2e.test_portal_axe import AXE, RUN_AXE, violations
from tests.requests_app.forms.conftest import permit_form

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


SHOTS = os.environ.get("SCREENSHOTS")


def check(page: Page, found: dict, language: str, theme: str, name: str) -> None:
    """axe on the page as it is now (it is not reloaded: a step in error stays in error);
    screenshots at 1366 and 390 px when SCREENSHOTS names a folder."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    if SHOTS:
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            slug = re.sub(r"\W+", "-", name)
            path = Path(SHOTS) / f"form-{slug}-{language}-{theme}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
        page.set_viewport_size({"width": 1366, "height": 900})
    page.add_script_tag(url=AXE)
    result = page.evaluate(RUN_AXE)
    if result:
        found[name] = result


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_e_services_pages_have_no_axe_violation(page: Page, live_server, language, theme):
    group = factories.AssignmentGroupFactory(name="Environnement")
    factories.chain(["1", "2<1"], group=group, code="PERMIT", name="Permis", published=True)
    form_load(data={**permit_form(), "allows_anonymous": True})
    user = factories.citizen(email="ana@example.org", first_name="Ana", last_name="Roy")
    user.language = language
    user.theme = theme
    user.save()
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    found: dict = {}

    # as a visitor: the catalogue, the procedure, the start without an account
    procedure = reverse("portal:procedure", kwargs={"slug": "permit"})
    start = reverse("portal:request_start", kwargs={"slug": "permit"})
    for path in (reverse("portal:home"), procedure, start):
        assert not violations(page, path), path

    log_in(page, user)
    page.goto(start)
    check(page, found, language, theme, "step 1")
    page.get_by_test_id("step-next").click()

    page.wait_for_url(re.compile(r"/step/2/$"))
    check(page, found, language, theme, "step 2")
    # in error: the summary at the top, each field with its message
    page.locator("#id_f_diametre").fill("5")
    page.get_by_test_id("step-next").click()
    expect(page.get_by_test_id("error-summary")).to_be_visible()
    check(page, found, language, theme, "step 2 in error")
    page.locator("#id_f_essence_1").check()
    page.locator("#id_f_diametre").fill("45")
    page.locator("#id_f_malade").check()
    page.get_by_test_id("step-next").click()

    page.wait_for_url(re.compile(r"/step/3/$"))
    check(page, found, language, theme, "step 3 (shown by a condition)")
    page.locator("#id_f_symptomes_0").check()
    page.get_by_test_id("step-next").click()

    page.wait_for_url(re.compile(r"/step/4/$"))
    check(page, found, language, theme, "step 4 (files, consent)")
    page.locator("#id_f_accord").check()
    page.get_by_test_id("step-next").click()

    page.wait_for_url(re.compile(r"/filed/\d+/$"))
    check(page, found, language, theme, "filed")
    assert not found, found
