"""Celery entry points of reporting: thin, they call schedules.py."""

from celery import shared_task

from . import schedules


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
