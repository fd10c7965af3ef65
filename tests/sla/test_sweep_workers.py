"""The escalation sweep under real concurrency and crashes: Celery workers on Redis, PostgreSQL.

Whatever runs at once, dies or is delivered twice, each level of each clock is recorded once and
its recipients are notified once.
"""

import os
import select
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import Count, Max

from crm.models import Notification
from crm.tasks import notification_send_email, notifications_send_email
from requests_app.incidents import tasks
from requests_app.models import Incident, SLAClock, SLAEscalation
from tests import factories
from tests.sla.conftest import at

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
# A Monday three weeks back: by now every level of both clocks (8 business hours, 3 business
# days) has passed, so one sweep records 50, 75 and 100 % of every clock at once.
STARTED = at(2026, 11, 2, 9)
PERCENTS = [50, 75, 100]
# Per clock: 50 % the assignee; 75 % the assignee and the lead; 100 % those and the escalation
# group's member. Two clocks per incident.
NOTIFICATIONS_PER_INCIDENT = 2 * (1 + 2 + 3)

# A worker whose own messages stay on the test's queue: the escalations a sweep dispatches
# must reach these workers, not whichever worker listens on the default queue. Mail goes to a
# queue nobody consumes: it has its own once-only test, and thousands of mails would only slow
# the workers down.
WORKER = """
import sys
from pathlib import Path

from celery.signals import worker_ready

from crm.celery import app

queue, ready = sys.argv[1], Path(sys.argv[2])
app.conf.task_default_queue = queue
app.conf.task_routes = {
    "crm.tasks.notification_send_email": {"queue": queue + "-mail"},
    "crm.tasks.notifications_send_email": {"queue": queue + "-mail"},
}
worker_ready.connect(lambda **kwargs: ready.touch(), weak=False)
app.worker_main(
    ["worker", "--pool=solo", "-Q", queue, "-n", queue + "@%h", "--loglevel=WARNING",
     "--without-gossip", "--without-mingle", "--without-heartbeat"]
)
"""

# A sweep in small batches that stops after the first batch has committed, before its actions
# are queued (the on-commit dispatch is where it waits): the worst moment to die. It sweeps as
# of a moment older than REQUEUE_AFTER, as if it had died that long before the next sweep.
SLOW_SWEEP = """
import sys
import time
from datetime import timedelta

import django

django.setup()

from django.utils import timezone

from requests_app.incidents import tasks
from requests_app.sla import sweep


def stall(ids):
    print(len(ids), flush=True)
    time.sleep(300)


tasks.sla_escalations_execute.delay = stall
now = timezone.now() - sweep.REQUEUE_AFTER - timedelta(minutes=1)
tasks.sweep_and_queue(now=now, batch_size=int(sys.argv[1]))
"""


def subprocess_env(directory: Path, broker_url: str) -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings",
        "DEBUG": "1",
        "DATABASE_URL": (
            f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "REDIS_URL": broker_url,
        "EMAIL_URL": f"filemail://{directory / 'mail'}",
        "GUICHET_VAR_DIR": str(directory / "var"),
    }


def wait_until(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:g} s waiting for {what}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def queues(django_db_setup, tmp_path_factory):
    """Two ``celery worker`` processes against the test database, each on a queue of its own,
    shared by the tests of this module (starting a worker costs seconds; the database they
    read is emptied between tests, and they keep no state of their own)."""
    logs = tmp_path_factory.mktemp("workers")
    broker_url = django_settings.CELERY_BROKER_URL
    started = []
    for _ in range(2):
        queue = f"sla-test-{uuid.uuid4().hex[:10]}"
        log = logs / f"{queue}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-c", WORKER, queue, str(logs / f"{queue}.ready")],
                cwd=ROOT,
                env=subprocess_env(logs, broker_url),
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        started.append((queue, process, log))
    try:
        for queue, process, log in started:
            ready = logs / f"{queue}.ready"
            try:
                wait_until(
                    lambda process=process, ready=ready: (
                        ready.exists() or process.poll() is not None
                    ),
                    timeout=90,
                    what=f"worker {queue}",
                )
            except AssertionError as exc:
                raise AssertionError(f"{exc}\n{log.read_text()}") from None
            assert process.poll() is None, log.read_text()
        yield [queue for queue, _process, _log in started]
    finally:
        # Cold shutdown: every test waits for the work it started, so nothing is left running.
        for _queue, process, _log in started:
            process.send_signal(signal.SIGQUIT)
        for _queue, process, _log in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        # The queues are this module's alone (their names are random): drop them and the
        # parked mail.
        broker = redis.Redis.from_url(broker_url)
        for queue, _process, _log in started:
            keys = list(broker.scan_iter(match=f"*{queue}*"))
            if keys:
                broker.delete(*keys)


