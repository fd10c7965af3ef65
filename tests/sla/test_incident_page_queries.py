"""The incident page costs the same queries with a short or a long journal and history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from requests_app.incidents import services as svc
from tests import factories

pytestmark = pytest.mark.django_db

PAGE_QUERIES = 12


def page_queries(client, incident) -> int:
    client.get(incident.get_absolute_url())  # per-process caches filled
    with CaptureQueriesContext(connection) as queries:
        response = client.get(incident.get_absolute_url())
    assert response.status_code == 200
    return len(queries)


def test_incident_page_queries_do_not_grow_with_journal_and_history(
    login, helper, citizen, support_group, policy
):
    # given an incident with one journal entry and one with thirty, paused and resumed often
    short = factories.IncidentFactory(
        requester=citizen.client, assignment_group=support_group, taken_by=helper
    )
    svc.incident_journal_add(incident=short, by=helper, kind="comment", body="Bonjour")
    long = factories.IncidentFactory(
        requester=citizen.client, assignment_group=support_group, taken_by=helper
    )
    for i in range(30):
        svc.incident_journal_add(incident=long, by=helper, kind="work_note", body=f"Note {i}")
    for _ in range(5):
        svc.incident_set_status(incident=long, status="awaiting_requester", by=helper)
        svc.incident_set_status(incident=long, status="in_progress", by=helper)
    client = login(helper)

    # when / then
    counts = page_queries(client, short), page_queries(client, long)
    assert counts[0] == counts[1] <= PAGE_QUERIES


def test_a_member_may_work_without_a_membership_query(login, helper, citizen, support_group):
    incident = factories.IncidentFactory(requester=citizen.client, assignment_group=support_group)
    client = login(helper)
    client.get(incident.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        page = client.get(incident.get_absolute_url()).content.decode()
    assert 'data-testid="take"' in page
    # the membership is read with the incident, not asked apart
    assert not any(q["sql"].startswith('SELECT 1 AS "a"') for q in queries)


def test_the_assignment_form_comes_when_asked(login, helper, citizen, support_group):
    # given an incident of the agent's group
    incident = factories.IncidentFactory(requester=citizen.client, assignment_group=support_group)
    client = login(helper)
    url = reverse("incidents:assign", args=[incident.pk])

    # when the page is shown, then asked for the form by htmx and without it
    page = client.get(incident.get_absolute_url()).content.decode()
    partial_response = client.get(url, HTTP_HX_REQUEST="true")
    whole_response = client.get(url)
    partial, whole = partial_response.content.decode(), whole_response.content.decode()
    assert "HX-Request" in partial_response["Vary"] and "HX-Request" in whole_response["Vary"]

    # then the page offers the button, the partial is the form alone, the plain GET the page
    assert 'data-testid="assign-open"' in page and 'id="id_assignee"' not in page
    assert 'id="id_assignee"' in partial and "<html" not in partial
    assert 'id="id_assignee"' in whole and "<html" in whole


def test_the_assignment_form_is_refused_to_who_may_not_work(login, citizen, support_group):
    incident = factories.IncidentFactory(requester=citizen.client, assignment_group=support_group)
    outsider = factories.agent(email="ailleurs@example.org")
    response = login(outsider).get(
        reverse("incidents:assign", args=[incident.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
