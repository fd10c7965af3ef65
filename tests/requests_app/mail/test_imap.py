"""Replies read from a real IMAP server (Debian's dovecot, started here) by the beat task."""

import imaplib
import importlib
import time

import pytest
from django.apps import apps
from django.db.utils import OperationalError
from django_celery_beat.models import PeriodicTask

from requests_app.mail import imap
from requests_app.mail.polling import inbound_email_poll
from requests_app.models import JournalEntry

from . import dovecot
from .conftest import PDF, reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(channel):
    process, server = dovecot.start()
    channel.IMAP_HOST = server.host
    channel.IMAP_PORT = server.port
    channel.IMAP_SSL = False
    channel.IMAP_STARTTLS = False
    channel.IMAP_USER = server.user
    channel.IMAP_PASSWORD = server.password
    channel.IMAP_FOLDER = "INBOX"
    channel.IMAP_PROCESSED_FOLDER = ""
    channel.IMAP_TIMEOUT = 10
    yield server
    dovecot.stop(process, server)


def _deliver(server, raw: bytes) -> None:
    connection = server.connect()
    connection.append("INBOX", None, imaplib.Time2Internaldate(time.time()), raw)
    connection.logout()


def _messages(server, folder: str = "INBOX") -> list[bytes]:
    """The flags of each message of ``folder``."""
    connection = server.connect()
    connection.select(folder)
    _status, data = connection.uid("SEARCH", None, "ALL")
    flags = []
    for uid in data[0].split():
        _status, fetched = connection.uid("FETCH", uid, "(FLAGS)")
        flags.append(fetched[0])
    connection.logout()
    return flags


def test_the_beat_task_lands_the_replies_of_the_mailbox_once(
    mailbox, comment_mail, course_request, teacher
):
    # given: a reply with a file, and an out-of-office answer, in the mailbox
    _comment, sent = comment_mail
    _deliver(
        mailbox,
        reply(sent, "Voici le plan.", attachments=[("plan.pdf", PDF, "application/pdf")]),
    )
    _deliver(mailbox, reply(sent, "Absente.", subject="Réponse automatique : absente"))

    # when
    result = inbound_email_poll.apply().get()

    # then
    assert result == {"accepted": 1, "ignored": 1}
    entry = JournalEntry.objects.get(request=course_request, author_client=teacher)
    assert entry.body == "Voici le plan."
    assert [a.original_name for a in entry.attachments.all()] == ["plan.pdf"]
    flags = _messages(mailbox)
    assert len(flags) == 2 and all(b"\\Seen" in f for f in flags)
    # a second poll finds nothing new
    assert inbound_email_poll.apply().get() == {}


def test_handled_messages_are_moved_when_a_folder_is_set(mailbox, comment_mail, channel):
    channel.IMAP_PROCESSED_FOLDER = "Processed"
    _comment, sent = comment_mail
    _deliver(mailbox, reply(sent, "Merci."))
    assert inbound_email_poll.apply().get() == {"accepted": 1}
    assert _messages(mailbox) == []
    assert len(_messages(mailbox, "Processed")) == 1


def test_a_message_that_could_not_be_handled_stays_for_the_next_poll(
    mailbox, comment_mail, monkeypatch
):
    _comment, sent = comment_mail
    _deliver(mailbox, reply(sent, "Merci."))
    real = imap.inbound_email_receive

    def database_away(**kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(imap, "inbound_email_receive", database_away)
    assert inbound_email_poll.apply().get() == {"failed": 1}
    assert b"\\Seen" not in _messages(mailbox)[0]
    monkeypatch.setattr(imap, "inbound_email_receive", real)
    assert inbound_email_poll.apply().get() == {"accepted": 1}


def test_a_mailbox_out_of_reach_is_tried_again_at_the_next_beat(channel, caplog):
    channel.IMAP_HOST = "127.0.0.1"
    channel.IMAP_PORT = dovecot._free_port()  # nothing listens there
    channel.IMAP_SSL = False
    channel.IMAP_TIMEOUT = 2
    assert inbound_email_poll.apply().get() == {"error": 1}
    assert "could not be read" in caplog.text


def test_wrong_credentials_are_logged_not_raised(mailbox, channel, caplog):
    channel.IMAP_PASSWORD = "wrong"
    assert inbound_email_poll.apply().get() == {"error": 1}


def test_nothing_is_polled_without_a_host(channel):
    channel.IMAP_HOST = ""
    assert inbound_email_poll.apply().get() == {}


def test_the_poll_runs_every_minute_from_celery_beat():
    migration = importlib.import_module("requests_app.migrations.0021_inbound_email")
    migration.schedule(apps, None)  # as the migration did (and again: once only)
    task = PeriodicTask.objects.get(name="Inbound e-mail")
    assert task.task == "requests_app.tasks.inbound_email_poll" and task.enabled
    assert task.interval.every == 1 and task.interval.period == "minutes"
