"""Logging filters named in settings.LOGGING."""

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    """A 403 is an expected answer, not a fault: keep Django's one-line warning, drop the traceback.

    Django logs ``PermissionDenied`` on ``django.request`` with the exception attached, which
    handlers print as a full traceback for every refused click.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
