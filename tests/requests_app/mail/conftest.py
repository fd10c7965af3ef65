"""The e-mail channel's fixtures: a reply mailbox, a teacher of an imported grid (a client with
no account) with a request worked by an agent of ``ours``, and mails built as mail programs
write them."""

import contextlib
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from django.core import mail
from django.utils import timezone

from crm.celery import app
from requests_app.incidents import services as incident_services
from requests_app.requests.journal import journal_add
from tests import factories

INBOUND = "reponses@guichet.example.org"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def channel(settings, tmp_path):
    """Replies go to reponses+<token>@guichet.example.org; files under a temporary folder."""
    settings.MAIL_CHANNEL_ENABLED = True
    settings.INBOUND_EMAIL_ADDRESS = INBOUND
    settings.INBOUND_EMAIL_REQUIRE_SENDER_MATCH = True
    settings.SITE_URL = "https://guichet.example.org"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMAP_HOST = ""
    return settings


@pytest.fixture
def owner(ours):
    agent = factories.agent(email="technopedagogue@example.org", first_name="Luc", last_name="Roy")
    ours.members.add(agent)
    return agent


@pytest.fixture
def teacher(db):
    """A teacher named in a course grid: a client with no portal account."""
    return factories.ClientFactory(
        first_name="Marie",
        last_name="Tremblay",
        email="marie.tremblay@umontreal.example",
        language="fr",
    )


@pytest.fixture
def course_request(ours, owner, teacher):
    request_type = factories.chain_request_type(group=ours, steps=2, code="SYNC")
    return factories.ServiceRequestFactory(
        requester=teacher, request_type=request_type, title="MMD1234 Anatomie générale"
    )


@pytest.fixture
def help_incident(ours, owner, teacher):
    return incident_services.incident_create(
        requester=teacher, title="Zoom ne démarre pas", assignment_group=ours
    )


@contextlib.contextmanager
def eager_celery():
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


@pytest.fixture
def mailed(django_capture_on_commit_callbacks):
    """``mailed(write)``: run ``write()`` (which writes a comment), commit, run the workers'
    tasks, and return the mails sent."""

    def run(write):
        before = len(mail.outbox)
        with eager_celery(), django_capture_on_commit_callbacks(execute=True):
            result = write()
        return result, mail.outbox[before:]

    return run


@pytest.fixture
def comment_mail(mailed, owner, course_request):
    """The owner comments on the teacher's request: (the comment, its mail)."""
    entry, sent = mailed(
        lambda: journal_add(
            by=owner,
            request=course_request,
            kind="comment",
            body="Bonjour, pouvez-vous m'envoyer le plan de cours ?",
        )
    )
    assert len(sent) == 1
    return entry, sent[0]


def quoted(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def reply(
    outbound,
    body: str = "Voici le plan de cours.",
    *,
    sender: str | None = None,
    to: str | None = None,
    subject: str | None = None,
    headers: dict | None = None,
    html: str | None = None,
    attachments=(),
    message_id: str | None = None,
    quote: bool = True,
    in_reply_to: bool = True,
) -> bytes:
    """The requester's answer to ``outbound`` (a mail of mail.outbox), as Thunderbird writes
    it in French: their text, then "Le … a écrit :" and the quoted mail."""
    message = EmailMessage()
    message["From"] = sender or outbound.to[0]
    message["To"] = to if to is not None else (outbound.reply_to or [outbound.from_email])[0]
    message["Subject"] = subject if subject is not None else f"RE: {outbound.subject}"
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id or make_msgid(domain="umontreal.example")
    if in_reply_to:
        message["In-Reply-To"] = outbound.extra_headers["Message-ID"]
    for name, value in (headers or {}).items():
        message[name] = value
    text = body
    if quote:
        text += (
            "\n\nLe 1 déc. 2026 à 10:00, Guichet <no-reply@guichet.invalid> a écrit :\n"
            + quoted(outbound.body)
        )
    if html is None:
        message.set_content(text)
    else:
        message.set_content(html, subtype="html")
    for name, content, mime in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()
