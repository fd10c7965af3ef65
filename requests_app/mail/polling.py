"""Celery beat's entry point of the inbound mail (kept apart from tasks.py, which the services
that write comments import: this one reaches them through the inbound service)."""

import imaplib
import logging

from celery import shared_task

from . import imap

logger = logging.getLogger(__name__)


@shared_task(name="requests_app.tasks.inbound_email_poll", acks_late=True)
def inbound_email_poll() -> dict:
    """Beat entry point (every minute by default; the schedule is edited in the admin). A
    mailbox out of reach is logged and tried again at the next beat."""
    try:
        return imap.imap_poll()
    except (imaplib.IMAP4.error, OSError) as exc:
        logger.warning("the inbound mailbox could not be read: %s", exc)
        return {"error": 1}
