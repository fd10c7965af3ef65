"""The timeline of a client, partner or contact: its calls, meetings, notes and documents (here),
its to-dos (tasks_app) and its requests and incidents (requests_app), newest first.

contacts may not import the apps above it (.importlinter), so each app registers its sources in
its ``AppConfig.ready()``: a source is a callable ``(target, limit, before) -> [TimelineItem]``
that reads at most ``limit`` items of one kind older than the cursor ``before`` (None: the
newest), in one query. The page merges the sources' items in Python, so that it costs one query
per source whatever the number of items.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.search import any_of, filtered_then_sorted, in_values

from .models import Call, Client, Contact, Document, Meeting, Note, Partner

PAGE_SIZE = 20


@dataclass(frozen=True)
class Cursor:
    """Where a page of the timeline stops: the last item's date, kind and id (the order is
    ``(when, kind, pk)`` descending, a total order however many items share a date)."""

    when: datetime
    kind: str
    pk: int

    def token(self) -> str:
        return f"{self.when.isoformat()}|{self.kind}|{self.pk}"


@dataclass(frozen=True)
class TimelineItem:
    when: datetime
    kind: str  # "call", "meeting", "todo", "note", "document", "request", "incident"
    pk: int
    title: str
    url: str
    icon: str
    kind_label: str
    status: str = ""  # the status shown (translated)
    status_code: str = ""  # for the badge's colour
    context: str = ""  # e.g. the contact of a partner's activity
    who: str = ""  # assigned to
    all_day: bool = False  # ``when`` is a day (a to-do's due date), not a time

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.when, self.kind, self.pk)

    @property
    def sort_key(self):
        return (self.when, self.kind, self.pk)


Source = Callable[[object, int, Cursor | None], list[TimelineItem]]

_sources: list[Source] = []


def register(source: Source) -> Source:
    """Add a source (usable as a decorator); registering one twice keeps one."""
    if source not in _sources:
        _sources.append(source)
    return source


def sources() -> tuple[Source, ...]:
    return tuple(_sources)


def older_than(before: Cursor | None, *, field: str, kind: str) -> Q:
    """The rows of one source (of ``kind``, dated by ``field``) that come after ``before`` in
    the timeline's order."""
    if before is None:
        return Q()
    condition = Q(**{f"{field}__lt": before.when})
    if kind < before.kind:
        condition |= Q(**{field: before.when})
    elif kind == before.kind:
        condition |= Q(**{field: before.when, "pk__lt": before.pk})
    return condition


def target_condition(target, *, contacts_too: bool = True, model=None) -> Q | None:
    """The rows with ``client``/``contact``/``partner`` foreign keys that concern ``target``: a
    partner's own and, with ``contacts_too``, those of its contacts. None for another model.

    ``model``: the rows' model, for a partner's two foreign keys to be asked apart
    (``crm.search.any_of``): for their OR, PostgreSQL estimated a scan of every note cheaper
    than both indexes (30 ms for a partner of 500 contacts among 250,000 notes)."""
    if isinstance(target, Client):
        return Q(client_id=target.pk)
    if isinstance(target, Contact):
        return Q(contact_id=target.pk)
    if isinstance(target, Partner):
        condition = Q(partner_id=target.pk)
        if contacts_too:
            # The ids themselves (read once per page): with a subquery in the OR PostgreSQL can
            # only read every activity; with the ids it adds up both foreign keys' indexes.
            if not hasattr(target, "_timeline_contact_ids"):
                target._timeline_contact_ids = list(
                    Contact.objects.filter(partner_id=target.pk).values_list("pk", flat=True)
                )
            if target._timeline_contact_ids:
                theirs = in_values("contact_id", target._timeline_contact_ids)
                if model is not None:
                    return any_of(model, [condition, theirs])
                condition |= theirs
        return condition
    return None


