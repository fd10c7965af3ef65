"""The incident's stored resolution due time follows its resolution clock through every change,
and the lists sort on it without reading the clocks."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.pagination import CappedPaginator
from requests_app.incidents import selectors
from requests_app.incidents import services as svc
from requests_app.models import Incident, SLAClock
from tests import factories
from tests.sla.conftest import at

pytestmark = pytest.mark.django_db


def stored_and_clock(incident):
    stored = Incident.objects.values_list("resolution_due_at", flat=True).get(pk=incident.pk)
    clock = SLAClock.objects.get(incident=incident, kind=SLAClock.Kind.RESOLUTION)
    return stored, clock.due_at


@pytest.fixture
def incident(citizen, policy, support_group):
    return factories.IncidentFactory(
        requester=citizen.client, assignment_group=support_group, now=at(2026, 11, 23, 9)
    )


def test_a_new_incident_stores_its_resolution_due_time(incident):
    stored, due = stored_and_clock(incident)
    assert stored == due == at(2026, 11, 26, 16, 30)
    assert incident.resolution_due_at == due


def test_pause_keeps_and_resume_pushes_the_stored_due_time_back(incident, helper):
    # when the incident waits on its requester for 8 business hours
    svc.incident_set_status(
        incident=incident, status="awaiting_requester", by=helper, now=at(2026, 11, 23, 10)
    )
    # then a paused clock keeps its due time until it resumes
    assert stored_and_clock(incident) == (at(2026, 11, 26, 16, 30),) * 2
    svc.incident_set_status(
        incident=incident, status="in_progress", by=helper, now=at(2026, 11, 24, 10)
    )
    assert stored_and_clock(incident) == (at(2026, 11, 27, 16, 30),) * 2


def test_stop_and_restart_follow_the_clock(incident, helper):
    svc.incident_set_status(
        incident=incident, status="awaiting_requester", by=helper, now=at(2026, 11, 23, 10)
    )
    # resolved while paused: the pause counts, the stored time is the one met against
    svc.incident_set_status(
        incident=incident, status="resolved", by=helper, now=at(2026, 11, 24, 10)
    )
    stored, due = stored_and_clock(incident)
    assert stored == due == at(2026, 11, 27, 16, 30)
    # reopened a business day later: the resolved time counts as paused
    svc.incident_set_status(
        incident=incident, status="in_progress", by=helper, now=at(2026, 11, 25, 10)
    )
    stored, due = stored_and_clock(incident)
    assert stored == due == at(2026, 11, 30, 16, 30)


def test_a_policy_change_moves_the_stored_due_time(incident, policy, helper):
    factories.SLAPolicyFactory(
        name="Urgent", calendar=policy.calendar, priority=1, response_value=2, resolution_value=1
    )
    svc.incident_change_priority(incident=incident, priority=1, by=helper, now=at(2026, 11, 23, 12))
    stored, due = stored_and_clock(incident)
    assert stored == due == at(2026, 11, 24, 16, 30)


def test_the_stored_due_time_is_not_an_incident_history_change(incident, helper):
    svc.incident_set_status(
        incident=incident, status="awaiting_requester", by=helper, now=at(2026, 11, 23, 10)
    )
    svc.incident_set_status(
        incident=incident, status="in_progress", by=helper, now=at(2026, 11, 24, 10)
    )
    fields = {f.name for f in Incident.history.model._meta.fields}
    assert "resolution_due_at" not in fields


def test_the_data_migration_fills_existing_incidents_set_wise(incident, citizen):
    # given incidents from before the column: one with clocks, one without a policy
    without = Incident.objects.create(requester=citizen.client, title="Sans politique")
    Incident.objects.update(resolution_due_at=None)
    migration = importlib.import_module("requests_app.migrations.0015_incident_resolution_due")
    # when
    with CaptureQueriesContext(connection) as queries:
        migration.copy_resolution_due(apps, None)
    # then one UPDATE filled them all
    assert len(queries) == 1
    assert stored_and_clock(incident)[0] == at(2026, 11, 26, 16, 30)
    assert Incident.objects.get(pk=without.pk).resolution_due_at is None


def test_lists_sort_on_the_stored_column_and_count_without_order(
    citizen, policy, support_group, helper
):
    late = factories.IncidentFactory(
        requester=citizen.client, assignment_group=support_group, now=at(2026, 11, 2, 9)
    )
    fresh = factories.IncidentFactory(requester=citizen.client, assignment_group=support_group)
    for scope in ("queue", "all"):
        queryset = selectors.incident_list(user=helper, scope=scope)
        sql = str(queryset.query)
        # no clock is read to sort the rows
        assert "requests_app_slaclock" not in sql
        assert 'ORDER BY "requests_app_incident"."resolution_due_at" ASC NULLS LAST' in sql
        assert [i.pk for i in queryset] == [late.pk, fresh.pk]
        paginator = CappedPaginator(queryset, 50, ordered_count=False)
        with CaptureQueriesContext(connection) as queries:
            assert paginator.count == 2
        assert "ORDER BY" not in queries[0]["sql"]


def test_queue_page_sorts_by_the_stored_due_time(login, helper, citizen, support_group, policy):
    fresh = factories.IncidentFactory(requester=citizen.client, assignment_group=support_group)
    late = factories.IncidentFactory(
        requester=citizen.client, assignment_group=support_group, now=at(2026, 11, 2, 9)
    )
    page = login(helper).get(reverse("incidents:queue")).content.decode()
    assert page.index(late.number) < page.index(fresh.number)


def test_badges_read_clocks_without_joining_the_incidents(incident):
    with CaptureQueriesContext(connection) as queries:
        selectors.with_sla([incident])
    clock_queries = [q["sql"] for q in queries if "requests_app_slaclock" in q["sql"]]
    assert clock_queries and all('"requests_app_incident"' not in sql for sql in clock_queries)
