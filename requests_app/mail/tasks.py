"""Celery entry point of the outbound mail: a comment mailed to its requester."""

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from ..requests.models import JournalEntry
from . import outbound

logger = logging.getLogger(__name__)


def comment_email_schedule(entry: JournalEntry) -> None:
    """Mail ``entry`` once the transaction that wrote it commits (nothing if it rolls back)."""
    entry_id = entry.pk
    transaction.on_commit(lambda: comment_email_send.delay(entry_id))


@shared_task(
    name="requests_app.tasks.comment_email_send",
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def comment_email_send(self, entry_id: int) -> str | None:
    """Mail one comment, at most once: the entry is claimed with a conditional update, and
    the claim released when the mail server fails, so that the retry sends it."""
    claimed = JournalEntry.objects.filter(
        pk=entry_id, kind=JournalEntry.Kind.COMMENT, emailed_at=None
    ).update(emailed_at=timezone.now())
    if not claimed:
        return None
    entry = JournalEntry.objects.select_related(
        "author", "request__requester", "incident__requester"
    ).get(pk=entry_id)
    message = outbound.comment_message(entry)
    if message is None:
        return None
    try:
        message.send()
    except OSError:
        JournalEntry.objects.filter(pk=entry_id).update(emailed_at=None)
        raise
    logger.info("comment %s mailed to its requester", entry_id)
    return message.to[0]
