"""SLA clocks of incidents: start, pause, resume, first response, resolution, policy change."""

from datetime import timedelta

import pytest
from freezegun import freeze_time

from requests_app.incidents import services as svc
from requests_app.models import Incident, SLAClock
from tests import factories
from tests.sla.conftest import at

pytestmark = pytest.mark.django_db


def clocks(incident):
    return {c.kind: c for c in SLAClock.objects.filter(incident=incident)}


def test_new_incident_gets_response_and_resolution_clocks(citizen, policy, support_group):
    incident = svc.incident_create(
        requester=citizen.client,
        title="Zoom ne démarre pas",
        assignment_group=support_group,
        now=at(2026, 11, 23, 10),
    )
    c = clocks(incident)
    assert incident.sla_policy == policy
    assert c["response"].due_at == at(2026, 11, 24, 10)  # 8 business hours
    assert c["resolution"].due_at == at(2026, 11, 26, 16, 30)  # 3 business days
    assert c["response"].next_level_at == at(2026, 11, 23, 14)  # 50 % of 8 h


def test_awaiting_requester_pauses_and_resuming_pushes_the_due_time_back(
    citizen, policy, support_group, helper
):
    incident = factories.IncidentFactory(
        requester=citizen.client, assignment_group=support_group, now=at(2026, 11, 23, 9)
    )
    svc.incident_set_status(
        incident=incident, status="awaiting_requester", by=helper, now=at(2026, 11, 23, 10)
    )
    paused = clocks(incident)["resolution"]
    assert paused.paused_since == at(2026, 11, 23, 10)
    assert paused.next_level_at is None

    # Paused from Monday 10:00 to Tuesday 10:00: 8 business hours.
    svc.incident_set_status(
        incident=incident, status="in_progress", by=helper, now=at(2026, 11, 24, 10)
    )
    resumed = clocks(incident)["resolution"]
    assert resumed.paused_since is None
    assert resumed.paused_seconds == 8 * 3600
    assert resumed.due_at == at(2026, 11, 27, 16, 30)  # Thursday's closing + 1 business day


def test_requester_reply_resumes_the_clocks(citizen, policy, support_group, helper):
    incident = factories.IncidentFactory(
        requester=citizen.client, assignment_group=support_group, now=at(2026, 11, 23, 9)
    )
    svc.incident_set_status(
        incident=incident, status="awaiting_requester", by=helper, now=at(2026, 11, 23, 10)
    )
    with freeze_time(at(2026, 11, 23, 11)):
        svc.incident_journal_add(incident=incident, by=citizen, kind="comment", body="Voici")
    incident.refresh_from_db()
    assert incident.status == Incident.Status.IN_PROGRESS
    assert clocks(incident)["resolution"].paused_seconds == 3600


def test_first_comment_by_an_agent_stops_the_response_clock(citizen, policy, support_group, helper):
    incident = factories.IncidentFactory(
        requester=citizen.client, assignment_group=support_group, now=at(2026, 11, 23, 9)
    )
    svc.incident_journal_add(
        incident=incident, by=helper, kind="work_note", body="interne", now=at(2026, 11, 23, 10)
    )
    assert clocks(incident)["response"].stopped_at is None
    svc.incident_journal_add(
        incident=incident, by=helper, kind="call", body="Appelé", now=at(2026, 11, 23, 11)
    )
    response = clocks(incident)["response"]
    assert (response.stopped_at, response.met) == (at(2026, 11, 23, 11), True)
    incident.refresh_from_db()
    assert incident.first_response_at == at(2026, 11, 23, 11)


def test_late_response_is_breached(citizen, policy, support_group, helper):
    incident = factories.IncidentFactory(
        requester=citizen.client, assignment_group=support_group, now=at(2026, 11, 23, 9)
    )
    svc.incident_journal_add(
        incident=incident, by=helper, kind="comment", body="Bonjour", now=at(2026, 11, 25, 9)
    )
    assert clocks(incident)["response"].met is False


