"""What every history row says besides its field changes: a reason code, a choice translated
when shown ("taken", "all tasks done"…), and, separately, the free text a person typed.

django-simple-history keeps the free text in ``history_change_reason``; the code is the
``history_reason_code`` column that ``HistoryReasonBase`` adds to every historical model.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record


class ChangeReason(models.TextChoices):
    CREATED = "created", pgettext_lazy("history reason", "created")
    EDITED = "edited", pgettext_lazy("history reason", "edited")
    SUBMITTED = "submitted", pgettext_lazy("history reason", "submitted")
    TAKEN = "taken", pgettext_lazy("history reason", "taken")
    ASSIGNED = "assigned", pgettext_lazy("history reason", "assigned")
    STARTED = "started", pgettext_lazy("history reason", "started")
    WORK_STARTED = "work_started", pgettext_lazy("history reason", "work started")
    ON_HOLD = "on_hold", pgettext_lazy("history reason", "put on hold")
    RESUMED = "resumed", pgettext_lazy("history reason", "resumed")
    CLOSED = "closed", pgettext_lazy("history reason", "closed")
    CANCELLED = "cancelled", pgettext_lazy("history reason", "cancelled")
    REQUEST_CANCELLED = "request_cancelled", pgettext_lazy("history reason", "request cancelled")
    PARENT_CANCELLED = "parent_cancelled", pgettext_lazy("history reason", "parent task cancelled")
    REOPENED = "reopened", pgettext_lazy("history reason", "reopened")
    RESOLVED = "resolved", pgettext_lazy("history reason", "resolved")
    PREREQUISITES_DONE = "prerequisites_done", pgettext_lazy("history reason", "prerequisites done")
    ALL_TASKS_DONE = "all_tasks_done", pgettext_lazy("history reason", "all tasks done")
    SUPPORT_TASK_CREATED = (
        "support_task_created",
        pgettext_lazy("history reason", "support task created"),
    )
    AWAITING_REQUESTER = (
        "awaiting_requester",
        pgettext_lazy("history reason", "awaiting the requester"),
    )
    REQUESTER_REPLIED = (
        "requester_replied",
        pgettext_lazy("history reason", "the requester replied"),
    )
    FIRST_RESPONSE = "first_response", pgettext_lazy("history reason", "first response")
    PRIORITY_CHANGED = "priority_changed", pgettext_lazy("history reason", "priority changed")
    ESCALATED = "escalated", pgettext_lazy("history reason", "escalated")
    CLOCK_STARTED = "clock_started", pgettext_lazy("history reason", "clock started")
    CLOCK_PAUSED = "clock_paused", pgettext_lazy("history reason", "clock paused")
    CLOCK_RESUMED = "clock_resumed", pgettext_lazy("history reason", "clock resumed")
    CLOCK_STOPPED = "clock_stopped", pgettext_lazy("history reason", "clock stopped")
    CLOCK_RESTARTED = "clock_restarted", pgettext_lazy("history reason", "clock restarted")
    POLICY_CHANGED = "policy_changed", pgettext_lazy("history reason", "SLA policy changed")
    LANGUAGE_CHANGED = "language_changed", pgettext_lazy("history reason", "language changed")
    IMPORTED = "imported", pgettext_lazy("history reason", "imported")
    MERGED = "merged", pgettext_lazy("history reason", "merged")
    PORTAL_ACCOUNT_LINKED = (
        "portal_account_linked",
        pgettext_lazy("history reason", "portal account linked"),
    )


class HistoryReasonBase(models.Model):
    """Abstract base of every historical model: ``HistoricalRecords(bases=[HistoryReasonBase])``."""

    history_reason_code = models.CharField(_("reason"), max_length=32, blank=True, default="")

    class Meta:
        abstract = True


def check_reason(code: str) -> str:
    """``code`` if it is one of ``ChangeReason``; a ValueError (a programming error) if not."""
    if code not in ChangeReason.values:
        raise ValueError(f"Unknown history reason code {code!r}")
    return code


def reason_label(code: str) -> str:
    """The translated label of a code; an unknown (older) code is shown as it is."""
    return str(ChangeReason(code).label) if code in _REASON_CODES else code


# ``ChangeReason.values`` builds its list again at every call; a history reads it per row.
_REASON_CODES = frozenset(ChangeReason.values)


def _copy_reason_code(sender, instance, history_instance, **kwargs):
    # Not business flow: it only carries the code set by crm.workflow.save_recorded onto the row
    # django-simple-history is about to write.
    if hasattr(history_instance, "history_reason_code"):
        history_instance.history_reason_code = getattr(instance, "_reason_code", "") or ""


def connect() -> None:
    pre_create_historical_record.connect(_copy_reason_code, dispatch_uid="crm.history.reason")


def history_records(
    *, translated: tuple[str, ...] = (), excluded_fields: list[str] | None = None, **kwargs
) -> HistoricalRecords:
    """``HistoricalRecords`` whose rows carry a reason code; every model with history uses it.

    ``translated`` names the fields django-modeltranslation doubles per language: the history
    tracks their main column (the French text) and leaves the per-language columns out, which
    modeltranslation adds after the historical model is built.
    """
    excluded = list(excluded_fields or [])
    excluded += [f"{name}_{code}" for name in translated for code, _label in settings.LANGUAGES]
    return HistoricalRecords(bases=[HistoryReasonBase], excluded_fields=excluded, **kwargs)


# Reasons written as plain text before reason codes existed, and their codes.
LEGACY_REASONS = {
    "created": "created",
    "submitted": "submitted",
    "taken": "taken",
    "assigned": "assigned",
    "started": "started",
    "work started": "work_started",
    "on hold": "on_hold",
    "resumed": "resumed",
    "closed": "closed",
    "cancelled": "cancelled",
    "request cancelled": "request_cancelled",
    "parent cancelled": "parent_cancelled",
    "reopened": "reopened",
    "prerequisites done": "prerequisites_done",
    "all tasks done": "all_tasks_done",
    "support task created": "support_task_created",
    "first response": "first_response",
    "requester replied": "requester_replied",
    "priority changed": "priority_changed",
    "paused": "clock_paused",
    "stopped": "clock_stopped",
    "restarted": "clock_restarted",
    "policy changed": "policy_changed",
    "language changed": "language_changed",
    "course grid import": "imported",
    "portal account linked": "portal_account_linked",
    "portal account": "portal_account_linked",
}

# The reason code of a state-machine transition, by the transition's name.
TRANSITION_REASONS = {
    "start": "started",
    "await_requester": "awaiting_requester",
    "requester_replied": "requester_replied",
    "resolve": "resolved",
    "reopen": "reopened",
    "close": "closed",
}
# Before reason codes, incident transitions were recorded under their names.
LEGACY_REASONS.update(TRANSITION_REASONS)


def legacy_reasons_to_codes(apps, historical_models: list[str]) -> None:
    """Data migration step: rows whose free text is a former reason get its code instead."""
    for label in historical_models:
        model = apps.get_model(label)
        for text, code in LEGACY_REASONS.items():
            model.objects.filter(history_change_reason=text).update(
                history_reason_code=code, history_change_reason=""
            )
