"""An agent's comment, mailed to the requester: built in the worker from the entry's id, in the
requester's language, with the request's or the incident's number in the subject and a reply
address that carries a signed token (tokens.py)."""

from email.utils import formataddr, make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.template import loader
from django.urls import reverse
from django.utils import translation

from ..requests.models import JournalEntry
from . import tokens
from .parsing import LOOP_HEADER


def should_mail(entry: JournalEntry, requester) -> bool:
    """An agent's comment (never a work note, never the requester's own words) is mailed when
    the channel is on and the requester has an address."""
    return (
        settings.MAIL_CHANNEL_ENABLED
        and entry.kind == JournalEntry.Kind.COMMENT
        and bool(requester.email)
    )


def _subject_of(entry: JournalEntry):
    return entry.incident if entry.incident_id else entry.request


def _portal_url(entry: JournalEntry, requester) -> str:
    """The page of the request on the portal, for a requester with an account."""
    if not settings.SITE_URL or requester.user_id is None or entry.incident_id:
        return ""
    path = reverse("portal:my_request_detail", args=[entry.request_id])
    return settings.SITE_URL.rstrip("/") + path


def comment_message(entry: JournalEntry) -> EmailMessage | None:
    """The mail of one comment, or None when its requester has no address any more."""
    subject_of = _subject_of(entry)
    requester = subject_of.requester
    if not requester.email:
        return None
    token = tokens.make_token(entry_id=entry.pk, client_id=requester.pk)
    reply_to = tokens.reply_address(token)
    parts = tokens.inbound_parts()
    # Our Message-ID carries the token too: a reply whose reply address was lost (forwarded,
    # rewritten by a list) still names it in In-Reply-To.
    message_id = f"<{token}@{parts[1]}>" if parts else make_msgid("guichet")
    context = {
        "entry": entry,
        "number": subject_of.number,
        "title": subject_of.title,
        "is_incident": bool(entry.incident_id),
        "requester": requester,
        "author": entry.author_name,
        "can_reply": reply_to is not None,
        "portal_url": _portal_url(entry, requester),
    }
    with translation.override(requester.language or settings.LANGUAGE_CODE):
        subject = loader.render_to_string("requests_app/mail/comment_subject.txt", context)
        body = loader.render_to_string("requests_app/mail/comment_body.txt", context)
    headers = {
        "Message-ID": message_id,
        LOOP_HEADER: settings.INBOUND_EMAIL_ADDRESS or "guichet",
        # Exchange and Outlook send no out-of-office answer to a mail that says so.
        "X-Auto-Response-Suppress": "OOF, AutoReply",
    }
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((str(requester), requester.email))],
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
    )