@pytest.fixture
def overdue_incidents(citizen, policy, support_group, helper, monkeypatch):
    """``overdue_incidents(n)``: n incidents taken by ``helper``, every level of their clocks
    passed and none recorded yet."""
    # The "new incident" mails of the set-up are no part of what is tested.
    monkeypatch.setattr(notification_send_email, "delay", lambda notification_id: None)
    monkeypatch.setattr(notifications_send_email, "delay", lambda notification_ids: None)

    def create(count: int) -> list[Incident]:
        incidents = []
        # One commit for the lot: the set-up is not under test, and commits are its slow part.
        with transaction.atomic():
            for i in range(count):
                incidents.append(
                    factories.IncidentFactory(
                        requester=citizen.client,
                        title=f"Projecteur muet, salle {i}",
                        assignment_group=support_group,
                        priority=4,
                        now=STARTED,
                        taken_by=helper,
                    )
                )
        return incidents

    return create


def latest_notification_id() -> int:
    return Notification.objects.aggregate(top=Max("pk"))["top"] or 0


def wait_until_executed(escalations: int) -> None:
    def done() -> bool:
        return (
            SLAEscalation.objects.count() == escalations
            and not SLAEscalation.objects.filter(executed_at=None).exists()
        )

    wait_until(done, timeout=90, what=f"the actions of {escalations} escalations")


def assert_recorded_and_notified_once(incidents: list[Incident], notifications_after: int):
    """Every level of every clock recorded once, its actions run once."""
    clocks = SLAClock.objects.filter(incident__in=incidents)
    assert clocks.count() == 2 * len(incidents)
    recorded = {}
    for clock_id, percent in SLAEscalation.objects.values_list("clock_id", "percent"):
        recorded.setdefault(clock_id, []).append(percent)
    assert {clock.pk: sorted(recorded.get(clock.pk, [])) for clock in clocks} == {
        clock.pk: PERCENTS for clock in clocks
    }
    assert set(clocks.values_list("level_reached", "next_level_at")) == {(max(PERCENTS), None)}
    assert not SLAEscalation.objects.filter(executed_at=None).exists()

    copies = (
        Notification.objects.filter(pk__gt=notifications_after)
        .values("recipient", "title")
        .annotate(copies=Count("pk"))
        .values_list("copies", flat=True)
    )
    assert Counter(copies) == {1: NOTIFICATIONS_PER_INCIDENT * len(incidents)}
    # The 100 % level raises the priority: one change by nobody (the engine) per clock. Counted
    # in the history rather than read off the priority, which a repeated raise could leave
    # looking right.
    raised = Counter(Incident.history.filter(history_user=None).values_list("id", flat=True))
    assert raised == {incident.pk: 2 for incident in incidents}


def row_exclusive_waiters(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted "
            "AND mode = 'RowExclusiveLock' AND relation = %s::regclass "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [table],
        )
        return cursor.fetchone()[0]


