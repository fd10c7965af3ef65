"""A real Celery worker process on Redis and PostgreSQL runs Guichet's tasks."""

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from crm.tasks import notification_send_email
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(transactional_db, tmp_path, settings):
    """Start ``celery worker`` on a queue of its own, against this test's database."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings",
        "DEBUG": "1",
        "DATABASE_URL": (
            f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "EMAIL_URL": f"filemail://{tmp_path / 'mail'}",
        "GUICHET_VAR_DIR": str(tmp_path / "var"),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crm",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield queue, tmp_path / "mail"
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.slow
def test_worker_mails_a_notification_once_and_returns_the_recipient(worker):
    queue, mail_dir = worker
    # given
    user = factories.agent(email="agent.worker@example.org")
    notification = factories.NotificationFactory(recipient=user, title="Tâche ouverte")

    # when: sent twice, as a retry or a duplicate message would
    first = notification_send_email.apply_async(args=[notification.pk], queue=queue)
    second = notification_send_email.apply_async(args=[notification.pk], queue=queue)

    # then
    assert first.get(timeout=60) == "agent.worker@example.org"
    assert second.get(timeout=60) is None
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    messages = list(mail_dir.glob("*.log"))
    assert len(messages) == 1
    assert "Tâche ouverte" in messages[0].read_text()
