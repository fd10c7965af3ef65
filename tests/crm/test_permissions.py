"""Who may reach which interface: personas for the back office, the admin and notifications."""

import pytest
from django.urls import reverse

from tests import factories
from tests.helpers import text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/agent/", "/admin/"])
def test_anonymous_visitor_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_citizen_is_refused_the_back_office(login, citizen):
    response = login(citizen).get("/agent/")
    assert response.status_code == 403


def test_citizen_is_refused_the_admin(login, citizen):
    response = login(citizen).get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_agent_reaches_the_back_office_and_sees_own_groups(login, agent, colleague):
    mine = factories.AssignmentGroupFactory(name="Technologues")
    mine.members.add(agent)
    theirs = factories.AssignmentGroupFactory(name="Comptabilité")
    theirs.members.add(colleague)

    response = login(agent).get("/agent/")

    assert response.status_code == 200
    assert "Technologues" in text(response)
    assert "Comptabilité" not in text(response)


def test_agent_without_staff_status_cannot_enter_admin(login, agent):
    response = login(agent).get("/admin/")
    assert response.status_code == 302


def test_administrator_enters_admin_and_edits_assignment_groups(login, administrator):
    client = login(administrator)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/crm/assignmentgroup/add/").status_code == 200


def test_manager_reaches_the_back_office(login, manager):
    assert login(manager).get("/agent/").status_code == 200


def test_group_page_is_for_back_office_users_only(login, citizen, agent):
    group = factories.AssignmentGroupFactory()
    url = reverse("agent:group_detail", args=[group.pk])
    assert login(citizen).get(url).status_code == 403
    assert login(agent).get(url).status_code == 200


def test_unknown_group_page_is_404(login, agent):
    assert login(agent).get(reverse("agent:group_detail", args=[999999])).status_code == 404


def test_citizen_home_lands_on_portal_and_agent_on_back_office(login, citizen, agent):
    assert login(citizen).get("/home/")["Location"] == "/"
    assert login(agent).get("/home/")["Location"] == "/agent/"
