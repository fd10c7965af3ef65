"""Two steps every write service repeats: run a state-machine transition, and save with the
history's author, reason code and free text."""

from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from .errors import DomainError
from .history import ChangeReason


def transition(obj, name: str, **kwargs) -> None:
    """Call the django-fsm transition ``name``; a refusal becomes a message for the person."""
    try:
        getattr(obj, name)(**kwargs)
    except TransitionNotAllowed as exc:
        raise DomainError(
            _("This action is not possible while the status is “%(status)s”.")
            % {"status": obj.get_status_display()}
        ) from exc


def save_recorded(obj, *, by, reason: str, note: str = "", **save_kwargs) -> None:
    """Save ``obj``; its history row names ``by`` (None: the system), the reason code (one of
    ``ChangeReason``) and the free text a person typed, if any."""
    if reason not in ChangeReason.values:
        raise ValueError(f"Unknown history reason code {reason!r}")
    obj._history_user = by
    obj._reason_code = reason
    obj._change_reason = note.strip()
    try:
        obj.save(**save_kwargs)
    finally:
        # The next save of the same object must not inherit this one's reason.
        del obj._reason_code, obj._change_reason
