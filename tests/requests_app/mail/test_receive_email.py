"""The ``receive_email`` command, for a mail server's pipe: one message on standard input."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from requests_app.mail.models import InboundEmail
from requests_app.models import JournalEntry
from requests_app.requests.journal import journal_add
from tests.helpers import text

from .conftest import INBOUND, eager_celery, reply

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_the_command_lands_the_message_read_on_standard_input(comment_mail, course_request):
    _comment, sent = comment_mail
    out = io.StringIO()
    call_command("receive_email", stdin=io.BytesIO(reply(sent, "Merci !")), stdout=out)
    assert out.getvalue().startswith("accepted: comment ")
    assert course_request.journal.filter(author_client__isnull=False).get().body == "Merci !"


@pytest.mark.django_db
def test_the_command_exits_67_when_it_refuses_a_message(comment_mail):
    _comment, sent = comment_mail
    raw = reply(sent, "Merci.", to="reponses+1-2-t3.forged@guichet.example.org", in_reply_to=False)
    with pytest.raises(SystemExit) as exited:
        call_command("receive_email", stdin=io.BytesIO(raw), stdout=io.StringIO())
    assert exited.value.code == 67
    assert not InboundEmail.objects.exists()


@pytest.mark.django_db
def test_the_command_reads_the_recipient_the_server_gives(comment_mail):
    _comment, sent = comment_mail
    raw = reply(sent, "Merci.", to="marie.tremblay@umontreal.example", in_reply_to=False)
    out = io.StringIO()
    call_command(
        "receive_email", "--recipient", sent.reply_to[0], stdin=io.BytesIO(raw), stdout=out
    )
    assert out.getvalue().startswith("accepted")


@pytest.mark.django_db
def test_an_auto_reply_exits_0_so_the_server_does_not_bounce_it(comment_mail):
    _comment, sent = comment_mail
    raw = reply(sent, "Absente.", headers={"Auto-Submitted": "auto-replied"})
    out = io.StringIO()
    call_command("receive_email", stdin=io.BytesIO(raw), stdout=out)
    assert out.getvalue().startswith("ignored")


def _pipe(raw: bytes, settings, tmp_path) -> subprocess.CompletedProcess:
    """``manage.py receive_email`` as a mail server runs it: a process of its own, the message
    on its standard input, on this test's database."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings",
        "DEBUG": "1",
        "SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": (
            f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "INBOUND_EMAIL_ADDRESS": INBOUND,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "EMAIL_URL": "memorymail://",
        "GUICHET_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "receive_email"],
        input=raw,
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )


@pytest.mark.slow
def test_a_comment_mailed_to_a_requester_without_account_and_the_reply_in_the_thread(
    transactional_db, ours, owner, teacher, settings, tmp_path, login
):
    """End to end: an agent comments on the request of a teacher who has no account; the mail
    leaves with a reply address; the teacher answers from their mail program; the mail server
    pipes the answer to ``receive_email``; the agent finds it in the request's thread."""
    from tests import factories

    # given: the teacher's request, and the agent's comment, mailed once committed
    request_type = factories.chain_request_type(group=ours, steps=2, code="SYNC")
    request = factories.ServiceRequestFactory(
        requester=teacher, request_type=request_type, title="MMD1234 Anatomie générale"
    )
    with eager_celery():
        journal_add(
            by=owner, request=request, kind="comment", body="Pouvez-vous m'envoyer le plan ?"
        )
    [sent] = mail.outbox
    assert sent.to == ["Marie Tremblay <marie.tremblay@umontreal.example>"]
    assert teacher.user is None

    # when: the teacher replies, quoting the mail, with the plan attached
    raw = reply(
        sent,
        "Bonjour,\n\nLe voici en pièce jointe.\n\nCordialement,\nMarie Tremblay\nPoste 1234",
        attachments=[("plan.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")],
    )
    piped = _pipe(raw, settings, tmp_path)

    # then
    assert piped.returncode == 0, piped.stderr.decode()
    assert piped.stdout.decode().startswith("accepted")
    entry = JournalEntry.objects.get(request=request, author_client=teacher)
    assert entry.body == "Bonjour,\n\nLe voici en pièce jointe."
    page = login(owner).get(request.get_absolute_url())
    shown = text(page)
    assert "Le voici en pièce jointe." in shown
    assert "Marie Tremblay" in shown and "par courriel" in shown
    assert "plan.pdf" in shown
    assert "Pouvez-vous m'envoyer le plan ?" in shown
    # the same message piped again (the server retried) lands once
    again = _pipe(raw, settings, tmp_path)
    assert again.returncode == 0 and again.stdout.decode().startswith("duplicate")
    assert JournalEntry.objects.filter(request=request, author_client=teacher).count() == 1
