"""The incident page costs the same queries with a short or a long journal and history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from requests_app.incidents import services as svc
from tests import factories

pytestmark = pytest.mark.django_db

PAGE_QUERIES = 15


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
