"""How long Guichet keeps what it no longer needs: read notifications.

A service like those of ``services``, apart so that the Celery task that runs it
(``tasks.notifications_purge``) and ``services``, which queues mails through ``tasks``, do not
import each other.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Notification


def notifications_purge(*, now: datetime | None = None, batch_size: int = 5000) -> int:
    """Delete the read notifications created more than ``NOTIFICATION_RETENTION_DAYS`` ago, in
    batches of ``batch_size`` (each its own short transaction), oldest first; unread ones stay
    whatever their age. Returns how many were deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    deleted, floor = 0, None
    while True:
        old = Notification.objects.filter(created_at__lt=cutoff, read_at__isnull=False)
        if floor is not None:
            # Forward along the created_at index: the unread rows already passed are not read
            # again by every batch.
            old = old.filter(created_at__gte=floor)
        batch = list(old.order_by("created_at").values_list("pk", "created_at")[:batch_size])
        if not batch:
            return deleted
        with transaction.atomic():
            deleted += Notification.objects.filter(pk__in=[pk for pk, _at in batch]).delete()[0]
        floor = batch[-1][1]
