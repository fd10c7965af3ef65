"""Language and display preferences: remembered per user, French by default."""

import pytest
from django.urls import reverse

from tests.helpers import text

pytestmark = pytest.mark.django_db


def test_interface_is_french_by_default_even_if_the_browser_asks_for_english(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="fr"' in text(response)
    assert "Connexion à Guichet" in text(response)


def test_switching_to_english_is_remembered_on_the_user(login, agent, client):
    login(agent)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/agent/"})
    assert response["Location"] == "/agent/"
    agent.refresh_from_db()
    assert agent.language == "en"

    client.cookies.clear()  # a new browser: the choice follows the account
    client.force_login(agent)
    assert "My assignment groups" in text(client.get("/agent/"))


def test_unknown_language_falls_back_to_french(login, agent, client):
    login(agent)
    client.post(reverse("set_language"), {"language": "xx"})
    agent.refresh_from_db()
    assert agent.language == "fr"
    assert "Mes groupes d'affectation" in text(client.get("/agent/"))


def test_unknown_language_cookie_falls_back_to_french(client):
    client.cookies["django_language"] = "klingon"
    assert "Connexion à Guichet" in text(client.get(reverse("login")))


def test_anonymous_visitor_choice_is_kept_in_a_cookie(client):
    client.post(reverse("set_language"), {"language": "en"})
    assert "Log in to Guichet" in text(client.get(reverse("login")))


def test_offsite_next_is_ignored(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_dark_and_compact_modes_are_stored_on_the_user(login, agent, client):
    login(agent)
    client.post(reverse("set_display"), {"theme": "dark", "next": "/agent/"})
    client.post(reverse("set_display"), {"density": "compact", "next": "/agent/"})
    agent.refresh_from_db()
    assert (agent.theme, agent.density) == ("dark", "compact")
    page = text(client.get("/agent/"))
    assert 'data-bs-theme="dark"' in page
    assert "density-compact" in page


def test_invalid_display_values_change_nothing(login, agent, client):
    login(agent)
    client.post(reverse("set_display"), {"theme": "neon", "density": "tiny"})
    agent.refresh_from_db()
    assert (agent.theme, agent.density) == ("light", "comfortable")
