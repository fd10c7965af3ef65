"""An agent's comment reaches the requester by e-mail, after commit, in their language, with
the number in the subject and a reply address carrying a signed token; never a work note."""

import contextlib

import pytest
from django.core import mail
from django.db import transaction

from crm.models import Notification
from requests_app.incidents import services as incident_services
from requests_app.mail import tokens
from requests_app.mail.tasks import comment_email_send
from requests_app.requests.journal import journal_add
from requests_app.requests.models import JournalEntry
from requests_app.requests.services import request_cancel
from tests import factories
from tests.helpers import smtp_failing_once

from .conftest import eager_celery

pytestmark = pytest.mark.django_db


def test_a_comment_is_mailed_to_a_requester_without_account_after_commit(
    owner, course_request, teacher, django_capture_on_commit_callbacks
):
    # given: a teacher of an imported grid, with no portal account
    assert teacher.user is None

    # when
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        entry = journal_add(
            by=owner, request=course_request, kind="comment", body="Quand êtes-vous disponible ?"
        )
        assert mail.outbox == []  # nothing leaves before commit

    # then
    [sent] = mail.outbox
    assert sent.to == ["Marie Tremblay <marie.tremblay@umontreal.example>"]
    assert sent.subject == (
        f"[{course_request.number}] Nouveau message sur votre demande : MMD1234 Anatomie générale"
    )
    assert "Quand êtes-vous disponible ?" in sent.body
    assert "Luc Roy" in sent.body
    assert "Bonjour Marie Tremblay," in sent.body
    [reply_to] = sent.reply_to
    local, _at, domain = reply_to.partition("@")
    assert domain == "guichet.example.org" and local.startswith("reponses+")
    assert len(local) <= 64
    token = tokens.read_token(local.removeprefix("reponses+"))
    assert (token.entry_id, token.client_id) == (entry.pk, teacher.pk)
    assert sent.extra_headers["X-Guichet-Loop"] == "reponses@guichet.example.org"
    entry.refresh_from_db()
    assert entry.emailed_at is not None


def test_a_work_note_is_never_mailed(owner, course_request, mailed):
    _entry, sent = mailed(
        lambda: journal_add(by=owner, request=course_request, kind="work_note", body="Interne")
    )
    assert sent == []


def test_the_mail_is_in_the_requesters_language(owner, course_request, teacher, mailed):
    teacher.language = "en"
    teacher.save()
    _entry, [sent] = mailed(
        lambda: journal_add(by=owner, request=course_request, kind="comment", body="Hello")
    )
    assert sent.subject == (
        f"[{course_request.number}] New message on your request: MMD1234 Anatomie générale"
    )
    assert "Please type your reply above this line" in sent.body
    assert "Reply to this e-mail to answer" in sent.body


def test_a_comment_on_a_task_is_mailed_with_the_requests_number(owner, course_request, mailed):
    task = course_request.tasks.order_by("pk").first()
    entry, [sent] = mailed(
        lambda: journal_add(by=owner, task=task, kind="comment", body="Pour l'entrevue")
    )
    assert entry.task_id == task.pk and entry.request_id == course_request.pk
    assert sent.subject.startswith(f"[{course_request.number}] ")


def test_a_comment_on_an_incident_is_mailed_with_its_number(owner, help_incident, mailed):
    _entry, [sent] = mailed(
        lambda: incident_services.incident_journal_add(
            incident=help_incident, by=owner, kind="comment", body="Redémarrez Zoom."
        )
    )
    assert sent.subject == (
        f"[{help_incident.number}] Nouveau message sur votre demande d'aide : Zoom ne démarre pas"
    )
    assert "Redémarrez Zoom." in sent.body


def test_an_incidents_work_note_and_logged_call_are_not_mailed(owner, help_incident, mailed):
    for kind in ("work_note", "call"):
        _entry, sent = mailed(
            lambda kind=kind: incident_services.incident_journal_add(
                incident=help_incident, by=owner, kind=kind, body="Interne"
            )
        )
        assert sent == []


