"""A reply by e-mail lands in the thread of the request or the incident its token names, as the
requester's comment; auto-replies and loops are ignored, a forged, unknown, expired or
mismatched token refused (nothing written), and a message delivered twice lands once."""

import pytest
from django.utils import timezone
from freezegun import freeze_time

from crm.models import Notification
from requests_app.incidents import services as incident_services
from requests_app.mail import inbound, tokens
from requests_app.mail.inbound import inbound_email_receive
from requests_app.mail.models import InboundEmail, JournalAttachment
from requests_app.models import Incident, JournalEntry, ServiceRequest
from requests_app.requests.journal import journal_add
from requests_app.sla.models import SLAClock
from tests import factories
from tests.helpers import rows_of

from .conftest import EXE, PDF, PNG, reply

pytestmark = pytest.mark.django_db

WRITES = (JournalEntry, InboundEmail, JournalAttachment, Notification, Incident, ServiceRequest)


def _rows():
    return rows_of(*WRITES)


def test_a_reply_lands_in_the_requests_thread_as_the_requesters_comment(
    comment_mail, course_request, teacher, owner
):
    # given
    comment, sent = comment_mail
    # when
    result = inbound_email_receive(raw=reply(sent, "Voici le plan de cours.\n\nMarie"))
    # then
    assert result.status == "accepted", result.reason
    entry = result.entry
    assert entry.request_id == course_request.pk and entry.task_id is None
    assert entry.kind == JournalEntry.Kind.COMMENT and entry.is_public
    assert entry.author is None and entry.author_client == teacher
    assert entry.author_name == "Marie Tremblay"
    assert entry.body == "Voici le plan de cours.\n\nMarie"
    assert InboundEmail.objects.get(entry=entry).sender == "marie.tremblay@umontreal.example"
    course_request.refresh_from_db()
    assert course_request.unread_reply_at is not None
    # the agent who wrote is told, in the bell
    notification = Notification.objects.get(recipient=owner, title__contains="répondu")
    assert (
        notification.title == f"Marie Tremblay a répondu par courriel sur {course_request.number}"
    )
    assert notification.url == course_request.get_absolute_url() + "#journal"
    assert "Voici le plan de cours." in notification.body


def test_a_reply_to_a_task_comment_lands_on_the_task_and_tells_its_group(
    mailed, owner, ours, course_request
):
    colleague = factories.agent(email="collegue.groupe@example.org")
    ours.members.add(colleague)
    task = course_request.tasks.filter(status="open").first()
    _comment, [sent] = mailed(
        lambda: journal_add(by=owner, task=task, kind="comment", body="Pour l'entrevue ?")
    )
    result = inbound_email_receive(raw=reply(sent, "Mardi 10 h."))
    assert result.status == "accepted"
    assert (result.entry.task_id, result.entry.request_id) == (task.pk, course_request.pk)
    # nobody has taken the task: its group is told (and the comment's author)
    told = set(Notification.objects.values_list("recipient__email", flat=True))
    assert {"collegue.groupe@example.org", owner.email} <= told


def test_a_reply_of_a_requester_with_an_account_is_authored_by_the_account(mailed, owner, ours):
    citizen = factories.citizen(email="parent@example.org")
    request_type = factories.chain_request_type(group=ours, code="PORT")
    request = factories.ServiceRequestFactory(requester=citizen.client, request_type=request_type)
    _comment, [sent] = mailed(
        lambda: journal_add(by=owner, request=request, kind="comment", body="Bonjour")
    )
    result = inbound_email_receive(raw=reply(sent, "Merci !"))
    assert result.entry.author == citizen and result.entry.author_client == citizen.client
    # the citizen is not told of their own reply
    assert not Notification.objects.filter(recipient=citizen, title__contains="répondu").exists()


def test_a_reply_on_an_incident_awaiting_the_requester_starts_it_again(
    mailed, owner, help_incident, teacher
):
    incident_services.incident_take(incident=help_incident, by=owner)
    incident_services.incident_set_status(
        incident=help_incident, status="awaiting_requester", by=owner
    )
    _comment, [sent] = mailed(
        lambda: incident_services.incident_journal_add(
            incident=help_incident, by=owner, kind="comment", body="Quel navigateur ?"
        )
    )
    result = inbound_email_receive(raw=reply(sent, "Firefox 140."))
    assert result.status == "accepted"
    assert result.entry.incident_id == help_incident.pk
    help_incident.refresh_from_db()
    assert help_incident.status == Incident.Status.IN_PROGRESS
    assert help_incident.unread_reply_at is not None
    latest = help_incident.history.order_by("-history_date", "-history_id").first()
    assert latest.history_reason_code == "requester_replied"
    assert Notification.objects.filter(recipient=owner, title__contains="répondu").exists()


