"""The escalation sweep: each level recorded once, its actions run once."""

from datetime import timedelta

import pytest

from crm.models import Notification
from requests_app.incidents import escalation, tasks
from requests_app.incidents import services as svc
from requests_app.models import SLAClock, SLAEscalation
from tests.sla.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(citizen, policy, support_group, helper):
    incident = svc.incident_create(
        requester=citizen.client,
        title="Micro muet",
        assignment_group=support_group,
        now=at(2026, 11, 23, 9),
    )
    svc.incident_take(incident=incident, by=helper)
    return incident


def test_levels_are_recorded_once_and_in_order(incident, django_capture_on_commit_callbacks):
    # 13:00 is 50 % of the 8-hour response target: level 50 only.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = tasks.sweep_and_queue(now=at(2026, 11, 23, 13, 1))
    assert first.recorded == 1 and len(callbacks) == 1
    response = SLAClock.objects.get(incident=incident, kind="response")
    assert response.level_reached == 50
    assert response.next_level_at == at(2026, 11, 23, 15)  # 75 %

    again = tasks.sweep_and_queue(now=at(2026, 11, 23, 13, 2))
    assert again.recorded == 0

    # Two days later every level of the response clock has passed at once: 75 and 100.
    later = tasks.sweep_and_queue(now=at(2026, 11, 25, 9))
    percents = sorted(
        SLAEscalation.objects.filter(clock=response).values_list("percent", flat=True)
    )
    assert percents == [50, 75, 100]
    assert later.recorded >= 2


def test_paused_and_stopped_clocks_do_not_escalate(incident, helper):
    svc.incident_set_status(
        incident=incident, status="awaiting_requester", by=helper, now=at(2026, 11, 23, 10)
    )
    assert tasks.sweep_and_queue(now=at(2026, 11, 30, 9)).recorded == 0


def test_actions_notify_and_run_once(incident, helper, support_group):
    result = tasks.sweep_and_queue(now=at(2026, 11, 25, 9))
    ran = escalation.escalations_execute(ids=result.escalation_ids, now=at(2026, 11, 25, 9))
    assert ran == len(result.escalation_ids)
    assert escalation.escalations_execute(ids=result.escalation_ids) == 0

    assert Notification.objects.filter(recipient=helper).count() >= 3
    assert Notification.objects.filter(recipient=support_group.lead).exists()
    escalation_member = support_group.escalation_group.members.get()
    assert Notification.objects.filter(recipient=escalation_member).exists()
    incident.refresh_from_db()
    assert incident.priority == 2  # raised at 100 %


def test_forgotten_escalations_are_queued_again(
    incident, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.sla_escalations_execute, "delay", lambda ids: queued.append(ids))
    result = tasks.sweep_and_queue(now=at(2026, 11, 23, 13, 1))
    SLAEscalation.objects.filter(pk__in=result.escalation_ids).update(
        reached_at=at(2026, 11, 23, 13, 1) - timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sweep_and_queue(now=at(2026, 11, 23, 13, 2))
    assert any(set(result.escalation_ids) <= set(ids) for ids in queued)
