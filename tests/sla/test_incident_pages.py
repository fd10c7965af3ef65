"""Incident pages: personas, SLA badges sorted by due time, the SLA timeline."""

import pytest
from django.urls import reverse

from requests_app.models import Incident
from tests import factories
from tests.helpers import text
from tests.sla.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def incidents(citizen, policy, support_group):
    late = factories.IncidentFactory(
        requester=citizen.client,
        title="Ancien",
        assignment_group=support_group,
        now=at(2026, 11, 2, 9),
    )
    fresh = factories.IncidentFactory(
        requester=citizen.client, title="Récent", assignment_group=support_group
    )
    return late, fresh


@pytest.mark.parametrize(
    "name", ["incidents:queue", "incidents:mine", "incidents:all", "incidents:create"]
)
def test_citizen_reaches_no_incident_page(login, citizen, name):
    assert login(citizen).get(reverse(name)).status_code == 403


def test_citizen_cannot_open_or_change_an_incident(login, citizen, incidents):
    late, _fresh = incidents
    client = login(citizen)
    assert client.get(late.get_absolute_url()).status_code == 403
    response = client.post(
        reverse("incidents:action", args=[late.pk, "status"]), {"status": "resolved"}
    )
    assert response.status_code == 403
    late.refresh_from_db()
    assert late.status == Incident.Status.NEW


def test_queue_is_sorted_by_due_time_with_badges(login, helper, incidents):
    late, fresh = incidents
    page = text(login(helper).get(reverse("incidents:queue")))
    assert page.index(late.number) < page.index(fresh.number)
    assert 'data-sla="breached"' in page
    assert 'data-sla="on_track"' in page


def test_outsider_agent_sees_but_cannot_act(login, agent, incidents):
    late, _fresh = incidents
    client = login(agent)
    page = client.get(late.get_absolute_url())
    assert page.status_code == 200 and 'data-testid="take"' not in text(page)
    client.post(reverse("incidents:action", args=[late.pk, "take"]))
    late.refresh_from_db()
    assert late.assignee is None


def test_member_takes_pauses_and_the_timeline_shows_it(login, helper, incidents):
    _late, fresh = incidents
    client = login(helper)
    client.post(reverse("incidents:action", args=[fresh.pk, "take"]))
    client.post(
        reverse("incidents:action", args=[fresh.pk, "status"]), {"status": "awaiting_requester"}
    )
    client.post(reverse("incidents:action", args=[fresh.pk, "status"]), {"status": "in_progress"})
    page = text(client.get(fresh.get_absolute_url()))
    timeline = page[page.index('data-testid="sla-timeline"') :]
    for word in ("début", "en pause", "reprise"):
        assert word in timeline


def test_illegal_status_change_shows_a_message(login, helper, incidents):
    _late, fresh = incidents
    response = login(helper).post(
        reverse("incidents:action", args=[fresh.pk, "status"]), {"status": "closed"}, follow=True
    )
    assert "ne peut pas passer" in text(response)


def test_agent_creates_an_incident_for_a_caller(login, helper, support_group, policy):
    response = login(helper).post(
        reverse("incidents:create"),
        {
            "new_first_name": "Paul",
            "new_last_name": "Appel",
            "new_email": "appelant@example.org",
            "channel": "phone",
            "title": "Pas de son",
            "priority": "3",
            "assignment_group": support_group.pk,
        },
    )
    incident = Incident.objects.get(title="Pas de son")
    assert response["Location"] == incident.get_absolute_url()
    assert incident.clocks.count() == 2
    assert incident.created_by == helper
    assert str(incident.requester) == "Paul Appel"
    assert incident.requester.email == "appelant@example.org"
    assert incident.requester.user is None


def test_agent_creates_an_incident_for_a_client_picked_in_the_search(login, helper, policy):
    # given
    paul = factories.ClientFactory(first_name="Paul", last_name="Appel")

    # when
    response = login(helper).post(
        reverse("incidents:create"),
        {"client": paul.pk, "channel": "phone", "title": "Micro muet", "priority": "3"},
    )

    # then
    assert response.status_code == 302
    assert Incident.objects.get(title="Micro muet").requester == paul


def test_incident_form_keeps_input_on_error(login, helper):
    response = login(helper).post(
        reverse("incidents:create"),
        {
            "new_first_name": "Paul",
            "new_last_name": "Appel",
            "new_email": "pas-un-courriel",
            "channel": "phone",
            "title": "Mon titre",
            "priority": "3",
        },
    )
    assert response.status_code == 400
    assert "Mon titre" in text(response)
    assert 'value="pas-un-courriel"' in response.content.decode()
    assert not Incident.objects.exists()


def test_incident_list_query_count_is_constant(
    login, helper, citizen, support_group, policy, django_assert_max_num_queries
):
    client = login(helper)
    factories.IncidentFactory(requester=citizen.client, assignment_group=support_group)
    with django_assert_max_num_queries(30) as first:
        client.get(reverse("incidents:all"))
    factories.IncidentFactory.create_batch(
        10, requester=citizen.client, assignment_group=support_group
    )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("incidents:all"))


def test_the_sla_timeline_shows_due_times_in_the_body_time_zone(login, helper, incidents):
    # given: the late incident started on Monday 2026-11-02 09:00 in Montréal (14:00 UTC)
    late, _fresh = incidents

    # when
    page = text(login(helper).get(late.get_absolute_url()))

    # then: its resolution is due on Thursday at the 16:30 local closing, never shown in UTC
    assert "05/11/2026 16:30</time>)" in page
    assert "21:30" not in page
