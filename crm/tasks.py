import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation

from . import mail
from .models import Notification, User
from .retention import notifications_purge as purge_notifications

logger = logging.getLogger(__name__)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_send_email(self, notification_id: int) -> str | None:
    """Mail one notification, at most once: the row is claimed with a conditional update."""
    return _mail_notification(notification_id)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notifications_send_email(self, notification_ids: list[int]) -> list[str]:
    """Mail the notifications of one action (one message on the broker for all its recipients:
    publishing costs the web process more than the mail costs the worker), each at most once as
    above: a retry after a failed mail sends only those not sent yet."""
    sent = []
    for notification_id in notification_ids:
        email = _mail_notification(notification_id)
        if email is not None:
            sent.append(email)
    return sent


def _mail_notification(notification_id: int) -> str | None:
    claimed = Notification.objects.filter(pk=notification_id, emailed_at=None).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return None
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    recipient = notification.recipient
    try:
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            send_mail(
                subject=f"[Guichet] {notification.title}",
                message=notification.body or notification.title,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[recipient.email],
            )
    except OSError:
        # Release the claim so the retry can send it.
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
    return recipient.email


@shared_task
def notifications_purge() -> int:
    """Celery beat, daily (*Notification retention* under Periodic tasks in the admin)."""
    return purge_notifications()


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def password_reset_mail_send(self, user_id: int, **message) -> str | None:
    """Mail a password-reset link to an account that may still reset its password.

    ``message`` holds the rest of ``mail.password_reset_message``'s arguments (strings). An SMTP
    error (an ``OSError``) is retried with a growing delay.
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return None
    mail.password_reset_message(user=user, **message).send()
    return user.email
