"""Replies read from an IMAP mailbox, polled by Celery beat (``inbound_email_poll``, every
minute, *Inbound e-mail* under Periodic tasks in the admin).

Settings, from the environment: ``IMAP_HOST`` (nothing is polled without it), ``IMAP_PORT``,
``IMAP_USER``, ``IMAP_PASSWORD``, ``IMAP_FOLDER`` (INBOX), ``IMAP_SSL`` (implicit TLS, on by
default), ``IMAP_STARTTLS``, ``IMAP_PROCESSED_FOLDER`` (where handled messages are moved; left
in place, marked seen, when empty), ``IMAP_BATCH_SIZE`` and ``IMAP_TIMEOUT``.

Each unseen message is read without marking it (``BODY.PEEK[]``) and handed to
``inbound_email_receive``; once handled (landed, duplicate, ignored or refused) it is marked
seen, or moved. A message whose handling failed (the database was away) stays unseen and is
read again at the next poll; one delivered twice lands once all the same.
"""

import contextlib
import imaplib
import logging
import ssl
from collections import Counter

from django.conf import settings
from django.core.cache import cache

from .inbound import inbound_email_receive

logger = logging.getLogger(__name__)

LOCK_KEY = "requests_app:mail:imap-poll"


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _connect() -> imaplib.IMAP4:
    timeout = settings.IMAP_TIMEOUT
    if settings.IMAP_SSL:
        connection = imaplib.IMAP4_SSL(
            settings.IMAP_HOST,
            settings.IMAP_PORT,
            ssl_context=ssl.create_default_context(),
            timeout=timeout,
        )
    else:
        connection = imaplib.IMAP4(settings.IMAP_HOST, settings.IMAP_PORT, timeout=timeout)
        if settings.IMAP_STARTTLS:
            connection.starttls(ssl_context=ssl.create_default_context())
    connection.login(settings.IMAP_USER, settings.IMAP_PASSWORD)
    return connection


def _raw(fetched) -> bytes | None:
    for item in fetched or []:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def imap_poll(*, batch_size: int | None = None) -> dict[str, int]:
    """Read the unseen messages of the mailbox (at most ``IMAP_BATCH_SIZE``) once; the count of
    each outcome. Two polls never run at once (a lock in the cache)."""
    if not settings.IMAP_HOST:
        return {}
    if not cache.add(LOCK_KEY, 1, timeout=max(settings.IMAP_TIMEOUT * 4, 60)):
        return {"locked": 1}
    counts: Counter = Counter()
    try:
        connection = _connect()
        try:
            status, _data = connection.select(_quoted(settings.IMAP_FOLDER))
            if status != "OK":
                raise imaplib.IMAP4.error(f"cannot select {settings.IMAP_FOLDER}")
            status, data = connection.uid("SEARCH", None, "UNSEEN")
            uids = (data[0] or b"").split() if status == "OK" and data else []
            moved = False
            for uid in uids[: batch_size or settings.IMAP_BATCH_SIZE]:
                status, fetched = connection.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = _raw(fetched) if status == "OK" else None
                if raw is None:
                    counts["unreadable"] += 1
                    continue
                try:
                    result = inbound_email_receive(raw=raw)
                except Exception:
                    # Left unseen: read again at the next poll.
                    logger.exception("inbound e-mail %s could not be handled", uid)
                    counts["failed"] += 1
                    continue
                counts[result.status] += 1
                if settings.IMAP_PROCESSED_FOLDER:
                    copied, _ = connection.uid("COPY", uid, _quoted(settings.IMAP_PROCESSED_FOLDER))
                    if copied == "OK":
                        connection.uid("STORE", uid, "+FLAGS", "(\\Seen \\Deleted)")
                        moved = True
                        continue
                connection.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            if moved:
                connection.expunge()
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                connection.logout()
    finally:
        cache.delete(LOCK_KEY)
    return dict(counts)
