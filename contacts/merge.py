"""Merging two records of one type (two clients, two partners or two contacts) that are the same
person or organisation: everything linked to the one removed moves to the one kept, the kept
record's empty fields take the removed one's values, and the removed record is deleted. The
history keeps both: a "merged" row on the kept record says what moved, and the removed record's
rows stay (django-simple-history keeps the rows of deleted objects, with a last "deleted" row,
here also "merged").

What is linked is read from Django's model relations, not listed by hand, so that the rows of
other apps (requests and incidents of a client, to-dos and support-task attendees of tasks_app)
move without ``contacts`` importing them: each foreign key pointing to the removed record is
changed in one UPDATE per relation; each many-to-many row (meeting and task attendees) too,
after the rows that would repeat one the kept record already has are removed. Favourites and
recently viewed records name a record by content type and id: they are moved the same way, with
the kept record's label and address.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from crm.errors import DomainError
from crm.models import User
from crm.permissions import require
from crm.workflow import save_recorded

from .models import Client, Contact, Favourite, Partner, RecentView
from .permissions import can_merge

MERGEABLE = (Client, Partner, Contact)
# Fields never copied from the removed record: the kept record's own identity and dates.
NOT_COPIED = {"id", "created_at", "updated_at"}
# A client's portal account is moved by hand (a one-to-one: two cannot be kept).
PORTAL_ACCOUNT = "user"


@dataclass
class MergeResult:
    kept: models.Model
    removed_pk: int
    removed_label: str
    # What moved, by the plural name of the linked records ("calls": 3), in relation order.
    moved: dict[str, int] = field(default_factory=dict)
    # The fields of the kept record filled from the removed one, by their label.
    filled: list[str] = field(default_factory=list)

    @property
    def moved_total(self) -> int:
        return sum(self.moved.values())


def _model_name(obj) -> str:
    return obj._meta.model_name


def _check(*, keep, remove, by: User) -> None:
    if type(keep) is not type(remove):
        raise DomainError(_("Only two records of the same type can be merged."))
    if type(keep) not in MERGEABLE:
        raise DomainError(_("Only clients, partners and contacts can be merged."))
    require(can_merge(by, _model_name(keep)), _("You may not merge these records."))
    if keep.pk == remove.pk:
        raise DomainError(_("A record cannot be merged with itself."))


def _empty(value) -> bool:
    return value is None or value == ""


def copied_fields(model) -> list[models.Field]:
    """The fields whose empty value on the kept record is filled from the removed one."""
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in NOT_COPIED and f.name != PORTAL_ACCOUNT and not f.primary_key
    ]


def merged_values(keep, remove) -> dict[str, object]:
    """``{attname: value}`` of the kept record's empty fields that the removed one fills."""
    return {
        f.attname: getattr(remove, f.attname)
        for f in copied_fields(type(keep))
        if _empty(getattr(keep, f.attname)) and not _empty(getattr(remove, f.attname))
    }


def _relations(model):
    """The relations of other rows to ``model``: foreign keys, one-to-ones, many-to-manys
    (the history's own foreign keys are hidden relations, not listed: history stays)."""
    return [
        rel
        for rel in model._meta.related_objects
        if rel.many_to_many or rel.one_to_many or rel.one_to_one
    ]


def _label(rel) -> str:
    """ "calls"; a many-to-many names its field too: "meetings (clients attending)"."""
    plural = str(rel.related_model._meta.verbose_name_plural)
    if rel.many_to_many:
        return f"{plural} ({rel.field.verbose_name})"
    return plural


def linked_counts(obj) -> dict[str, int]:
    """How many rows of each relation point to ``obj`` (what a merge would move), with the
    favourites and recent views naming it. One COUNT per relation (a fixed number of queries)."""
    counts: dict[str, int] = {}
    for rel in _relations(type(obj)):
        if rel.many_to_many:
            through = rel.through
            n = through._default_manager.filter(**{rel.field.m2m_reverse_field_name(): obj.pk})
        else:
            n = rel.related_model._base_manager.filter(**{rel.field.name: obj.pk})
        total = n.count()
        if total:
            counts[_label(rel)] = counts.get(_label(rel), 0) + total
    content_type = ContentType.objects.get_for_model(type(obj))
    for model in (Favourite, RecentView):
        total = model.objects.filter(content_type=content_type, object_id=obj.pk).count()
        if total:
            counts[str(model._meta.verbose_name_plural)] = total
    return counts


