"""Reads of the core, each at a constant number of queries."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, models
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from kombu import Connection

from .history import reason_label
from .models import AssignmentGroup, Notification, User
from .pagination import UNREAD_COUNT_CAP, capped_count

BROKER_TIMEOUT = 2  # seconds


def readiness_problems() -> list[str]:
    """What keeps Guichet from serving: an empty list when the database and the broker answer."""
    problems = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        problems.append("database")
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            connect_timeout=BROKER_TIMEOUT,
            transport_options=getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
        ) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT)
    except Exception:  # noqa: BLE001 - any failure of the broker means "not ready"
        problems.append("broker")
    return problems


def notification_unread_count(*, user: User) -> int:
    """Unread notifications, up to ``UNREAD_COUNT_CAP + 1`` (the bell shows "99+")."""
    return capped_count(Notification.objects.filter(recipient=user, read_at=None), UNREAD_COUNT_CAP)


def notification_list(*, user: User, unread_only: bool = False, limit: int = 50):
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at=None)
    return list(qs.order_by("-created_at", "-pk")[:limit])


def assignment_groups_of(*, user: User):
    """The user's active groups, each with its whole membership count.

    The count is a subquery: counting through the join that filters on ``members=user`` would
    only ever see that one member.
    """
    Membership = AssignmentGroup.members.through
    member_count = (
        Membership.objects.filter(assignmentgroup=OuterRef("pk"))
        .order_by()
        .values("assignmentgroup")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        AssignmentGroup.objects.filter(members=user, is_active=True)
        .select_related("lead")
        .annotate(member_count=Coalesce(Subquery(member_count, output_field=IntegerField()), 0))
        .order_by("name")
    )


def assignment_group_detail(*, pk: int) -> AssignmentGroup:
    return (
        AssignmentGroup.objects.select_related("lead", "escalation_group")
        .prefetch_related(Prefetch("members", queryset=User.objects.order_by("last_name")))
        .get(pk=pk)
    )


@dataclass
class FieldChange:
    name: str
    field: str
    old: Any
    new: Any


# Turns a field's old and new values into (label, old, new) rows; see ``record_history``.
Expander = Callable[[Any, Any], list[tuple[str, Any, Any]]]


@dataclass
class HistoryEntry:
    when: Any
    who: Any
    kind: str
    reason: str
    note: str = ""
    changes: list[FieldChange] = field(default_factory=list)


def _display(model_field, value, related: dict) -> Any:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(model_field, models.ForeignKey):
        return related.get((model_field.related_model, value), value)
    if model_field is not None and model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if isinstance(value, list):  # many-to-many: list of through-row dicts
        return value
    return value


def record_history(
    obj, *, limit: int = 200, expand: Mapping[str, Expander] | None = None
) -> list[HistoryEntry]:
    """The ``limit`` newest recorded changes of ``obj``, newest first: who, when, why (a reason
    code, translated, and the free text typed), which field, old and new value.

    Foreign keys are shown by name, resolved with one query per related model; choices by their
    label. ``expand`` names fields (a JSON field of answers, say) whose change is shown as
    several rows: ``expand[name](old, new)`` gives ``(label, old, new)`` for each.
    """
    expand = expand or {}
    # The newest ``limit`` rows, plus the one before them to diff the oldest shown against.
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    records.reverse()
    shown_from = max(0, len(records) - limit)
    model = type(obj)
    entries: list[HistoryEntry] = []
    raw: list[tuple[Any, list]] = []
    wanted: dict[type, set] = {}
    previous = None
    for record in records:
        deltas = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                model_field = _model_field(model, change.field)
                deltas.append((model_field, change))
                if isinstance(model_field, models.ForeignKey):
                    for value in (change.old, change.new):
                        if value is not None:
                            wanted.setdefault(model_field.related_model, set()).add(value)
                elif isinstance(model_field, models.ManyToManyField):
                    for value in (change.old or []) + (change.new or []):
                        target_id = value.get(model_field.m2m_reverse_field_name())
                        if target_id is not None:
                            wanted.setdefault(model_field.related_model, set()).add(target_id)
        raw.append((record, deltas))
        previous = record
    related = {
        (related_model, pk): str(instance)
        for related_model, pks in wanted.items()
        for pk, instance in related_model._default_manager.in_bulk(pks).items()
    }
    kinds = {"+": "created", "~": "changed", "-": "deleted"}
    for record, deltas in raw[shown_from:]:
        changes = []
        for model_field, change in deltas:
            if isinstance(model_field, models.ManyToManyField):
                key = model_field.m2m_reverse_field_name()
                old_ids = {row.get(key) for row in change.old or []}
                new_ids = {row.get(key) for row in change.new or []}
                old = sorted(str(related.get((model_field.related_model, i), i)) for i in old_ids)
                new = sorted(str(related.get((model_field.related_model, i), i)) for i in new_ids)
                changes.append(
                    FieldChange(
                        model_field.name,
                        str(model_field.verbose_name),
                        ", ".join(old) or "—",
                        ", ".join(new) or "—",
                    )
                )
                continue
            if change.field in expand:
                changes.extend(
                    FieldChange(change.field, label, old, new)
                    for label, old, new in expand[change.field](change.old, change.new)
                )
                continue
            label = str(model_field.verbose_name) if model_field else change.field
            changes.append(
                FieldChange(
                    change.field,
                    label,
                    _display(model_field, change.old, related),
                    _display(model_field, change.new, related),
                )
            )
        if record.history_type == "~" and not changes:
            continue  # a save that changed nothing
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                kind=kinds.get(record.history_type, "changed"),
                reason=reason_label(getattr(record, "history_reason_code", "")),
                note=record.history_change_reason or "",
                changes=changes,
            )
        )
    entries.reverse()
    return entries


def _model_field(model, name):
    try:
        return model._meta.get_field(name)
    except Exception:  # a field removed since the record was written
        return None
