"""403, 404, 500 and lock-out pages: in the reader's layout and language, with a way back."""

import logging

import pytest
from django.test import override_settings

from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.ui.error_urls")]

AGENT_MARKER = 'layout-agent"'
PORTAL_MARKER = 'layout-portal"'

TEXTS = {
    403: {"fr": "Action non autorisée", "en": "Not allowed"},
    404: {"fr": "Page introuvable", "en": "Page not found"},
    500: {"fr": "Un problème est survenu", "en": "Something went wrong"},
}


def _reader(kind: str, language: str):
    make = factories.agent if kind == "agent" else factories.citizen
    return make(language=language)


def _body(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    ("kind", "path", "marker", "home"),
    [
        ("agent", "/agent/forbidden/", AGENT_MARKER, "/agent/"),
        ("agent", "/portal-forbidden/", PORTAL_MARKER, 'href="/"'),
        ("citizen", "/agent/forbidden/", PORTAL_MARKER, 'href="/"'),
        ("citizen", "/portal-forbidden/", PORTAL_MARKER, 'href="/"'),
    ],
)
def test_forbidden_page_uses_the_readers_layout_and_language(
    client, kind, path, marker, home, language
):
    # given
    client.force_login(_reader(kind, language))
    # when
    response = client.get(path)
    # then
    body = _body(response)
    assert response.status_code == 403
    assert marker in body
    assert TEXTS[403][language] in body
    assert 'data-testid="way-back"' in body and home in body


def test_a_citizen_refused_a_back_office_page_sees_the_portal_layout(client):
    # given
    client.force_login(factories.citizen(language="en"))
    # when
    response = client.get("/agent/")
    # then
    assert response.status_code == 403
    assert PORTAL_MARKER in _body(response)
    assert 'data-testid="forbidden"' in _body(response)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    ("kind", "path", "marker"),
    [
        ("agent", "/agent/no-such-page/", AGENT_MARKER),
        ("agent", "/no-such-page/", PORTAL_MARKER),
        ("citizen", "/agent/no-such-page/", PORTAL_MARKER),
        ("citizen", "/no-such-page/", PORTAL_MARKER),
    ],
)
def test_not_found_page_uses_the_readers_layout_and_language(client, kind, path, marker, language):
    # given
    client.force_login(_reader(kind, language))
    # when
    response = client.get(path)
    # then
    body = _body(response)
    assert response.status_code == 404
    assert marker in body
    assert TEXTS[404][language] in body
    assert 'data-testid="way-back"' in body


def test_not_found_page_for_an_anonymous_visitor_is_in_french_with_the_portal_layout(client):
    # when
    response = client.get("/no-such-page/")
    # then
    assert response.status_code == 404
    assert PORTAL_MARKER in _body(response)
    assert TEXTS[404]["fr"] in _body(response)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("kind", ["agent", "citizen"])
@pytest.mark.parametrize("path", ["/agent/crash/", "/crash/"])
@override_settings(DEBUG=False)
def test_server_error_page_renders_in_the_readers_language_with_a_way_back(
    client, kind, language, path
):
    # given
    client.force_login(_reader(kind, language))
    client.raise_request_exception = False
    # when
    response = client.get(path)
    # then
    body = _body(response)
    assert response.status_code == 500
    assert 'data-testid="server-error"' in body
    assert TEXTS[500][language] in body
    assert f'lang="{language}"' in body
    assert 'data-testid="way-back"' in body and 'href="/"' in body


def test_server_error_template_needs_no_request_nor_database(django_assert_num_queries):
    # given
    from django.template import loader
    from django.utils import translation

    # when
    with django_assert_num_queries(0), translation.override("en"):
        html = loader.get_template("500.html").render()
    # then
    assert "Something went wrong" in html


def test_forbidden_is_logged_as_one_warning_without_traceback(client, caplog):
    # given
    client.force_login(factories.agent())
    # when
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/agent/forbidden/")
    # then
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    assert records[0].levelno == logging.WARNING
    assert "Forbidden" in records[0].getMessage()
    assert records[0].exc_info is None


@pytest.mark.parametrize(
    ("language", "text"), [("fr", "Trop de tentatives"), ("en", "Too many attempts")]
)
def test_lock_out_page_is_in_the_portal_layout_with_a_way_back(client, settings, language, text):
    # given
    settings.AXES_FAILURE_LIMIT = 1
    user = factories.citizen(email="bloque@example.org")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    form = {"username": user.email, "password": "wrong"}
    client.post("/accounts/login/", form)
    # when
    response = client.post("/accounts/login/", form)
    # then
    body = _body(response)
    assert response.status_code == 429
    assert 'data-testid="locked-out"' in body
    assert PORTAL_MARKER in body
    assert text in body
    assert 'data-testid="way-back"' in body
