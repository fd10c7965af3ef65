"""Write use-cases of the core: notifications and personal preferences."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Notification, User
from .tasks import notifications_send_email
from .workflow import save_recorded


def _valid_language(language: str) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


@transaction.atomic
def notifications_send(
    *, recipients: Iterable[User], title: str, body: str = "", url: str = "", email: bool = True
) -> list[Notification]:
    """Create one in-app notification per recipient; e-mail each after commit.

    Duplicated recipients are notified once.
    """
    unique = {user.pk: user for user in recipients if user.is_active}
    created = Notification.objects.bulk_create(
        [Notification(recipient=user, title=title, body=body, url=url) for user in unique.values()]
    )
    if email:
        ids = [n.pk for n in created if n.recipient.email]
        if ids:
            transaction.on_commit(lambda: notifications_send_email.delay(ids))
    return created


def notification_send(
    *, recipient: User, title: str, body: str = "", url: str = "", email: bool = True
) -> Notification:
    return notifications_send(recipients=[recipient], title=title, body=body, url=url, email=email)[
        0
    ]


def notification_mark_read(*, notification: Notification, by: User) -> Notification:
    if notification.recipient_id != by.pk:
        raise PermissionError("A notification can only be read by its recipient.")
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).update(read_at=timezone.now())


@transaction.atomic
def user_set_language(*, user: User, language: str) -> str:
    """Remember the user's language; an unknown code falls back to French."""
    language = _valid_language(language)
    if user.is_authenticated and user.language != language:
        user.language = language
        save_recorded(user, by=user, reason="language_changed", update_fields=["language"])
    return language


@transaction.atomic
def user_set_display(*, user: User, theme: str | None = None, density: str | None = None) -> User:
    fields = []
    if theme in User.Theme.values and theme != user.theme:
        user.theme = theme
        fields.append("theme")
    if density in User.Density.values and density != user.density:
        user.density = density
        fields.append("density")
    if fields:
        user.save(update_fields=fields)
    return user
