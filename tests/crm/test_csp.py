"""The Content-Security-Policy: sent on every page, strict, and no page needs it relaxed.

The header is checked on pages of each layout, with DEBUG off as in production. Then every page
of the URLconf (as an agent, a manager, a citizen and a visitor) and of the admin (index, each
model's list, add form and change form, as an administrator) is parsed: no inline script, no
<style>, no style attribute, no event-handler attribute, no ``javascript:`` URL and no ``hx-on``.
The policy would refuse each of them; the browser test (tests/e2e/test_csp.py) sees that it
does not have to.
"""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.template import loader
from django.urls import reverse

from crm.models import Notification
from tests import factories
from tests.test_bad_input_fuzz import _urls, objects  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

EXPECTED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}
# <script type="application/json"> (json_script) is data: the policy does not run it.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def _directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {name: (rest[0] if rest else "") for name, *rest in parts}


class InlineFinder(HTMLParser):
    """Collects what a strict policy refuses: inline scripts and styles, handlers, js: URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        kind = (attributes.get("type") or "").lower()
        if tag == "script" and not attributes.get("src") and kind not in DATA_SCRIPT_TYPES:
            self.found.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> at line {self.getpos()[0]}")
        for name, value in attrs:
            where = f"<{tag} {name}=…> at line {self.getpos()[0]}"
            if name == "style":
                self.found.append(f"style attribute {where}")
            elif name.startswith("on") or name.startswith("hx-on") or name.startswith("data-hx-on"):
                self.found.append(f"handler attribute {where}")
            elif (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL {where}")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def inline_code(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def _is_html(response) -> bool:
    return response.status_code == 200 and "text/html" in response.get("Content-Type", "")


def test_the_finder_sees_what_the_policy_refuses():
    # given a page with one of each
    html = (
        "<script>alert(1)</script><style>p{}</style><p style='color:red'></p>"
        "<select onchange='x()'></select><a href='javascript:void(0)'></a>"
        "<div hx-on:click='x()'></div>"
        '<script src="/static/x.js"></script><script type="application/json">{}</script>'
    )
    # then each is found, and the external script and the data are not
    assert len(inline_code(html)) == 6


@pytest.mark.parametrize(
    ("who", "url_name"),
    [(None, "login"), (None, "portal:home"), ("agent", "agent:home"), ("agent", "tasks:kanban")],
)
def test_every_layout_sends_the_strict_policy(client, settings, request, who, url_name):
    # given production settings
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = False
    if who:
        client.force_login(request.getfixturevalue(who))
    # when
    response = client.get(reverse(url_name))
    # then
    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    assert _directives(header) == EXPECTED
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header


def test_error_pages_send_the_policy_in_production(client, settings):
    # given production settings (with DEBUG on, Django's own debug pages go without it)
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = False
    # when
    response = client.get("/agent/no-such-page/")
    # then
    assert response.status_code == 404
    assert _directives(response["Content-Security-Policy"]) == EXPECTED
    assert inline_code(response.content.decode()) == []


def test_the_self_contained_500_page_has_no_inline_code(client):
    # when the 500 template is rendered as Django's handler does (no request context)
    html = loader.get_template("500.html").render()
    # then
    assert inline_code(html) == []


@pytest.mark.parametrize("persona", ["agent", "manager", "citizen", None])
def test_no_page_has_inline_script_or_style(client, request, persona, objects):  # noqa: F811
    # given every page of the URLconf, as this person
    urls = _urls(objects)
    if persona:
        user = request.getfixturevalue(persona)
        Notification.objects.create(recipient=user, title="Bonjour")
    pages = 0
    for url in urls:
        if persona:
            client.force_login(user)
        # when
        response = client.get(url)
        if not _is_html(response):
            continue
        pages += 1
        # then
        assert inline_code(response.content.decode()) == [], url
        assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert pages >= (10 if persona in ("agent", "manager") else 3)


def test_no_admin_page_has_inline_script_or_style(client, administrator, objects):  # noqa: F811
    # given the admin's index, and every model's list, add form and change form
    factories.SLAPolicyFactory()
    factories.ChainTemplateFactory()
    client.force_login(administrator)
    urls = [reverse("admin:index")]
    for model, _model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"{prefix}_change", args=[first.pk]))
            urls.append(reverse(f"{prefix}_history", args=[first.pk]))
    checked = 0
    for url in urls:
        # when
        response = client.get(url)
        if not _is_html(response):
            continue
        checked += 1
        # then
        assert inline_code(response.content.decode()) == [], url
    assert checked > 40
