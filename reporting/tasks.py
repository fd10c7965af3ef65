"""Celery entry points of reporting: the refresh of the dashboards' summary tables (beat)."""

from celery import shared_task
from django.db.utils import InterfaceError, OperationalError

from . import summaries

RETRY_ON = (OperationalError, InterfaceError)


@shared_task(name="reporting.tasks.summaries_refresh_run", bind=True, acks_late=True, max_retries=5)
def summaries_refresh_run(self, full: bool = False) -> dict:
    """Beat entry point: every five minutes the changes since the last run, every night at
    02:30 every day again (both schedules are edited in the admin). A run that finds another
    one holding the lock returns at once: the other brings the tables up to date."""
    try:
        result = summaries.summaries_refresh(full=full)
    except RETRY_ON as exc:
        raise self.retry(exc=exc, countdown=30 * (self.request.retries + 1)) from exc
    return {"ran": result.ran, "full": result.full, "rows": result.rows, "days": result.days}
