"""Scheduled reports: each period sent once, whatever beats, retries and duplicate workers do."""

import datetime as dt
import io
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from freezegun import freeze_time
from pypdf import PdfReader

from reporting import schedules, tasks
from reporting.models import ReportDelivery, ReportSubscription
from reporting.services import saved_report_create, subscription_create
from tests import factories
from tests.helpers import smtp_failing_once

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 11, 16, 9, 0)


@pytest.fixture
def eager():
    """Celery tasks run where they are called, to the test mailbox, as a worker would."""
    from crm.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = False
    try:
        yield
    finally:
        app.conf.task_always_eager = False


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.make_aware(moment)


def _subscribed(manager, *, frequency="weekly", fmt="csv", created=None, **kwargs):
    with freeze_time(created or _local(MONDAY - dt.timedelta(days=10))):
        saved = saved_report_create(
            by=manager,
            name="Appels",
            source="calls",
            definition={"columns": ["subject", "duration_minutes"]},
        )
        kwargs.setdefault("addresses", "direction@example.org")
        return subscription_create(
            report=saved, by=manager, frequency=frequency, format=fmt, **kwargs
        )


@pytest.mark.parametrize(
    ("frequency", "today", "expected"),
    [
        ("daily", dt.date(2026, 11, 16), (dt.date(2026, 11, 15), dt.date(2026, 11, 16))),
        ("weekly", dt.date(2026, 11, 18), (dt.date(2026, 11, 9), dt.date(2026, 11, 16))),
        ("weekly", dt.date(2026, 11, 16), (dt.date(2026, 11, 9), dt.date(2026, 11, 16))),
        ("monthly", dt.date(2026, 11, 30), (dt.date(2026, 10, 1), dt.date(2026, 11, 1))),
        ("monthly", dt.date(2026, 1, 1), (dt.date(2025, 12, 1), dt.date(2026, 1, 1))),
    ],
)
def test_the_period_sent_is_the_last_complete_one(frequency, today, expected):
    assert schedules.last_complete_period(frequency, today) == expected


def test_the_beat_task_is_registered_hourly():
    task = PeriodicTask.objects.get(name="Scheduled reports")
    assert task.task == "reporting.tasks.scheduled_reports_run" and task.enabled
    assert (task.interval.every, task.interval.period) == (1, "hours")


def test_a_weekly_report_is_sent_once_whatever_the_beats_and_workers(manager, eager):
    # given a weekly subscription and a call to report
    factories.CallFactory(subject="Suivi hebdomadaire")
    subscription = _subscribed(manager)
    # when beat runs three times in the week and a duplicate worker replays the delivery
    with freeze_time(_local(MONDAY)):
        assert tasks.scheduled_reports_run.delay().get() == 1
        tasks.scheduled_reports_run.delay()
        delivery = ReportDelivery.objects.get()
        assert schedules.delivery_send(delivery_id=delivery.pk) is None
    with freeze_time(_local(MONDAY + dt.timedelta(days=2))):
        assert tasks.scheduled_reports_run.delay().get() == 0
    # then one mail went, with the CSV attached, for last week
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.bcc == ["direction@example.org"]
    name, content, mimetype = message.attachments[0]
    assert name == "appels-2026-11-09.csv" and mimetype == "text/csv"
    assert "Suivi hebdomadaire" in content
    delivery.refresh_from_db()
    assert delivery.period_start == dt.date(2026, 11, 9) and delivery.recipients == 1
    assert ReportDelivery.objects.filter(subscription=subscription).count() == 1
    # and the next week sends the next period, once
    with freeze_time(_local(MONDAY + dt.timedelta(days=7, hours=1))):
        tasks.scheduled_reports_run.delay()
        tasks.scheduled_reports_run.delay()
    assert len(mail.outbox) == 2


def test_an_smtp_error_is_retried_and_the_report_still_goes_once(manager, eager):
    _subscribed(manager, frequency="daily")
    with freeze_time(_local(MONDAY)), smtp_failing_once() as attempts:
        tasks.scheduled_reports_run.delay()
    assert len(attempts) == 2
    assert len(mail.outbox) == 1
    delivery = ReportDelivery.objects.get()
    assert delivery.sent_at is not None and delivery.attempts == 2


