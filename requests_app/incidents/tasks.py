"""Celery entry points of the SLA escalations: the sweep (beat) and the actions it queues."""

import random

from celery import shared_task
from django.db import transaction
from django.db.utils import InterfaceError, OperationalError
from django.utils import timezone

from ..sla import sweep
from . import escalation

# Errors worth another attempt: a deadlock, a serialization failure, a lock or statement
# timeout, a connection lost or refused (all OperationalError), a connection closed under the
# worker (InterfaceError). Anything else is a bug that a retry would only repeat.
RETRY_ON = (OperationalError, InterfaceError)
MAX_RETRIES = 10
RETRY_BASE_S = 5
RETRY_MAX_S = 600
# Ids per message when forgotten escalations are queued again: several workers share a backlog.
REQUEUE_MESSAGE_SIZE = 500


def retry_countdown(retries: int, *, rng: random.Random | None = None) -> float:
    """Seconds before attempt ``retries + 1``: 5, 10, 20 … up to 10 minutes, each between half
    and all of it at random, so that workers which failed together do not retry together."""
    ceiling = min(RETRY_MAX_S, RETRY_BASE_S * 2**retries)
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


def sweep_and_queue(*, now=None, batch_size: int = 5000) -> sweep.SweepResult:
    """Record the levels crossed, queue their actions after each batch commits, and queue again
    the escalations whose worker died before running them (each at most once per
    ``REQUEUE_AFTER``)."""
    now = now or timezone.now()
    result = sweep.sla_sweep(
        now=now, batch_size=batch_size, on_recorded=lambda ids: sla_escalations_execute.delay(ids)
    )
    # One statement, committed on its own: the messages leave once the stamps are committed.
    forgotten = sweep.escalations_requeue(now=now)
    for start in range(0, len(forgotten), REQUEUE_MESSAGE_SIZE):
        part = forgotten[start : start + REQUEUE_MESSAGE_SIZE]
        transaction.on_commit(lambda part=part: sla_escalations_execute.delay(part))
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
    max_retries=MAX_RETRIES,
)
def sla_escalations_execute(self, escalation_ids: list[int]) -> int:
    """Run the actions of recorded escalations, a small batch per transaction; each is claimed
    once, whatever the retries. A database error rolls back the batch it hit (the batches
    before it stay done) and the whole message is tried again later."""
    try:
        return escalation.escalations_execute(ids=escalation_ids)
    except RETRY_ON as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
