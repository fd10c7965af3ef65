"""Accessibility: axe-core (vendored, static/vendor/axe-core) run in Chromium on every page of
the portal, in French and in English, finds no violation of any impact.

Pages: the portal's home and every other portal page without arguments (the catalogue's, when
there), login, sign-up, password reset, the e-mail confirmation pages, my requests, a request
(timeline, messages, documents), the profile, my organisations and an organisation's page, as a
visitor or as the citizen they belong to.
"""

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.portal_data import portal_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = "/static/vendor/axe-core/axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary),
  }));
}"""
PUBLIC = ["login", "account_signup", "password_reset", "account_email_verification_sent"]


def portal_pages_without_arguments() -> list[str]:
    names = []

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and entry.name and namespace == "portal":
                names.append(f"portal:{entry.name}")

    walk(get_resolver().url_patterns, None)
    paths = []
    for name in sorted(set(names)):
        try:
            paths.append(reverse(name))
        except NoReverseMatch:
            continue  # a page of one object: listed below with its object
    return paths


def violations(page: Page, path: str) -> list[dict]:
    page.goto(path)
    expect(page.locator("main")).to_be_visible()
    page.add_script_tag(url=AXE)
    return page.evaluate(RUN_AXE)


def assert_clean(page: Page, paths: list[str], language: str):
    found = {}
    for path in paths:
        result = violations(page, path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        if result:
            found[path] = result
    assert not found, found


def log_in(page: Page, email: str):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator("#user-menu")).to_be_visible()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_public_portal_pages_have_no_axe_violation(page: Page, live_server, language):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    paths = [reverse(name) for name in PUBLIC]
    paths += [p for p in portal_pages_without_arguments() if p == reverse("portal:home")]
    assert_clean(page, paths, language)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_citizens_pages_have_no_axe_violation(page: Page, live_server, language):
    world = portal_world()
    citizen = world["citizen"]
    citizen.language = language
    citizen.save()
    log_in(page, citizen.email)
    paths = portal_pages_without_arguments() + [
        reverse("portal:my_request_detail", args=[world["request"].pk]),
        reverse("portal:organisation_detail", args=[world["school"].pk]),
        reverse("notifications"),
    ]
    assert_clean(page, paths, language)


def test_the_request_page_is_usable_with_the_keyboard(page: Page, live_server):
    world = portal_world()
    log_in(page, world["citizen"].email)
    page.goto(reverse("portal:my_request_detail", args=[world["request"].pk]))

    # The first Tab reaches the skip link, which moves to the content.
    page.keyboard.press("Tab")
    skip = page.locator("a[href='#main']")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")

    # The message box is reached with Tab alone, typed in and sent with the keyboard.
    box = page.locator("#id_body")
    for _step in range(60):
        page.keyboard.press("Tab")
        if box.evaluate("e => e === document.activeElement"):
            break
    expect(box).to_be_focused()
    outline = box.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"
    page.keyboard.type("Envoyé au clavier")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("comments")).to_contain_text("Envoyé au clavier")
