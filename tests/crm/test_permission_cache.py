"""A user's permissions are kept between pages, and a change of role, of a role's permissions
or of a user's own permissions takes effect at the next page."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm import roles
from tests import factories

pytestmark = pytest.mark.django_db

QUEUE = reverse("tasks:queue")


def _permission_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return sum("auth_permission" in q["sql"] for q in captured.captured_queries)


def test_the_permissions_are_read_once_then_kept(login):
    client = login(factories.agent(email="agent@example.org"))
    assert _permission_queries(client, QUEUE) == 1
    assert _permission_queries(client, QUEUE) == 0


def test_a_role_taken_away_closes_the_back_office_at_the_next_page(login):
    agent = factories.agent(email="agent@example.org")
    client = login(agent)
    assert client.get(QUEUE).status_code == 200
    agent.groups.clear()
    assert client.get(QUEUE).status_code == 403


def test_a_role_given_opens_it_at_the_next_page(login):
    citizen = factories.citizen(email="citoyen2@example.org")
    client = login(citizen)
    assert client.get(QUEUE).status_code == 403
    citizen.groups.add(Group.objects.get(name=roles.AGENT))
    assert client.get(QUEUE).status_code == 200


def test_a_permission_taken_from_a_role_is_gone_for_its_members(login):
    agent = factories.agent(email="agent@example.org")
    client = login(agent)
    assert client.get(QUEUE).status_code == 200
    role = Group.objects.get(name=roles.AGENT)
    role.permissions.remove(Permission.objects.get(codename="access_backoffice"))
    try:
        assert client.get(QUEUE).status_code == 403
    finally:
        role.permissions.add(Permission.objects.get(codename="access_backoffice"))
    assert client.get(QUEUE).status_code == 200