def test_two_workers_sweeping_at_once_record_and_notify_each_level_once(queues, overdue_incidents):
    # given
    incidents = overdue_incidents(200)
    clocks = 2 * len(incidents)
    notifications_after = latest_notification_id()
    table = SLAClock._meta.db_table

    # when: both sweeps read the same candidates, then race to record them. The table lock lets
    # them read but holds their UPDATE until both have got there, so the race happens on every
    # run, not only when the scheduler allows it.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
        sweeps = [tasks.sla_sweep_run.apply_async(queue=queue) for queue in queues]
        wait_until(lambda: row_exclusive_waiters(table) == 2, timeout=60, what="both sweeps")
    results = [sweep.get(timeout=60) for sweep in sweeps]
    wait_until_executed(clocks * len(PERCENTS))

    # then: both saw every clock, between them they recorded each level once
    assert [result["examined"] for result in results] == [clocks, clocks]
    assert sum(result["recorded"] for result in results) == clocks * len(PERCENTS)
    assert_recorded_and_notified_once(incidents, notifications_after)


def test_sweep_killed_after_a_batch_is_completed_once_by_the_next_sweep(
    queues, overdue_incidents, tmp_path
):
    # given: a sweep in batches of 20 clocks, killed once its first batch committed
    incidents = overdue_incidents(60)
    clocks, batch = 2 * len(incidents), 20
    notifications_after = latest_notification_id()
    log = tmp_path / "slow-sweep.log"
    with log.open("wb") as errors:
        sweep = subprocess.Popen(
            [sys.executable, "-c", SLOW_SWEEP, str(batch)],
            cwd=ROOT,
            env=subprocess_env(tmp_path, django_settings.CELERY_BROKER_URL),
            stdout=subprocess.PIPE,
            stderr=errors,
        )
    try:
        readable, _write, _error = select.select([sweep.stdout], [], [], 90)
        assert readable, log.read_text()
        assert sweep.stdout.readline().strip() == str(batch * len(PERCENTS)).encode(), (
            log.read_text()
        )
    finally:
        sweep.send_signal(signal.SIGKILL)
        sweep.wait()
        sweep.stdout.close()
    assert sweep.returncode == -signal.SIGKILL
    # Exactly the committed batch is recorded, and nothing of it has run.
    assert SLAEscalation.objects.filter(executed_at=None).count() == batch * len(PERCENTS)
    assert SLAEscalation.objects.count() == batch * len(PERCENTS)
    assert SLAClock.objects.filter(level_reached=max(PERCENTS)).count() == batch

    # when: the next sweep, on a worker
    result = tasks.sla_sweep_run.apply_async(queue=queues[0]).get(timeout=60)
    wait_until_executed(clocks * len(PERCENTS))

    # then: it recorded the rest, and queued the dead sweep's forgotten escalations again
    rest = clocks - batch
    assert result == {"examined": rest, "recorded": rest * len(PERCENTS)}
    assert_recorded_and_notified_once(incidents, notifications_after)


def test_an_escalation_message_delivered_twice_runs_its_actions_once(
    queues, overdue_incidents, monkeypatch
):
    # given: levels recorded, their message not sent yet
    incidents = overdue_incidents(40)
    notifications_after = latest_notification_id()
    dispatched = []
    monkeypatch.setattr(tasks.sla_escalations_execute, "delay", dispatched.append)
    swept = tasks.sweep_and_queue()
    ids = [pk for message in dispatched for pk in message]
    assert sorted(ids) == sorted(swept.escalation_ids)
    assert len(ids) == 2 * len(incidents) * len(PERCENTS)

    # when: the same message reaches both workers at once, then comes back as a retry
    copies = [
        tasks.sla_escalations_execute.apply_async(args=[ids], queue=queue) for queue in queues
    ]
    ran = [copy.get(timeout=60) for copy in copies]
    retried = tasks.sla_escalations_execute.apply_async(args=[ids], queue=queues[0])

    # then: between them the copies ran each escalation once; the retry ran none
    assert sum(ran) == len(ids)
    assert retried.get(timeout=60) == 0
    assert_recorded_and_notified_once(incidents, notifications_after)