def test_a_failed_send_releases_its_claim_for_the_retry(manager):
    _subscribed(manager, frequency="daily")
    with freeze_time(_local(MONDAY)):
        (delivery_id,) = schedules.deliveries_due()
        with smtp_failing_once(), pytest.raises(OSError):
            schedules.delivery_send(delivery_id=delivery_id)
        assert ReportDelivery.objects.get().claimed_at is None
        assert schedules.delivery_send(delivery_id=delivery_id) == 1
        assert schedules.delivery_send(delivery_id=delivery_id) is None
    assert len(mail.outbox) == 1


def test_a_claim_left_by_a_dead_worker_is_taken_again_later(manager):
    _subscribed(manager, frequency="daily")
    with freeze_time(_local(MONDAY)):
        (delivery_id,) = schedules.deliveries_due()
        assert schedules.claim(delivery_id, now=timezone.now())  # then the worker dies
    with freeze_time(_local(MONDAY) + dt.timedelta(minutes=5)):
        assert schedules.delivery_send(delivery_id=delivery_id) is None
    with freeze_time(_local(MONDAY) + schedules.CLAIM_TIMEOUT + dt.timedelta(minutes=1)):
        assert schedules.delivery_send(delivery_id=delivery_id) == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_it_once(manager):
    _subscribed(manager, frequency="daily")
    (delivery_id,) = schedules.deliveries_due(now=_local(MONDAY))
    results, barrier = [], threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            results.append(schedules.delivery_send(delivery_id=delivery_id))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=lambda r: r is None) == [1, None]
    assert len(mail.outbox) == 1


def test_a_subscription_made_during_a_period_waits_for_the_next_one(manager):
    _subscribed(manager, frequency="monthly", created=_local(dt.datetime(2026, 11, 10, 12)))
    assert schedules.deliveries_due(now=_local(dt.datetime(2026, 11, 20, 9))) == []
    assert len(schedules.deliveries_due(now=_local(dt.datetime(2026, 12, 1, 9)))) == 1


def test_a_group_receives_it_but_only_its_members_who_may_read_reports(manager, ours):
    reader = factories.manager(email="lectrice@example.org")
    agent = factories.agent(email="agent-du-groupe@example.org")
    ours.members.add(reader, agent)
    _subscribed(manager, frequency="daily", addresses="", group=ours, fmt="pdf")
    with freeze_time(_local(MONDAY)):
        (delivery_id,) = schedules.deliveries_due()
        assert schedules.delivery_send(delivery_id=delivery_id) == 1
    message = mail.outbox[0]
    assert message.bcc == ["lectrice@example.org"]
    name, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf"
    assert "Appels" in PdfReader(io.BytesIO(content)).pages[0].extract_text()


def test_only_period_narrows_the_rows_to_the_period(manager):
    factories.CallFactory(subject="Dans la semaine", starts_at=_local(dt.datetime(2026, 11, 10, 9)))
    factories.CallFactory(subject="Trop tôt", starts_at=_local(dt.datetime(2026, 11, 2, 9)))
    _subscribed(manager, only_period=True)
    with freeze_time(_local(MONDAY)):
        (delivery_id,) = schedules.deliveries_due()
        schedules.delivery_send(delivery_id=delivery_id)
    content = mail.outbox[0].attachments[0][1]
    assert "Dans la semaine" in content and "Trop tôt" not in content


def test_a_subscriber_who_may_no_longer_read_the_report_sends_nothing(manager):
    subscription = _subscribed(manager, frequency="daily")
    manager.groups.clear()
    with freeze_time(_local(MONDAY)):
        (delivery_id,) = schedules.deliveries_due()
        assert schedules.delivery_send(delivery_id=delivery_id) == 0
    assert mail.outbox == []
    assert ReportDelivery.objects.get(subscription=subscription).error


def test_inactive_subscriptions_owe_nothing(manager):
    subscription = _subscribed(manager, frequency="daily")
    ReportSubscription.objects.filter(pk=subscription.pk).update(is_active=False)
    assert schedules.deliveries_due(now=_local(MONDAY)) == []
