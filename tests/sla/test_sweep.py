"""The escalation sweep: each level recorded once, its actions run once, a small batch per
transaction, retried on database errors; forgotten escalations queued again once per
``REQUEUE_AFTER``."""

import random
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.utils import OperationalError

from crm.models import Notification
from requests_app.incidents import escalation, tasks
from requests_app.incidents import services as svc
from requests_app.models import Incident, SLAClock, SLAEscalation
from requests_app.sla import sweep
from tests import factories
from tests.sla.conftest import at

pytestmark = pytest.mark.django_db

# Monday 2026-11-23 09:00 + 2 days: both clocks of an incident opened then are past 50, 75 and
# 100 % (response) or 50 % (resolution).
OPENED = at(2026, 11, 23, 9)
LATER = at(2026, 11, 25, 9)


@pytest.fixture
def incident(citizen, policy, support_group, helper):
    return factories.IncidentFactory(
        requester=citizen.client,
        title="Micro muet",
        assignment_group=support_group,
        now=OPENED,
        taken_by=helper,
    )


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


@pytest.fixture
def queued(monkeypatch):
    """The messages of escalations the sweep sends, kept here instead of reaching a worker."""
    messages = []
    monkeypatch.setattr(tasks.sla_escalations_execute, "delay", messages.append)
    return messages


def recorded_and_forgotten(incident) -> list[int]:
    """The incident's levels recorded as of LATER, their message lost."""
    ids = sweep.sla_sweep(now=LATER).escalation_ids
    assert ids and not SLAEscalation.objects.filter(pk__in=ids).exclude(executed_at=None).exists()
    return ids


def test_a_forgotten_escalation_is_queued_again_once_per_requeue_after(
    incident, queued, django_capture_on_commit_callbacks
):
    # given: levels recorded at LATER, whose message was lost
    ids = recorded_and_forgotten(incident)
    queued.clear()
    first = LATER + sweep.REQUEUE_AFTER + timedelta(minutes=1)

    # when: a sweep once they are forgotten, another a minute later, another REQUEUE_AFTER later
    rounds = []
    for now in (
        first,
        first + timedelta(minutes=1),
        first + sweep.REQUEUE_AFTER + timedelta(minutes=1),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            tasks.sweep_and_queue(now=now)
        rounds.append(sorted(pk for message in queued for pk in message))
        queued.clear()

    # then: queued again by the first sweep, not by the second, again by the third
    assert rounds == [sorted(ids), [], sorted(ids)]
    stamps = set(SLAEscalation.objects.filter(pk__in=ids).values_list("requeued_at", flat=True))
    assert stamps == {first + sweep.REQUEUE_AFTER + timedelta(minutes=1)}


def test_an_escalation_run_since_is_not_queued_again(incident, queued):
    # given: forgotten escalations, then run
    ids = recorded_and_forgotten(incident)
    escalation.escalations_execute(ids=ids, now=LATER + timedelta(minutes=5))

    # when
    requeued = sweep.escalations_requeue(now=LATER + sweep.REQUEUE_AFTER * 5)

    # then
    assert requeued == []


def test_a_sweep_queues_again_at_most_its_limit_oldest_first(incident):
    # given: four forgotten escalations, reached one minute apart
    ids = recorded_and_forgotten(incident)
    assert len(ids) == 4  # response 50, 75, 100; resolution 50
    for minutes, pk in enumerate(ids):
        SLAEscalation.objects.filter(pk=pk).update(reached_at=LATER + timedelta(minutes=minutes))
    now = LATER + sweep.REQUEUE_AFTER + timedelta(minutes=10)

    # when: sweeps a minute apart, at most 3 each
    first = sweep.escalations_requeue(now=now, limit=3)
    second = sweep.escalations_requeue(now=now + timedelta(minutes=1), limit=3)

    # then: the three oldest, then the last one
    assert (first, second) == (ids[:3], ids[3:])


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_queue_a_forgotten_escalation_again_once(incident):
    # given: forgotten escalations; a first sweep has stamped them and not committed yet
    ids = recorded_and_forgotten(incident)
    now = LATER + sweep.REQUEUE_AFTER + timedelta(minutes=1)
    stamped, release, outcome = threading.Event(), threading.Event(), {}

    def first_sweep():
        try:
            with transaction.atomic():
                outcome["first"] = sweep.escalations_requeue(now=now)
                stamped.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=first_sweep)
    thread.start()
    assert stamped.wait(timeout=30)

    # when: a second sweep meanwhile, and a third once the first has committed
    try:
        outcome["second"] = sweep.escalations_requeue(now=now)
    finally:
        release.set()
        thread.join(timeout=30)
    outcome["third"] = sweep.escalations_requeue(now=now + timedelta(seconds=30))

    # then: only the first queued them (the second skipped what the first held, without waiting)
    assert outcome == {"first": sorted(ids), "second": [], "third": []}