def _move_relation(rel, *, keep, remove) -> int:
    if rel.many_to_many:
        through = rel.through._default_manager
        target = rel.field.m2m_reverse_field_name()  # the column naming keep or remove
        source = rel.field.m2m_field_name()  # the meeting, the task…
        # A meeting both records attend keeps one row: the kept record's.
        through.filter(
            **{
                target: remove.pk,
                f"{source}__in": through.filter(**{target: keep.pk}).values(source),
            }
        ).delete()
        return through.filter(**{target: remove.pk}).update(**{target: keep.pk})
    related = rel.related_model._base_manager
    both = (
        rel.one_to_one
        and related.filter(**{rel.field.name: keep.pk}).exists()
        and related.filter(**{rel.field.name: remove.pk}).exists()
    )
    if both:
        raise DomainError(
            _("Both records have a linked %(what)s; only one can be kept.")
            % {"what": rel.related_model._meta.verbose_name}
        )
    return related.filter(**{rel.field.name: remove.pk}).update(**{rel.field.name: keep.pk})


def _move_named(*, keep, remove) -> dict[str, int]:
    """Favourites and recent views of the removed record become the kept record's (one per
    person: a person who starred both keeps one star)."""
    content_type = ContentType.objects.get_for_model(type(keep))
    moved = {}
    for model in (Favourite, RecentView):
        rows = model.objects.filter(content_type=content_type)
        kept_by = rows.filter(object_id=keep.pk).values("user")
        rows.filter(object_id=remove.pk, user__in=kept_by).delete()
        n = rows.filter(object_id=remove.pk).update(
            object_id=keep.pk, label=str(keep)[:255], url=keep.get_absolute_url()
        )
        if n:
            moved[str(model._meta.verbose_name_plural)] = n
    return moved


def _lock(model, pks: list[int]) -> dict[int, models.Model]:
    # Rows are locked in the order of the sort (the lock is taken above it): two merges of the
    # same two records, whichever way round, wait for each other instead of deadlocking.
    rows = model.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    return {row.pk: row for row in rows}


def _note(result: MergeResult, kind_label: str) -> str:
    parts = [
        _("Merged with %(kind)s #%(number)s “%(name)s”, removed.")
        % {"kind": kind_label, "number": result.removed_pk, "name": result.removed_label}
    ]
    if result.moved:
        moved = ", ".join(
            _("%(records)s: %(count)d") % {"count": n, "records": what}
            for what, n in result.moved.items()
        )
        parts.append(_("Moved: %(moved)s.") % {"moved": moved})
    else:
        parts.append(_("Nothing was linked to it."))
    if result.filled:
        parts.append(_("Filled from it: %(fields)s.") % {"fields": ", ".join(result.filled)})
    return " ".join(parts)


@transaction.atomic
def record_merge(*, keep, remove, by: User) -> MergeResult:
    """Merge ``remove`` into ``keep`` (two clients, partners or contacts) as described above;
    one transaction, both rows locked. Refused (``DomainError``, ``NotAllowed``): two records of
    different types, a record with itself, someone who may not merge, two clients that both
    have a portal account, a record removed meanwhile (another merge)."""
    _check(keep=keep, remove=remove, by=by)
    model = type(keep)
    locked = _lock(model, [keep.pk, remove.pk])
    if len(locked) != 2:
        raise DomainError(_("One of these records no longer exists: it may have been merged."))
    keep, remove = locked[keep.pk], locked[remove.pk]
    result = MergeResult(kept=keep, removed_pk=remove.pk, removed_label=str(remove))

    account = None
    if model is Client and remove.user_id is not None:
        if keep.user_id is not None:
            raise DomainError(
                _(
                    "Both clients have a portal account: a client keeps one account. Ask an "
                    "administrator to close one of them first."
                )
            )
        account = remove.user_id

    fill = merged_values(keep, remove)
    labels = {f.attname: str(f.verbose_name) for f in copied_fields(model)}
    result.filled = [labels[name] for name in fill]

    for rel in _relations(model):
        try:
            with transaction.atomic():
                n = _move_relation(rel, keep=keep, remove=remove)
        except IntegrityError as exc:
            raise DomainError(
                _("These records cannot be merged: their %(records)s conflict.")
                % {"records": _label(rel)}
            ) from exc
        if n:
            result.moved[_label(rel)] = result.moved.get(_label(rel), 0) + n
    for attname in (f.name for f in model._meta.many_to_many):
        getattr(keep, attname).add(*getattr(remove, attname).all())
    result.moved.update(_move_named(keep=keep, remove=remove))

    note = _note(result, str(model._meta.verbose_name))
    # The removed record's last history row says where it went.
    remove._history_user = by
    remove._reason_code = "merged"
    remove._change_reason = _("Merged into #%(number)s “%(name)s”.") % {
        "number": keep.pk,
        "name": str(keep),
    }
    if account is not None:
        # The one-to-one is freed before the kept record takes it.
        model._base_manager.filter(pk=remove.pk).update(user=None)
    remove.delete()

    for attname, value in fill.items():
        setattr(keep, attname, value)
    if account is not None:
        keep.user_id = account
    try:
        keep.full_clean()
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    save_recorded(keep, by=by, reason="merged", note=note)
    return result