def _resolved_with_a_comment(mailed, owner, incident):
    incident_services.incident_take(incident=incident, by=owner)
    _comment, [sent] = mailed(
        lambda: incident_services.incident_journal_add(
            incident=incident, by=owner, kind="comment", body="Réglé : redémarrez le poste."
        )
    )
    incident_services.incident_set_status(incident=incident, status="resolved", by=owner)
    return sent


def test_a_reply_on_a_resolved_incident_reopens_it_and_its_resolution_clock(
    mailed, owner, help_incident, teacher
):
    sent = _resolved_with_a_comment(mailed, owner, help_incident)
    result = inbound_email_receive(raw=reply(sent, "Non, le projecteur reste noir."))
    assert result.status == "accepted"
    help_incident.refresh_from_db()
    assert help_incident.status == Incident.Status.IN_PROGRESS
    assert help_incident.resolved_at is None
    latest = help_incident.history.order_by("-history_date", "-history_id").first()
    assert latest.history_reason_code == "reopened"
    resolution = SLAClock.objects.get(incident=help_incident, kind="resolution")
    assert resolution.stopped_at is None


def test_a_reply_past_the_reopening_days_lands_but_leaves_the_incident_resolved(
    mailed, owner, help_incident, teacher, settings
):
    sent = _resolved_with_a_comment(mailed, owner, help_incident)
    later = timezone.now() + timezone.timedelta(days=settings.INCIDENT_REOPEN_DAYS + 1)
    with freeze_time(later):
        result = inbound_email_receive(raw=reply(sent, "Merci, tout va bien."))
    assert result.status == "accepted"
    help_incident.refresh_from_db()
    assert help_incident.status == Incident.Status.RESOLVED
    assert result.entry.incident_id == help_incident.pk


def test_attachments_are_kept_checked_by_content(comment_mail, settings):
    _comment, sent = comment_mail
    raw = reply(
        sent,
        "Voici les fichiers.",
        attachments=[
            ("plan de cours.pdf", PDF, "application/pdf"),
            ("capture.png", PNG, "image/png"),
            ("facture.pdf", EXE, "application/pdf"),  # an executable renamed
        ],
    )
    result = inbound_email_receive(raw=raw)
    assert result.status == "accepted"
    files = list(result.entry.attachments.order_by("pk"))
    assert [(f.original_name, f.content_type) for f in files] == [
        ("plan de cours.pdf", "application/pdf"),
        ("capture.png", "image/png"),
    ]
    assert files[0].file.read() == PDF
    assert result.entry.attachment_count == 2
    assert [item["name"] for item in result.refused_files] == ["facture.pdf"]
    assert InboundEmail.objects.get(entry=result.entry).refused_files == result.refused_files
    # the agents are told what was left out
    assert "facture.pdf" in Notification.objects.get(title__contains="répondu").body


def test_an_attachment_over_the_size_limit_is_left_out(comment_mail, settings):
    settings.DOCUMENT_MAX_BYTES = 50
    _comment, sent = comment_mail
    result = inbound_email_receive(
        raw=reply(sent, "Le plan.", attachments=[("plan.pdf", PDF, "application/pdf")])
    )
    assert result.status == "accepted" and result.entry.attachment_count == 0
    assert result.refused_files[0]["name"] == "plan.pdf"


def test_attachments_without_text_still_land(comment_mail):
    _comment, sent = comment_mail
    raw = reply(sent, "", quote=False, attachments=[("plan.pdf", PDF, "application/pdf")])
    result = inbound_email_receive(raw=raw)
    assert result.status == "accepted"
    assert result.entry.body == "(Pièces jointes envoyées par courriel, sans message.)"


def test_an_empty_reply_is_ignored(comment_mail):
    _comment, sent = comment_mail
    before = _rows()
    result = inbound_email_receive(raw=reply(sent, ""))
    assert (result.status, result.reason) == ("ignored", "empty")
    assert _rows() == before