def test_actions_run_a_batch_per_transaction_and_a_failure_undoes_only_its_batch(
    incident, monkeypatch
):
    # given: four escalations of one incident, in batches of two; the third one's actions fail
    ids = recorded_and_forgotten(incident)
    notify = escalation.notifications_send
    calls = []

    def failing_third(**kwargs):
        calls.append(kwargs["title"])
        if len(calls) == 3:
            raise OperationalError("deadlock detected")
        notify(**kwargs)

    monkeypatch.setattr(escalation, "notifications_send", failing_third)

    # when
    with pytest.raises(OperationalError):
        escalation.escalations_execute(ids=ids, now=LATER, batch_size=2)

    # then: the first batch stays done, the failed one is left to run again
    done = SLAEscalation.objects.filter(pk__in=ids).exclude(executed_at=None)
    assert done.count() == 2

    # when: run again
    monkeypatch.setattr(escalation, "notifications_send", notify)
    ran = escalation.escalations_execute(ids=ids, now=LATER, batch_size=2)

    # then: the other two ran, each notification was sent once
    assert ran == 2
    assert not SLAEscalation.objects.filter(pk__in=ids, executed_at=None).exists()
    copies = Counter(Notification.objects.values_list("recipient", "title"))
    assert copies and set(copies.values()) == {1}


def test_a_database_error_is_retried_and_the_escalation_runs_once(incident, helper, monkeypatch):
    # given: recorded escalations; the first attempt at an action meets a database error
    ids = recorded_and_forgotten(incident)
    notify = escalation.notifications_send
    failures, countdowns = [], []

    def fails_once(**kwargs):
        if not failures:
            failures.append(kwargs["title"])
            raise OperationalError("could not serialize access due to concurrent update")
        notify(**kwargs)

    monkeypatch.setattr(escalation, "notifications_send", fails_once)
    before = Notification.objects.order_by("pk").last().pk
    countdown = tasks.retry_countdown
    monkeypatch.setattr(
        tasks,
        "retry_countdown",
        lambda retries, **kwargs: countdowns.append(countdown(retries, **kwargs)) or countdowns[-1],
    )

    # when: the task runs (eagerly: a retry runs at once, its countdown is only recorded)
    result = tasks.sla_escalations_execute.apply(args=[ids])

    # then: retried once after a back-off, every escalation ran once
    assert result.get() == len(ids)
    assert len(failures) == 1 and len(countdowns) == 1
    assert tasks.RETRY_BASE_S / 2 <= countdowns[0] <= tasks.RETRY_BASE_S
    assert not SLAEscalation.objects.filter(pk__in=ids, executed_at=None).exists()
    to_helper = Counter(
        Notification.objects.filter(recipient=helper, pk__gt=before).values_list("title")
    )
    assert len(to_helper) == len(ids) and set(to_helper.values()) == {1}
    assert Incident.objects.get(pk=incident.pk).priority == incident.priority - 1


def test_an_error_that_is_not_the_databases_is_not_retried(incident, monkeypatch):
    # given
    ids = recorded_and_forgotten(incident)

    def broken(**kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(escalation, "notifications_send", broken)

    # when
    result = tasks.sla_escalations_execute.apply(args=[ids])

    # then: failed at once, nothing marked as run
    assert result.failed() and isinstance(result.result, ValueError)
    assert SLAEscalation.objects.filter(pk__in=ids, executed_at=None).count() == len(ids)


def test_retry_back_off_doubles_up_to_ten_minutes_with_jitter():
    rng = random.Random(7)
    for retries in range(12):
        ceiling = min(tasks.RETRY_MAX_S, tasks.RETRY_BASE_S * 2**retries)
        waits = {tasks.retry_countdown(retries, rng=rng) for _ in range(20)}
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
        assert len(waits) > 1  # jittered: workers that failed together spread out
    assert tasks.sla_escalations_execute.max_retries == tasks.MAX_RETRIES
