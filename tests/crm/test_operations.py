"""What a load balancer and an operator see: liveness, readiness, and only the served methods."""

import pytest
from django.urls import reverse


def test_healthz_answers_head_like_get(client):
    # when
    get, head = client.get("/healthz"), client.head("/healthz")

    # then
    assert get.status_code == head.status_code == 200
    assert head.content == b""


@pytest.mark.django_db
def test_readyz_answers_ready_when_database_and_broker_answer(client):
    response = client.get(reverse("readyz"))

    assert response.status_code == 200
    assert response.content == b"ready"
    assert client.head(reverse("readyz")).status_code == 200


@pytest.mark.django_db
def test_readyz_answers_503_naming_the_broker_when_it_is_down(client, settings):
    # given: the broker is on a port where nothing listens
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    # when
    response = client.get(reverse("readyz"))

    # then
    assert response.status_code == 503
    assert b"broker" in response.content
    assert b"database" not in response.content


@pytest.mark.django_db
def test_readyz_answers_503_naming_the_database_when_it_is_down(client, monkeypatch):
    # given: the database refuses every query
    from django.db import DatabaseError, connection

    def refuse(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr(connection, "cursor", refuse)

    # when
    response = client.get(reverse("readyz"))

    # then
    assert response.status_code == 503
    assert b"database" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/healthz", "/readyz", "/accounts/login/"])
def test_trace_is_not_allowed_anonymously(client, path):
    assert client.generic("TRACE", path).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "home",
        "portal:home",
        "agent:home",
        "notifications",
        "tasks:mine",
        "tasks:kanban",
        "requests:list",
        "requests:create",
        "incidents:queue",
        "incidents:create",
    ],
)
def test_trace_is_not_allowed_for_an_agent(client, agent, name):
    # given
    client.force_login(agent)

    # then
    assert client.generic("TRACE", reverse(name)).status_code == 405
