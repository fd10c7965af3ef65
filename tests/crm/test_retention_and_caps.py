"""Capped counts (agent home "999+", bell "99+"), notification retention, and the login lookup
through the e-mail index."""

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from crm import tasks
from crm.models import Notification, User, email_matches
from crm.pagination import capped_count
from crm.retention import notifications_purge
from crm.templatetags.guichet import capped
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_capped_count_reads_at_most_cap_plus_one_rows_without_count_or_order():
    user = factories.agent()
    Notification.objects.bulk_create(Notification(recipient=user, title=f"n{i}") for i in range(12))
    with CaptureQueriesContext(connection) as queries:
        assert capped_count(Notification.objects.filter(recipient=user), 9) == 10
    sql = queries[0]["sql"]
    assert "COUNT(" not in sql and "ORDER BY" not in sql and "LIMIT 10" in sql
    assert capped(10, 9) == "9+" and capped(9, 9) == 9 and capped(1000) == "999+"


def test_the_bell_shows_99_plus(login):
    user = factories.agent()
    Notification.objects.bulk_create(
        Notification(recipient=user, title=f"n{i}") for i in range(120)
    )
    page = login(user).get(reverse("notification_bell")).content.decode()
    assert "99+" in page and "120" not in page


def test_agent_home_counts_are_capped(login, monkeypatch):
    # given more open tasks than the home shows: a smaller cap stands in for 999
    monkeypatch.setattr("tasks_app.selectors.HOME_COUNT_CAP", 2)
    monkeypatch.setattr("crm.templatetags.guichet.HOME_COUNT_CAP", 2)
    group = factories.AssignmentGroupFactory()
    user = factories.agent()
    group.members.add(user)
    for _ in range(3):
        factories.TaskFactory(assignment_group=group, assignee=user, status="open")
    page = login(user).get(reverse("agent:home")).content.decode()
    assert '<div class="display-6">2+</div>' in page


def test_old_read_notifications_are_deleted_in_batches_and_unread_ones_stay(settings):
    settings.NOTIFICATION_RETENTION_DAYS = 180
    now = timezone.now()
    user = factories.agent()
    rows = []
    for age, read in [(200, True)] * 7 + [(200, False), (100, True), (181, True)]:
        rows.append(
            Notification(
                recipient=user,
                title=f"{age} {read}",
                read_at=now - timedelta(days=1) if read else None,
            )
        )
    created = Notification.objects.bulk_create(rows)
    for notification, (age, _read) in zip(
        created, [(200, True)] * 7 + [(200, False), (100, True), (181, True)], strict=True
    ):
        Notification.objects.filter(pk=notification.pk).update(created_at=now - timedelta(days=age))

    assert notifications_purge(now=now, batch_size=3) == 8

    left = sorted(Notification.objects.values_list("title", flat=True))
    assert left == ["100 True", "200 False"]


def test_retention_runs_daily_from_celery_beat():
    task = PeriodicTask.objects.get(name="Notification retention")
    assert task.task == "crm.tasks.notifications_purge" and task.enabled
    assert task.interval.every == 1 and task.interval.period == "days"
    assert tasks.notifications_purge.apply().get() == 0


def test_login_finds_the_account_whatever_the_case_through_the_index():
    user = factories.agent(email="ana.tremblay@example.org")
    user.set_password("s3cret-pass-word")
    user.save()
    request = RequestFactory().post("/accounts/login/")
    assert (
        authenticate(request, username="Ana.Tremblay@EXAMPLE.org", password="s3cret-pass-word")
        == user
    )
    # the lookup is the unique index on Lower(email); with sequential scans off, iexact's
    # UPPER(email) = UPPER(…) would still scan the table
    sql, params = User.objects.filter(
        email_matches("ANA.TREMBLAY@example.org")
    ).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using crm_user_email_ci_unique" in plan, plan
