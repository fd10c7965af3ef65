"""Two steps every write service repeats: run a state-machine transition, and save with the
history's author, reason code and free text. Also the base of models whose status changes only
through transitions, and the graph of legal moves read from a state machine."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django_fsm import FSMFieldMixin, TransitionNotAllowed

from .errors import DomainError
from .history import check_reason


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
    obj._history_user = by
    obj._reason_code = check_reason(reason)
    obj._change_reason = note.strip()
    try:
        obj.save(**save_kwargs)
    finally:
        # The next save of the same object must not inherit this one's reason.
        del obj._reason_code, obj._change_reason


def transition_graph(model, field: str = "status") -> dict[tuple[str, str], str]:
    """``{(source, target): transition name}`` of a model's state machine, read from its
    django-fsm transitions, so that pages drawing the legal moves never copy them by hand."""
    graph = {}
    for item in model._meta.get_field(field).get_all_transitions(model):
        if item.target is not None and item.source not in ("*", "+"):
            graph[(str(item.source), str(item.target))] = item.name
    return graph


class ProtectedStateModel(models.Model):
    """Base of the models whose ``FSMField(protected=True)`` changes only through transitions.

    django-fsm refuses to set a protected field that is already loaded, which Django itself
    does in ``refresh_from_db`` and ``full_clean``. Its ``FSMModelMixin`` switches the
    protection off on the (shared) field while it reloads, which another thread would see; here
    the one instance forgets its loaded state before a reload, and validation checks the state
    without writing it back.
    """

    class Meta:
        abstract = True

    @classmethod
    def _protected_states(cls) -> list:
        return [
            f for f in cls._meta.concrete_fields if isinstance(f, FSMFieldMixin) and f.protected
        ]

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        states = {f.attname for f in self._protected_states() if f.attname in self.__dict__}
        if fields is not None:
            states &= set(fields)
        for name in states:
            del self.__dict__[name]
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        # Forgotten states look deferred to a full reload, which skips them: load them now.
        missing = [name for name in states if name not in self.__dict__]
        if missing:
            super().refresh_from_db(using=using, fields=missing, from_queryset=from_queryset)

    def clean_fields(self, exclude=None):
        exclude = set(exclude or ())
        errors = {}
        for field in self._protected_states():
            if field.name in exclude:
                continue
            exclude.add(field.name)
            try:
                field.clean(getattr(self, field.attname), self)
            except ValidationError as error:
                errors[field.name] = error.error_list
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = {**error.error_dict, **errors}
        if errors:
            raise ValidationError(errors)
