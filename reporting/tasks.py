"""Celery entry points of reporting, thin: the refresh of the dashboards' summary tables
(summaries.py) and the scheduled reports (schedules.py), both run by beat."""

from celery import shared_task
from django.db.utils import InterfaceError, OperationalError

from . import schedules, summaries

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


@shared_task
def scheduled_reports_run() -> int:
    """Celery beat, hourly (*Scheduled reports* under Periodic tasks in the admin): queue the
    deliveries the subscriptions owe."""
    due = schedules.deliveries_due()
    for delivery_id in due:
        scheduled_report_send.delay(delivery_id)
    return len(due)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def scheduled_report_send(self, delivery_id: int) -> int | None:
    """Send one delivery, once (``schedules.delivery_send`` claims it); an SMTP error (an
    ``OSError``) is retried with a growing delay."""
    return schedules.delivery_send(delivery_id=delivery_id)