def newest_first(target, queryset: QuerySet) -> QuerySet:
    """``queryset`` (sorted newest first) as a timeline reads it: a partner's activities are
    found by their two foreign keys, then sorted (``crm.search.filtered_then_sorted``);
    otherwise PostgreSQL reads every activity of the body newest first until it has a page of
    the partner's (60 ms for a partner with 400 contacts among 350,000 calls)."""
    return filtered_then_sorted(queryset) if isinstance(target, Partner) else queryset


def timeline(target, *, limit: int = PAGE_SIZE, before: Cursor | None = None):
    """``(items, next_cursor)``: the ``limit`` newest items of ``target`` after ``before``, and
    the cursor of the next page (None when there is none)."""
    items: list[TimelineItem] = []
    for source in _sources:
        # One more than a page from each: whether a next page exists is known without a count.
        items.extend(source(target, limit + 1, before))
    items.sort(key=lambda item: item.sort_key, reverse=True)
    page = items[:limit]
    next_cursor = page[-1].cursor if len(items) > limit else None
    return page, next_cursor


# --- contacts' own sources: calls, meetings, notes, documents ---------------------------------


def _who(user) -> str:
    return str(user) if user is not None else ""


def _context(activity, target) -> str:
    # A partner's timeline shows its contacts' activities too: say whose.
    if isinstance(target, Partner) and activity.contact_id is not None:
        return str(activity.contact)
    return ""


def _activities(model, target, limit, before, *, kind, field):
    condition = target_condition(target, model=model)
    if condition is None:
        return []
    related = ["assigned_to"]
    if isinstance(target, Partner):
        related.append("contact")
    rows = (
        model.objects.filter(condition)
        .filter(older_than(before, field=field, kind=kind))
        .select_related(*related)
        .order_by(f"-{field}", "-pk")
    )
    return list(newest_first(target, rows)[:limit])


@register
def calls(target, limit, before):
    return [
        TimelineItem(
            when=call.starts_at,
            kind="call",
            pk=call.pk,
            title=call.subject,
            url=reverse("contacts:call_detail", args=[call.pk]),
            icon="bi-telephone",
            kind_label=_("call"),
            status=call.get_status_display(),
            status_code=call.status,
            context=_context(call, target),
            who=_who(call.assigned_to),
        )
        for call in _activities(Call, target, limit, before, kind="call", field="starts_at")
    ]


@register
def meetings(target, limit, before):
    return [
        TimelineItem(
            when=meeting.starts_at,
            kind="meeting",
            pk=meeting.pk,
            title=meeting.subject,
            url=reverse("contacts:meeting_detail", args=[meeting.pk]),
            icon="bi-people",
            kind_label=_("meeting"),
            status=meeting.get_status_display(),
            status_code=meeting.status,
            context=_context(meeting, target),
            who=_who(meeting.assigned_to),
        )
        for meeting in _activities(
            Meeting, target, limit, before, kind="meeting", field="starts_at"
        )
    ]


@register
def notes(target, limit, before):
    return [
        TimelineItem(
            when=note.created_at,
            kind="note",
            pk=note.pk,
            title=note.subject,
            url=reverse("contacts:note_detail", args=[note.pk]),
            icon="bi-journal",
            kind_label=_("note"),
            context=_context(note, target),
            who=_who(note.assigned_to),
        )
        for note in _activities(Note, target, limit, before, kind="note", field="created_at")
    ]


@register
def documents(target, limit, before):
    return [
        TimelineItem(
            when=document.created_at,
            kind="document",
            pk=document.pk,
            title=document.title,
            url=reverse("contacts:document_detail", args=[document.pk]),
            icon="bi-file-earmark",
            kind_label=_("document"),
            status=document.get_doc_type_display(),
            status_code=document.doc_type,
            context=_context(document, target),
            who=_who(document.assigned_to),
        )
        for document in _activities(
            Document, target, limit, before, kind="document", field="created_at"
        )
    ]