def test_the_requesters_own_comment_is_not_mailed_back(mailed, ours):
    citizen = factories.citizen(email="parent@example.org")
    request_type = factories.chain_request_type(group=ours, code="PORT")
    request = factories.ServiceRequestFactory(requester=citizen.client, request_type=request_type)
    _entry, sent = mailed(
        lambda: journal_add(by=citizen, request=request, kind="comment", body="Merci")
    )
    assert sent == []


def test_a_requester_with_an_account_gets_one_mail_and_a_notification(owner, ours, mailed):
    citizen = factories.citizen(email="parent@example.org")
    request_type = factories.chain_request_type(group=ours, code="PORT")
    request = factories.ServiceRequestFactory(requester=citizen.client, request_type=request_type)
    _entry, sent = mailed(
        lambda: journal_add(by=owner, request=request, kind="comment", body="Bonjour")
    )
    [only] = sent
    assert only.reply_to and "https://guichet.example.org/my/requests/" in only.body
    notification = Notification.objects.get(recipient=citizen)
    assert notification.emailed_at is None  # the comment's mail is its mail


def test_a_requester_without_address_gets_no_mail(owner, course_request, teacher, mailed):
    teacher.email = None
    teacher.save()
    _entry, sent = mailed(
        lambda: journal_add(by=owner, request=course_request, kind="comment", body="Bonjour")
    )
    assert sent == []


def test_the_channel_can_be_switched_off(owner, course_request, mailed, settings):
    settings.MAIL_CHANNEL_ENABLED = False
    _entry, sent = mailed(
        lambda: journal_add(by=owner, request=course_request, kind="comment", body="Bonjour")
    )
    assert sent == []


def test_without_a_reply_mailbox_the_mail_has_no_reply_address(
    owner, course_request, mailed, settings
):
    settings.INBOUND_EMAIL_ADDRESS = ""
    _entry, [sent] = mailed(
        lambda: journal_add(by=owner, request=course_request, kind="comment", body="Bonjour")
    )
    assert sent.reply_to == []
    assert "##-" not in sent.body


def test_a_comment_is_mailed_once_whatever_the_retries(owner, course_request):
    entry = journal_add(by=owner, request=course_request, kind="comment", body="Bonjour")
    assert comment_email_send.apply(args=[entry.pk]).get() == (
        "Marie Tremblay <marie.tremblay@umontreal.example>"
    )
    assert comment_email_send.apply(args=[entry.pk]).get() is None
    assert len(mail.outbox) == 1


def test_a_mail_server_failure_is_retried_until_it_is_sent(owner, course_request):
    entry = journal_add(by=owner, request=course_request, kind="comment", body="Bonjour")
    with smtp_failing_once() as attempts:
        result = comment_email_send.apply(args=[entry.pk])
    assert result.successful()
    assert len(attempts) == 2
    assert len(mail.outbox) == 1
    assert JournalEntry.objects.get(pk=entry.pk).emailed_at is not None


def test_nothing_is_mailed_when_the_comment_is_rolled_back(
    owner, course_request, django_capture_on_commit_callbacks
):
    with (
        eager_celery(),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        contextlib.suppress(RuntimeError),
        transaction.atomic(),
    ):
        journal_add(by=owner, request=course_request, kind="comment", body="Bonjour")
        raise RuntimeError("the action failed after the comment")
    assert callbacks == []
    assert mail.outbox == []


def test_the_reason_of_a_cancellation_reaches_the_requester(owner, course_request, mailed):
    _request, [sent] = mailed(
        lambda: request_cancel(request=course_request, by=owner, reason="Le cours est annulé.")
    )
    assert "Le cours est annulé." in sent.body
    assert sent.subject.startswith(f"[{course_request.number}] ")


def test_a_cancellation_without_reason_mails_nothing(owner, course_request, mailed):
    _request, sent = mailed(lambda: request_cancel(request=course_request, by=owner))
    assert sent == []
