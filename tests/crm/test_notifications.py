"""The notifications bell: in-app notifications, unread count, mail after commit."""

import contextlib

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from crm import services
from crm.celery import app
from crm.models import Notification
from crm.tasks import notification_send_email
from tests import factories
from tests.helpers import smtp_failing_once, text

pytestmark = pytest.mark.django_db


def test_notifying_a_group_creates_one_notification_each_and_mails_after_commit(
    agent, colleague, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from crm.celery import app

    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.notifications_send(
                recipients=[agent, colleague, agent], title="Nouvelle tâche", url="/agent/"
            )
            assert mail.outbox == []  # nothing leaves before commit
    finally:
        app.conf.task_always_eager = False

    assert len(callbacks) == 1
    assert Notification.objects.filter(title="Nouvelle tâche").count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["agent@example.org", "collegue@example.org"]
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


def test_mail_task_sends_each_notification_once(agent):
    from crm.tasks import notification_send_email

    notification = factories.NotificationFactory(recipient=agent)
    assert notification_send_email.apply(args=[notification.pk]).get() == "agent@example.org"
    assert notification_send_email.apply(args=[notification.pk]).get() is None
    assert len(mail.outbox) == 1


def test_bell_shows_the_unread_count(login, agent):
    factories.NotificationFactory.create_batch(3, recipient=agent)
    factories.NotificationFactory(recipient=agent, read_at="2026-01-01T00:00Z")
    response = login(agent).get("/agent/")
    assert 'data-testid="unread-count"' in text(response)
    assert response.context["unread_notifications"] == 3


def test_opening_a_notification_marks_it_read_and_follows_its_link(login, agent):
    notification = factories.NotificationFactory(recipient=agent, url="/agent/")
    response = login(agent).post(reverse("notification_open", args=[notification.pk]))
    assert response["Location"] == "/agent/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_notification_with_an_offsite_link_stays_on_site(login, agent):
    notification = factories.NotificationFactory(recipient=agent, url="https://evil.example/")
    response = login(agent).post(reverse("notification_open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications")


def test_nobody_opens_someone_elses_notification(login, agent, colleague):
    notification = factories.NotificationFactory(recipient=colleague)
    response = login(agent).post(reverse("notification_open", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_notification_list_shows_only_mine(login, citizen, other_citizen):
    factories.NotificationFactory(recipient=citizen, title="Pour moi")
    factories.NotificationFactory(recipient=other_citizen, title="Pour le voisin")
    response = login(citizen).get(reverse("notifications"))
    assert "Pour moi" in text(response)
    assert "Pour le voisin" not in text(response)


def test_mark_all_read_from_the_bell_with_htmx(login, agent):
    factories.NotificationFactory.create_batch(2, recipient=agent)
    response = login(agent).post(reverse("notifications_read_all"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-testid="unread-count"' not in text(response)
    assert Notification.objects.filter(recipient=agent, read_at=None).count() == 0


def test_notification_pages_need_a_login(client):
    assert client.get(reverse("notifications")).status_code == 302
    assert client.get(reverse("notification_bell")).status_code == 302


def test_a_rolled_back_notification_mails_nothing(agent, django_capture_on_commit_callbacks):
    app.conf.task_always_eager = True
    try:
        # when
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            contextlib.suppress(RuntimeError),
            transaction.atomic(),
        ):
            services.notification_send(recipient=agent, title="Jamais envoyée")
            raise RuntimeError("the action failed after notifying")
    finally:
        app.conf.task_always_eager = False
    # then
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.filter(title="Jamais envoyée").exists()


def test_a_notification_mail_is_retried_when_smtp_fails_and_sent_once(agent):
    # given: the mail server refuses the first attempt
    notification = factories.NotificationFactory(recipient=agent)
    # when
    with smtp_failing_once() as calls:
        result = notification_send_email.apply(args=[notification.pk])
    # then
    assert result.successful()
    assert len(calls) == 2
    assert len(mail.outbox) == 1
    assert notification_send_email.retry_backoff is True
