"""Login, logout, throttling per account and address, password change and reset.

Spraying: test_login_throttle.py; the reset's limits and mail: test_password_reset.py."""

import pytest
from django.core import mail
from django.urls import reverse

from tests import factories
from tests.helpers import text

pytestmark = pytest.mark.django_db


def _login(client, email, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_agent_logs_in_with_email_in_any_case(client, agent):
    response = _login(client, "AGENT@Example.org", factories.PASSWORD)
    assert response.status_code == 302
    assert client.get("/agent/").status_code == 200


def test_wrong_password_gives_a_clear_message_and_keeps_the_email(client, agent):
    response = _login(client, "agent@example.org", "wrong")
    assert response.status_code == 200
    assert "L'adresse courriel ou le mot de passe est incorrect." in text(response)
    assert 'value="agent@example.org"' in text(response)
    assert "_auth_user_id" not in client.session


def test_unknown_account_gets_the_same_message_as_a_wrong_password(client, agent):
    unknown = _login(client, "nobody@example.org", "wrong")
    wrong = _login(client, "agent@example.org", "wrong")
    assert unknown.status_code == wrong.status_code == 200
    message = "L'adresse courriel ou le mot de passe est incorrect."
    assert message in text(unknown) and message in text(wrong)


def test_login_is_throttled_after_five_failures_even_with_the_right_password(client, agent):
    for _ in range(5):
        _login(client, "agent@example.org", "wrong")

    response = _login(client, "agent@example.org", factories.PASSWORD)

    assert response.status_code == 429
    assert "Trop d'échecs de connexion" in text(response)
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account_and_address(client, agent, colleague):
    for _ in range(5):
        _login(client, "agent@example.org", "wrong")
    assert _login(client, "collegue@example.org", factories.PASSWORD).status_code == 302


def test_logout_requires_post_and_ends_the_session(login, agent):
    client = login(agent)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/agent/").status_code == 302


def test_password_change_then_login_with_new_password(login, agent, client):
    login(agent)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": factories.PASSWORD,
            "new_password1": "un-nouveau-secret-2026",
            "new_password2": "un-nouveau-secret-2026",
        },
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password("un-nouveau-secret-2026")


def test_password_reset_for_unknown_address_reveals_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []
