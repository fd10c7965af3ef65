"""Two steps every write service repeats: run a state-machine transition, and save with the
history's author and reason."""

from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from .errors import DomainError


def transition(obj, name: str, **kwargs) -> None:
    """Call the django-fsm transition ``name``; a refusal becomes a message for the person."""
    try:
        getattr(obj, name)(**kwargs)
    except TransitionNotAllowed as exc:
        raise DomainError(
            _("This action is not possible while the status is “%(status)s”.")
            % {"status": obj.get_status_display()}
        ) from exc


def save_recorded(obj, *, by, reason: str = "") -> None:
    """Save ``obj``; its history row names ``by`` (None: the system) and the reason."""
    obj._history_user = by
    if reason:
        obj._change_reason = reason
    obj.save()
