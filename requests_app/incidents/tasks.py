"""Celery entry points of the SLA escalations: the sweep (beat) and the actions it queues."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from ..sla import sweep
from . import escalation


def sweep_and_queue(*, now=None, batch_size: int = 5000) -> sweep.SweepResult:
    """Record the levels crossed, queue their actions after each batch commits, and queue again
    the escalations whose worker died before running them."""
    now = now or timezone.now()
    result = sweep.sla_sweep(
        now=now, batch_size=batch_size, on_recorded=lambda ids: sla_escalations_execute.delay(ids)
    )
    forgotten = sweep.escalations_forgotten(now)
    if forgotten:
        transaction.on_commit(lambda: sla_escalations_execute.delay(forgotten))
    return result


@shared_task(name="requests_app.tasks.sla_sweep_run", acks_late=True)
def sla_sweep_run() -> dict:
    """Beat entry point (every minute by default; the schedule is edited in the admin)."""
    result = sweep_and_queue()
    return {"examined": result.examined, "recorded": result.recorded}


@shared_task(
    name="requests_app.tasks.sla_escalations_execute",
    bind=True,
    acks_late=True,
    max_retries=10,
    default_retry_delay=30,
)
def sla_escalations_execute(self, escalation_ids: list[int]) -> int:
    """Run the actions of recorded escalations; each is claimed once, whatever the retries."""
    return escalation.escalations_execute(ids=escalation_ids)