@pytest.mark.parametrize(
    "headers, subject",
    [
        ({"Auto-Submitted": "auto-replied"}, None),
        ({"X-Autoreply": "yes"}, None),
        ({"X-Autorespond": "yes"}, None),
        ({"Precedence": "bulk"}, None),
        ({"Precedence": "junk"}, None),
        ({"Precedence": "list"}, None),
        ({"List-Id": "<profs.umontreal.example>"}, None),
        ({}, "Out of Office: Marie Tremblay"),
        ({}, "Réponse automatique : absente jusqu'au 5 janvier"),
        ({}, "Absence du bureau"),
        ({}, "Automatic reply: [REQ0000001]"),
        ({}, "Undeliverable: [REQ0000001]"),
    ],
)
def test_auto_replies_are_ignored(comment_mail, headers, subject):
    _comment, sent = comment_mail
    before = _rows()
    result = inbound_email_receive(
        raw=reply(sent, "Je suis absente.", headers=headers, subject=subject)
    )
    assert result.status == "ignored", result.reason
    assert _rows() == before


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "no"},
        # Exchange puts it on people's own mail: it asks us not to auto-reply, nothing more.
        {"X-Auto-Response-Suppress": "All"},
        {"X-Auto-Response-Suppress": "DR, RN, NRN, OOF, AutoReply"},
    ],
)
def test_these_headers_still_make_a_persons_message(comment_mail, headers):
    _comment, sent = comment_mail
    result = inbound_email_receive(raw=reply(sent, "Merci.", headers=headers))
    assert result.status == "accepted"


def test_our_own_mail_coming_back_is_a_loop(comment_mail):
    # given: the comment's own mail delivered to the reply mailbox (a forward, a bounce…)
    _comment, sent = comment_mail
    before = _rows()
    raw = sent.message().as_bytes()
    # when
    result = inbound_email_receive(raw=raw, recipient=sent.reply_to[0])
    # then
    assert (result.status, result.reason) == ("ignored", "loop")
    assert _rows() == before


def test_a_message_with_our_loop_header_is_ignored(comment_mail):
    _comment, sent = comment_mail
    result = inbound_email_receive(
        raw=reply(sent, "Merci.", headers={"X-Guichet-Loop": "reponses@guichet.example.org"})
    )
    assert (result.status, result.reason) == ("ignored", "loop")


def _with_token(sent, token: str) -> bytes:
    return reply(sent, "Merci.", to=f"reponses+{token}@guichet.example.org", in_reply_to=False)


def test_a_forged_token_is_refused_and_nothing_is_written(comment_mail, caplog):
    comment, sent = comment_mail
    real = sent.reply_to[0].split("+", 1)[1].split("@")[0]
    forged = real[:-1] + ("a" if real[-1] != "a" else "b")
    before = _rows()
    result = inbound_email_receive(raw=_with_token(sent, forged))
    assert (result.status, result.reason) == ("refused", "forged token")
    assert _rows() == before
    assert "refused" in caplog.text and "forged token" in caplog.text


def test_a_token_of_an_unknown_comment_is_refused(comment_mail, teacher):
    _comment, sent = comment_mail
    token = tokens.make_token(entry_id=999_999, client_id=teacher.pk)
    before = _rows()
    result = inbound_email_receive(raw=_with_token(sent, token))
    assert (result.status, result.reason) == ("refused", "unknown token")
    assert _rows() == before


def test_a_token_of_a_work_note_is_refused(comment_mail, owner, course_request, teacher):
    _comment, sent = comment_mail
    note = journal_add(by=owner, request=course_request, kind="work_note", body="Interne")
    token = tokens.make_token(entry_id=note.pk, client_id=teacher.pk)
    result = inbound_email_receive(raw=_with_token(sent, token))
    assert (result.status, result.reason) == ("refused", "unknown token")


def test_an_expired_token_is_refused(comment_mail, settings):
    settings.INBOUND_EMAIL_TOKEN_MAX_AGE_DAYS = 30
    _comment, sent = comment_mail
    before = _rows()
    with freeze_time(timezone.now() + timezone.timedelta(days=31)):
        result = inbound_email_receive(raw=reply(sent, "Merci."))
    assert (result.status, result.reason) == ("refused", "expired token")
    assert _rows() == before


