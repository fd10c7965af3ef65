"""A reply by e-mail, received from the IMAP mailbox (imap.py) or a mail server's pipe (the
``receive_email`` command): one service does the work for both.

A message lands in the thread of the request (and task) or the incident its reply address
names, as a comment by the requester, when:

- it is not one of ours come back (a loop: our header ``X-Guichet-Loop``, our own Message-ID,
  our own address as sender) nor written by a machine (an auto-reply, a bounce, a list:
  ``parsing.machine_reason``); those are ignored;
- its reply address (or the Message-ID it answers) carries a token signed here, not expired,
  for a comment that exists and whose request or incident is still for the client the token
  names, and the sender is that client's address (``INBOUND_EMAIL_REQUIRE_SENDER_MATCH``);
  otherwise it is refused.

Ignored and refused messages are logged and write nothing. A message delivered twice (the same
Message-ID; its content's hash when it has none) lands once: ``InboundEmail.message_id`` is
unique. What lands is the text above the quoted message, without the signature
(``parsing.reply_text``), and the attachments that pass the CRM's documents' checks (type read
from the content, size); the others are named to the agents. The request or incident is marked
as having an unread reply, its people are notified, and an incident awaiting its requester is
worked again.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contacts import documents
from crm.models import User
from crm.services import notifications_send
from crm.validation import TEXT_MAX_LENGTH
from tasks_app import chain

from ..incidents.models import Incident
from ..incidents.services import incident_requester_replied
from ..requests.models import JournalEntry, ServiceRequest
from . import parsing, tokens
from .models import InboundEmail, JournalAttachment

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboundResult:
    """What became of a message: ``accepted`` (``entry`` is the comment written),
    ``duplicate`` (it had landed already), ``ignored`` (a machine's or a loop) or ``refused``
    (no valid token); ``reason`` says why, for the log."""

    status: str
    reason: str = ""
    message_id: str = ""
    entry: JournalEntry | None = None
    refused_files: list = field(default_factory=list)

    @property
    def landed(self) -> bool:
        return self.status == "accepted"


def _outcome(status: str, reason: str, message_id: str, **extra) -> InboundResult:
    level = logging.WARNING if status == "refused" else logging.INFO
    logger.log(level, "inbound e-mail %s %s: %s", message_id, status, reason)
    return InboundResult(status=status, reason=reason, message_id=message_id, **extra)


def _already_received(message_id: str) -> bool:
    return InboundEmail.objects.filter(message_id=message_id).exists()


def _is_loop(message, message_id: str) -> bool:
    if parsing.header(message, parsing.LOOP_HEADER):
        return True
    parts = tokens.inbound_parts()
    ours = {
        address.lower()
        for address in (settings.INBOUND_EMAIL_ADDRESS, settings.DEFAULT_FROM_EMAIL)
        if address
    }
    ours = {parseaddr(address)[1] for address in ours}
    if parsing.sender(message) in ours:
        return True
    if parts is not None:
        left, _at, domain = message_id.lower().rpartition("@")
        if domain == parts[1] and tokens.TOKEN_PATTERN.match(left):
            return True
    return False


def _token_candidates(message, recipient: str) -> list[str]:
    """The tokens the message names: in the address it was delivered to, then in the
    Message-IDs it answers (ours carry the token too)."""
    found = []
    for address in [recipient, *parsing.recipients(message)]:
        token = tokens.token_from_address(address) if address else None
        if token and token not in found:
            found.append(token)
    parts = tokens.inbound_parts()
    if parts is not None:
        for referenced in parsing.referenced_ids(message):
            left, _at, domain = referenced.lower().rpartition("@")
            if domain == parts[1] and left not in found:
                found.append(left)
    return found


def _replied_to(candidates: list[str]) -> tuple[JournalEntry | None, str]:
    """The comment the first valid token names, or None and why none is valid."""
    reason = "no token"
    for candidate in candidates:
        try:
            token = tokens.read_token(candidate)
        except tokens.TokenError as error:
            reason = f"{error.reason} token"
            continue
        entry = (
            JournalEntry.objects.select_related(
                "author", "task", "request__requester", "incident__requester"
            )
            .filter(pk=token.entry_id, kind=JournalEntry.Kind.COMMENT)
            .first()
        )
        if entry is None:
            reason = "unknown token"
            continue
        subject_of = entry.incident if entry.incident_id else entry.request
        if subject_of is None or subject_of.requester_id != token.client_id:
            reason = "mismatched token"
            continue
        return entry, ""
    return None, reason


def _checked_files(message) -> tuple[list[tuple[ContentFile, documents.Sniffed]], list[dict]]:
    """The attachments the CRM's documents accept, and those refused with why."""
    kept, refused = [], []
    for attachment in parsing.attachments(message):
        name = documents.clean_file_name(attachment.name)
        if len(kept) >= settings.INBOUND_EMAIL_MAX_ATTACHMENTS:
            refused.append({"name": name, "reason": _("Too many attachments.")})
            continue
        file = ContentFile(attachment.content, name=name)
        try:
            sniffed = documents.check_file(file, name)
        except ValidationError as error:
            refused.append({"name": name, "reason": " ".join(error.messages)})
            continue
        file.name = documents.clean_file_name(name, sniffed.type)
        kept.append((file, sniffed))
    return kept, refused


def _people_to_tell(entry: JournalEntry, subject_of) -> list[User]:
    """The agent who wrote the comment replied to, and who works on the request (the task's
    or the open tasks' assignees, their groups while untaken) or the incident (its assignee,
    its group while untaken)."""
    people = [entry.author] if entry.author_id is not None else []
    if isinstance(subject_of, Incident):
        if subject_of.assignee_id is not None:
            people.append(subject_of.assignee)
        elif subject_of.assignment_group_id is not None:
            people += list(subject_of.assignment_group.members.all())
    elif entry.task_id is not None:
        people += chain.people_working_on(task=entry.task)
    else:
        people += chain.people_working_on(request=subject_of)
    requester_account = subject_of.requester.user_id
    return [person for person in people if person.pk != requester_account]


def inbound_email_receive(
    *, raw: bytes, recipient: str = "", now: datetime | None = None
) -> InboundResult:
    """Land one message (its RFC 822 bytes) in the thread its reply address names, or say why
    not. ``recipient``: the address the mail server delivered it to, when it says so (a pipe's
    argument); the message's own headers are read too."""
    now = now or timezone.now()
    if len(raw) > settings.INBOUND_EMAIL_MAX_BYTES:
        return _outcome("refused", "too large", "")
    message = parsing.parse(raw)
    message_id = parsing.message_id(message, raw)
    if _already_received(message_id):
        return _outcome("duplicate", "already received", message_id)
    if _is_loop(message, message_id):
        return _outcome("ignored", "loop", message_id)
    machine = parsing.machine_reason(message)
    if machine is not None:
        return _outcome("ignored", machine, message_id)
    replied_to, reason = _replied_to(_token_candidates(message, recipient))
    if replied_to is None:
        return _outcome("refused", reason, message_id)
    subject_of = replied_to.incident if replied_to.incident_id else replied_to.request
    client = subject_of.requester
    sender = parsing.sender(message)
    if settings.INBOUND_EMAIL_REQUIRE_SENDER_MATCH and sender != (client.email or "").lower():
        return _outcome("refused", "sender is not the requester", message_id)
    languages = tuple(dict.fromkeys([client.language, "fr", "en"]))
    text = parsing.reply_text(parsing.body_text(message), languages=languages)
    with translation.override(settings.LANGUAGE_CODE):
        files, refused_files = _checked_files(message)
    if not text and not files:
        return _outcome("ignored", "empty", message_id, refused_files=refused_files)
    if not text:
        with translation.override(settings.LANGUAGE_CODE):
            text = _("(Attachments sent by e-mail, without a message.)")
    if len(text) > TEXT_MAX_LENGTH:
        text = text[: TEXT_MAX_LENGTH - 1] + "…"
    stored: list[str] = []
    try:
        with transaction.atomic():
            entry = _land(
                replied_to=replied_to,
                subject_of=subject_of,
                client=client,
                text=text,
                files=files,
                stored=stored,
                now=now,
            )
            InboundEmail.objects.create(
                message_id=message_id,
                entry=entry,
                sender=sender[:255],
                subject=parsing.subject(message),
                refused_files=refused_files,
            )
            with translation.override(settings.LANGUAGE_CODE):
                _tell_agents(
                    entry=replied_to, subject_of=subject_of, text=text, refused=refused_files
                )
    except IntegrityError:
        _delete_files(stored)
        if not InboundEmail.objects.filter(message_id=message_id).exists():
            raise
        # Delivered twice at the same instant: the other delivery landed it.
        return _outcome("duplicate", "received meanwhile", message_id)
    except Exception:
        _delete_files(stored)
        raise
    return _outcome(
        "accepted",
        f"comment {entry.pk} on {subject_of.number}",
        message_id,
        entry=entry,
        refused_files=refused_files,
    )


def _land(*, replied_to, subject_of, client, text, files, stored, now) -> JournalEntry:
    """Write the comment, its files and the unread mark, under the lock of its request or
    incident."""
    model = Incident if isinstance(subject_of, Incident) else ServiceRequest
    locked = model.objects.select_for_update(of=("self",)).get(pk=subject_of.pk)
    account = client.user if client.user_id and client.user.is_active else None
    entry = JournalEntry.objects.create(
        request_id=replied_to.request_id,
        task_id=replied_to.task_id,
        incident_id=replied_to.incident_id,
        kind=JournalEntry.Kind.COMMENT,
        author=account,
        author_client=client,
        body=text,
        attachment_count=len(files),
    )
    for file, sniffed in files:
        attachment = JournalAttachment(
            entry=entry,
            original_name=file.name,
            content_type=sniffed.content_type,
            size=file.size,
        )
        attachment.file.save(file.name, file, save=False)
        stored.append(attachment.file.name)
        attachment.save()
    if model is Incident:
        incident_requester_replied(incident=locked, by=account, now=now)
    # After the incident's own save (which would write back the mark it read).
    model.objects.filter(pk=locked.pk).update(unread_reply_at=now)
    return entry


def _tell_agents(*, entry: JournalEntry, subject_of, text: str, refused: list[dict]) -> None:
    people = _people_to_tell(entry, subject_of)
    if not people:
        return
    body = text if len(text) <= 500 else text[:499] + "…"
    if refused:
        names = ", ".join(item["name"] for item in refused)
        body += "\n" + _("Attachments left out: %(names)s") % {"names": names}
    notifications_send(
        recipients=people,
        title=_("%(requester)s replied by e-mail on %(number)s")
        % {"requester": subject_of.requester, "number": subject_of.number},
        body=body,
        url=subject_of.get_absolute_url() + "#journal",
    )


def _delete_files(names: list[str]) -> None:
    storage = JournalAttachment._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:  # pragma: no cover - logged, the row is gone anyway
            logger.warning("could not delete %s", name)
