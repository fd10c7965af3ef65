"""Reads of the e-mail channel for the pages that show a thread."""

from collections.abc import Iterable

from django.db.models import prefetch_related_objects


def with_attachments(entries: Iterable) -> list:
    """``entries`` (journal entries already read), with the attachments of those that have
    some read in one query; none when no entry has any."""
    entries = list(entries)
    prefetch_related_objects([e for e in entries if e.attachment_count], "attachments")
    return entries
