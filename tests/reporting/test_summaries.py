"""The summaries' refresh: a second run changes nothing, an incremental run recomputes the
days that changed (and only those) and ends where a full rebuild ends, a reopened request
leaves the day it had been resolved on, and two refreshes never run at once."""

from datetime import date, timedelta

import pytest
from django.db import connections
from django.utils import timezone

from reporting import summaries
from reporting.models import ActivityDaily, ClockOutcome, ItemDaily, SummaryState
from reporting.tasks import summaries_refresh_run
from requests_app.models import ServiceRequest
from tasks_app.models import Task
from tests import factories

from .conftest import at, filed, refresh

pytestmark = pytest.mark.django_db

TABLES = [ItemDaily, ActivityDaily, ClockOutcome]


def snapshot():
    return [
        sorted(tuple(v for k, v in row.items() if k != "id") for row in model.objects.values())
        for model in TABLES
    ]


@pytest.fixture
def permit(group_a):
    return factories.chain(["1"], group=group_a, name="Permis")


def test_a_second_run_changes_nothing(permit):
    filed(permit, created=at(2026, 3, 2))
    filed(permit, created=at(2026, 3, 3), status="resolved", resolved=at(2026, 3, 4))
    factories.CallFactory(starts_at=at(2026, 3, 5))
    refresh()
    first = snapshot()

    again = summaries.summaries_refresh()
    also_full = summaries.summaries_refresh(full=True)

    assert again.ran and not again.full and also_full.full
    assert snapshot() == first
    # Nothing changed since the watermark (margin included): no day is computed again.
    SummaryState.objects.update(watermark=timezone.now())
    idle = summaries.summaries_refresh()
    assert idle.days == {"requests": 0, "incidents": 0, "tasks": 0, "activities": 0}
    assert snapshot() == first


def test_an_incremental_run_recomputes_the_changed_days_only(permit):
    old = filed(permit, created=at(2026, 1, 10))
    filed(permit, created=at(2026, 2, 10))
    refresh()
    # Rows written before the watermark (and its margin) are history.
    SummaryState.objects.update(watermark=timezone.now())

    new = factories.ServiceRequestFactory(request_type=permit)
    request = ServiceRequest.objects.get(pk=old.pk)
    request.title = "Renommée"
    request.save()
    result = summaries.summaries_refresh()

    today = timezone.localdate()
    # The new request's day, and the January request's day (it was saved).
    assert result.days["requests"] == len({today, date(2026, 1, 10)})
    incremental = snapshot()
    refresh()
    assert snapshot() == incremental
    assert (
        ItemDaily.objects.get(kind="request", day=today, group_key=0, status="submitted").received
        == 1
    )
    assert ServiceRequest.objects.filter(pk=new.pk, created_at__date__gte=today).exists()


def test_a_reopened_request_leaves_the_day_it_was_resolved_on(permit):
    request = filed(permit, created=at(2026, 3, 2), status="resolved", resolved=at(2026, 3, 4))
    request.save()  # as the resolving service does: a history version with its resolved day
    refresh()
    SummaryState.objects.update(watermark=timezone.now() - timedelta(minutes=1))
    assert ItemDaily.objects.filter(kind="request", day=date(2026, 3, 4), resolved=1).exists()

    # Reopened through a save (a history version keeps the old resolved day).
    request = ServiceRequest.objects.get(pk=request.pk)
    ServiceRequest.objects.filter(pk=request.pk).update(status="in_progress", resolved_at=None)
    request.refresh_from_db()
    request.save()
    summaries.summaries_refresh()

    assert not ItemDaily.objects.filter(
        kind="request", day=date(2026, 3, 4), resolved__gt=0
    ).exists()
    assert (
        ItemDaily.objects.get(
            kind="request", day=date(2026, 3, 2), group_key=0, status="in_progress"
        ).received
        == 1
    )


def test_a_deleted_call_leaves_its_day(permit):
    call = factories.CallFactory(starts_at=at(2026, 3, 5))
    refresh()
    SummaryState.objects.update(watermark=timezone.now() - timedelta(minutes=1))

    call.delete()
    summaries.summaries_refresh()

    assert not ActivityDaily.objects.filter(day=date(2026, 3, 5)).exists()


def test_a_task_changing_group_moves_its_request_between_groups(permit, group_b):
    request = filed(permit, created=at(2026, 3, 2))
    refresh()
    SummaryState.objects.update(watermark=timezone.now() - timedelta(minutes=1))

    task = Task.objects.get(request=request)
    Task.objects.filter(pk=task.pk).update(assignment_group=group_b)
    task.refresh_from_db()
    task.save()
    summaries.summaries_refresh()

    groups = set(
        ItemDaily.objects.filter(kind="request", day=date(2026, 3, 2)).values_list(
            "group_key", flat=True
        )
    )
    assert groups == {0, group_b.pk}


@pytest.mark.django_db(transaction=True)
def test_a_refresh_while_another_runs_returns_at_once(group_a):
    # Another connection holds the lock: this run does nothing and says so.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [summaries.LOCK_KEY])
            result = summaries.summaries_refresh()
            cursor.execute("ROLLBACK")
    finally:
        other.close()

    assert result.ran is False


def test_the_beat_task_refreshes(permit):
    filed(permit, created=at(2026, 3, 2))

    outcome = summaries_refresh_run.apply(kwargs={"full": True}).get()

    assert outcome["ran"] and outcome["full"] and outcome["rows"] > 0
    assert SummaryState.objects.get(name=summaries.STATE_NAME).refreshed_at is not None