def test_resolving_stops_both_clocks_and_reopening_restarts_resolution(
    citizen, policy, support_group, helper, settings
):
    incident = factories.IncidentFactory(
        requester=citizen.client, assignment_group=support_group, now=at(2026, 11, 23, 9)
    )
    svc.incident_set_status(
        incident=incident, status="resolved", by=helper, now=at(2026, 11, 23, 12)
    )
    c = clocks(incident)
    assert c["resolution"].met is True and c["response"].stopped_at == at(2026, 11, 23, 12)

    svc.incident_set_status(
        incident=incident, status="in_progress", by=helper, now=at(2026, 11, 24, 12)
    )
    resolution = clocks(incident)["resolution"]
    assert resolution.stopped_at is None and resolution.met is None
    assert resolution.paused_seconds == 8 * 3600  # the resolved day does not count


def test_reopening_after_the_allowed_days_is_refused(
    citizen, policy, support_group, helper, settings
):
    from crm.errors import DomainError

    settings.INCIDENT_REOPEN_DAYS = 7
    incident = factories.IncidentFactory(
        requester=citizen.client, assignment_group=support_group, now=at(2026, 11, 2, 9)
    )
    svc.incident_set_status(
        incident=incident, status="resolved", by=helper, now=at(2026, 11, 2, 12)
    )
    with pytest.raises(DomainError):
        svc.incident_set_status(
            incident=incident,
            status="in_progress",
            by=helper,
            now=at(2026, 11, 2, 12) + timedelta(days=8),
        )


def test_priority_change_to_another_policy_keeps_elapsed_and_paused_time(
    citizen, policy, support_group, helper
):
    urgent = factories.SLAPolicyFactory(
        name="Urgent",
        calendar=policy.calendar,
        priority=1,
        response_value=2,
        resolution_value=1,
        levels=[{"percent": 100}],
    )
    incident = factories.IncidentFactory(
        requester=citizen.client,
        assignment_group=support_group,
        priority=3,
        now=at(2026, 11, 23, 9),
    )
    svc.incident_set_status(
        incident=incident, status="awaiting_requester", by=helper, now=at(2026, 11, 23, 10)
    )
    svc.incident_set_status(
        incident=incident, status="in_progress", by=helper, now=at(2026, 11, 23, 11)
    )

    svc.incident_change_priority(incident=incident, priority=1, by=helper, now=at(2026, 11, 23, 12))

    response = clocks(incident)["response"]
    assert response.policy == urgent
    assert response.started_at == at(2026, 11, 23, 9)
    assert response.paused_seconds == 3600
    assert response.due_at == at(2026, 11, 23, 12)  # 9:00 + 2 h + 1 h paused


def test_outsider_agent_cannot_change_an_incident(citizen, policy, support_group, agent):
    from crm.errors import NotAllowed

    incident = factories.IncidentFactory(requester=citizen.client, assignment_group=support_group)
    with pytest.raises(NotAllowed):
        svc.incident_set_status(incident=incident, status="resolved", by=agent)
    with pytest.raises(NotAllowed):
        svc.incident_journal_add(incident=incident, by=agent, kind="comment", body="x")


def test_factory_calendar_and_policy_give_the_seeded_default_due_times(citizen, support_group):
    # given: a calendar and a policy built by the factories, the policy the only one of its
    # category
    category = factories.IncidentCategoryFactory()
    policy = factories.SLAPolicyFactory(category=category)

    # when
    incident = factories.IncidentFactory(
        requester=citizen.client,
        category=category,
        assignment_group=support_group,
        now=at(2026, 11, 23, 10),
    )

    # then: Mon–Fri 08:30–16:30, 8 business hours and 3 business days, levels 50/75/100
    c = clocks(incident)
    assert incident.sla_policy == policy
    assert c["response"].due_at == at(2026, 11, 24, 10)
    assert c["resolution"].due_at == at(2026, 11, 26, 16, 30)
    assert c["response"].next_level_at == at(2026, 11, 23, 14)
    assert list(policy.levels.values_list("percent", flat=True)) == [50, 75, 100]