def test_a_token_for_another_client_is_refused(comment_mail, course_request):
    # given: the request was given another requester since the mail went out
    _comment, sent = comment_mail
    other = factories.ClientFactory(email="autre@umontreal.example")
    ServiceRequest.objects.filter(pk=course_request.pk).update(requester=other)
    before = _rows()
    # when: the first requester answers
    result = inbound_email_receive(raw=reply(sent, "Merci."))
    # then
    assert (result.status, result.reason) == ("refused", "mismatched token")
    assert _rows() == before


def test_a_reply_from_another_address_is_refused(comment_mail):
    _comment, sent = comment_mail
    before = _rows()
    result = inbound_email_receive(raw=reply(sent, "Merci.", sender="intrus@example.org"))
    assert (result.status, result.reason) == ("refused", "sender is not the requester")
    assert _rows() == before


def test_a_message_without_token_is_refused(comment_mail):
    _comment, sent = comment_mail
    result = inbound_email_receive(
        raw=reply(sent, "Bonjour.", to="reponses@guichet.example.org", in_reply_to=False)
    )
    assert (result.status, result.reason) == ("refused", "no token")


def test_the_token_is_found_in_in_reply_to_when_the_address_was_rewritten(comment_mail):
    _comment, sent = comment_mail
    result = inbound_email_receive(
        raw=reply(sent, "Merci.", to="reponses@guichet.example.org", in_reply_to=True)
    )
    assert result.status == "accepted"


def test_the_address_the_server_delivered_to_is_read(comment_mail):
    _comment, sent = comment_mail
    raw = reply(sent, "Merci.", to="Marie <marie.tremblay@umontreal.example>", in_reply_to=False)
    assert inbound_email_receive(raw=raw).status == "refused"
    assert inbound_email_receive(raw=raw, recipient=sent.reply_to[0]).status == "accepted"


def test_the_same_message_delivered_twice_lands_once(comment_mail):
    _comment, sent = comment_mail
    raw = reply(sent, "Merci.", message_id="<unique-123@umontreal.example>")
    first = inbound_email_receive(raw=raw)
    second = inbound_email_receive(raw=raw)
    assert (first.status, second.status) == ("accepted", "duplicate")
    assert InboundEmail.objects.filter(message_id="unique-123@umontreal.example").count() == 1
    assert JournalEntry.objects.filter(author_client__isnull=False).count() == 1


def test_a_message_without_message_id_is_recognised_by_its_content(comment_mail):
    _comment, sent = comment_mail
    raw = reply(sent, "Merci.")
    raw = b"\n".join(line for line in raw.split(b"\n") if not line.startswith(b"Message-ID:"))
    assert inbound_email_receive(raw=raw).status == "accepted"
    assert inbound_email_receive(raw=raw).status == "duplicate"
    assert InboundEmail.objects.get().message_id.startswith("sha256:")


def test_two_deliveries_at_the_same_instant_land_once(comment_mail, monkeypatch, settings):
    """Both pass the first check before either has written: the unique Message-ID keeps one,
    and the other's files are removed."""
    _comment, sent = comment_mail
    raw = reply(sent, "Merci.", attachments=[("plan.pdf", PDF, "application/pdf")])
    assert inbound_email_receive(raw=raw).status == "accepted"
    monkeypatch.setattr(inbound, "_already_received", lambda message_id: False)
    before = _rows()
    stored = sorted(p.name for p in (settings.MEDIA_ROOT / "journal").rglob("*") if p.is_file())
    # when
    result = inbound_email_receive(raw=raw)
    # then
    assert (result.status, result.reason) == ("duplicate", "received meanwhile")
    assert _rows() == before
    after = sorted(p.name for p in (settings.MEDIA_ROOT / "journal").rglob("*") if p.is_file())
    assert after == stored


def test_a_message_over_the_size_limit_is_refused(comment_mail, settings):
    settings.INBOUND_EMAIL_MAX_BYTES = 1000
    _comment, sent = comment_mail
    result = inbound_email_receive(raw=reply(sent, "x" * 2000))
    assert (result.status, result.reason) == ("refused", "too large")


def test_garbage_is_refused_without_error(comment_mail):
    for raw in (b"", b"\x00\xff\xfe garbage", b"Subject: =?utf-8?b?////?=\n\nhello"):
        assert inbound_email_receive(raw=raw).status in ("refused", "ignored")


def test_a_reply_keeps_what_the_requester_typed_as_text(comment_mail):
    _comment, sent = comment_mail
    result = inbound_email_receive(raw=reply(sent, "<script>alert(1)</script> & co"))
    assert result.entry.body == "<script>alert(1)</script> & co"
