"""The calendar's reads: calls and meetings (contacts.calendar), to-dos and scheduled support
tasks of the owners shown, as FullCalendar events and as a private iCalendar feed.

Each read costs a constant number of queries, whatever the number of events: contacts'
selector reads calls and meetings in eight, the to-dos and the support tasks in one each.
"""

import datetime as dt

import icalendar
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import calendar as crm_calendar
from contacts.permissions import can_change_crm
from crm.models import User

from .models import Task
from .permissions import todo_change_checker

KINDS = ("call", "meeting", "todo", "support")
# How far back the iCalendar feed goes for what does not repeat.
FEED_PAST = dt.timedelta(days=180)
UID_DOMAIN = "guichet"


def record_url(obj) -> str:
    """The record's page; empty while its page does not exist (a record type without one)."""
    try:
        return obj.get_absolute_url()
    except (AttributeError, NoReverseMatch):
        try:
            return reverse(f"contacts:{obj._meta.model_name}_detail", args=[obj.pk])
        except NoReverseMatch:
            return ""


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _target_label(obj) -> str:
    target = obj.client or obj.contact or obj.partner
    return str(target) if target else ""


def _title(subject: str, obj) -> str:
    target = _target_label(obj)
    return f"{subject} · {target}" if target else subject


def todos_in_range(*, owner_ids, first: dt.date, last: dt.date):
    """To-dos assigned to the owners whose days (start date to due date) meet ``[first, last]``.
    One query."""
    days = (
        Q(start_date__lte=last, due_date__gte=first)
        | Q(start_date__isnull=True, due_date__range=(first, last))
        | Q(due_date__isnull=True, start_date__range=(first, last))
    )
    return (
        Task.objects.filter(days, kind=Task.Kind.TODO, assignee_id__in=list(owner_ids))
        .exclude(status=Task.Status.CANCELLED)
        .select_related("client", "contact", "partner", "assignee")
        .order_by("due_date", "pk")
    )


def support_tasks_in_range(*, owner_ids, group_ids=None, start: dt.datetime, end: dt.datetime):
    """Scheduled support tasks of the owners, and the unassigned ones of ``group_ids`` (the
    viewer's groups), that overlap ``[start, end)``. One query."""
    whose = Q(assignee_id__in=list(owner_ids))
    if group_ids is not None:
        whose |= Q(assignee__isnull=True, assignment_group_id__in=group_ids)
    return (
        Task.objects.filter(
            whose,
            kind=Task.Kind.SUPPORT,
            scheduled_start__lt=end,
            scheduled_end__gt=start,
        )
        .exclude(status=Task.Status.CANCELLED)
        .select_related("assignee", "resource", "assignment_group")
        .order_by("scheduled_start", "pk")
    )


def _owner_extra(user_id, viewer: User, names: dict) -> dict:
    return {"owner": user_id, "ownerName": names.get(user_id, ""), "mine": user_id == viewer.pk}


def events(
    *,
    viewer: User,
    owners: list[User],
    start: dt.datetime,
    end: dt.datetime,
    kinds=KINDS,
) -> list[dict]:
    """FullCalendar events of ``owners`` between ``start`` and ``end``: calls, meetings (series
    expanded), to-dos (all-day, start date to due date) and scheduled support tasks."""
    owner_ids = [owner.pk for owner in owners]
    names = {owner.pk: owner.get_full_name() or owner.email for owner in owners}
    may_change = {
        "call": can_change_crm(viewer, "call"),
        "meeting": can_change_crm(viewer, "meeting"),
    }
    found = []
    for item in crm_calendar.occurrences_in_range(
        owner_ids=owner_ids, start=start, end=end, kinds=[k for k in kinds if k != "todo"]
    ):
        obj = item.obj
        recurrence = _utc(item.recurrence_id) if item.recurrence_id else None
        identifier = f"{item.kind}-{obj.pk}"
        if item.is_recurring and not obj.recurrence_of_id:
            # An occurrence computed from its series: the series' row and the original start.
            identifier += f"-{recurrence}"
        url = record_url(obj)
        if item.is_recurring:
            url = reverse("activities:occurrence", args=[item.kind, item.series.pk, recurrence])
        found.append(
            {
                "id": identifier,
                "title": _title(obj.subject, obj),
                "start": item.start.isoformat(),
                "end": item.end.isoformat(),
                "allDay": False,
                "url": url,
                "classNames": [f"ev-{item.kind}"],
                "editable": may_change[item.kind],
                "extendedProps": {
                    "kind": item.kind,
                    "pk": obj.pk,
                    "series": item.series.pk if item.series else None,
                    "recurrenceId": recurrence,
                    "status": obj.status,
                    **_owner_extra(obj.assigned_to_id, viewer, names),
                },
            }
        )
    first, last = timezone.localdate(start), timezone.localdate(end)
    if "todo" in kinds:
        may_change_todo = todo_change_checker(viewer)
        for todo in todos_in_range(owner_ids=owner_ids, first=first, last=last):
            day_one = todo.start_date or todo.due_date
            day_last = todo.due_date or todo.start_date
            done = todo.status == Task.Status.CLOSED
            found.append(
                {
                    "id": f"todo-{todo.pk}",
                    "title": _title(todo.title, todo),
                    "start": day_one.isoformat(),
                    # FullCalendar's all-day end is exclusive.
                    "end": (day_last + dt.timedelta(days=1)).isoformat(),
                    "allDay": True,
                    "url": todo.get_absolute_url(),
                    "classNames": ["ev-todo", *(["ev-done"] if done else [])],
                    "editable": may_change_todo(todo),
                    "extendedProps": {
                        "kind": "todo",
                        "pk": todo.pk,
                        "series": None,
                        "recurrenceId": None,
                        "status": todo.status,
                        "priority": todo.priority,
                        **_owner_extra(todo.assignee_id, viewer, names),
                    },
                }
            )
    if "support" in kinds:
        # The viewer's own calendar also shows the unassigned ones of their groups.
        groups = viewer.assignment_groups.values("pk") if viewer.pk in owner_ids else None
        for task in support_tasks_in_range(
            owner_ids=owner_ids, group_ids=groups, start=start, end=end
        ):
            where = task.resource.name if task.resource_id else task.place
            found.append(
                {
                    "id": f"support-{task.pk}",
                    "title": f"{task.title} · {where}" if where else task.title,
                    "start": task.scheduled_start.isoformat(),
                    "end": task.scheduled_end.isoformat(),
                    "allDay": False,
                    "url": task.get_absolute_url(),
                    "classNames": ["ev-support"],
                    # Moved from its own page: a booking is checked against the resource.
                    "editable": False,
                    "extendedProps": {
                        "kind": "support",
                        "pk": task.pk,
                        "series": None,
                        "recurrenceId": None,
                        "status": task.status,
                        **_owner_extra(task.assignee_id, viewer, names),
                    },
                }
            )
    return found


# --- The private iCalendar feed ---------------------------------------------------------------


def _uid(kind: str, pk: int) -> str:
    return f"{kind}-{pk}@{UID_DOMAIN}"


def _vevent_activity(kind: str, obj, *, length: dt.timedelta) -> icalendar.Event:
    event = icalendar.Event()
    series_pk = obj.recurrence_of_id or obj.pk
    event.add("uid", _uid(kind, series_pk))
    event.add("dtstamp", obj.updated_at.astimezone(dt.UTC))
    event.add("dtstart", obj.starts_at.astimezone(dt.UTC))
    event.add("dtend", (obj.starts_at + length).astimezone(dt.UTC))
    event.add("summary", _title(obj.subject, obj))
    if obj.description:
        event.add("description", obj.description)
    location = getattr(obj, "location", "")
    if location:
        event.add("location", location)
    event.add("categories", [_("Call") if kind == "call" else _("Meeting")])
    status = {"cancelled": "CANCELLED", "postponed": "TENTATIVE"}.get(obj.status, "CONFIRMED")
    event.add("status", status)
    if obj.recurrence_of_id:
        event.add("recurrence-id", obj.recurrence_id.astimezone(dt.UTC))
    elif obj.rrule:
        event.add("rrule", icalendar.vRecur.from_ical(obj.rrule))
        removed = sorted(crm_calendar.parse_exdates(obj.exdates))
        if removed:
            event.add("exdate", removed)
    return event


def ical_feed(*, owner: User, now: dt.datetime | None = None) -> bytes:
    """The owner's calls and meetings (series with RRULE and EXDATE, occurrences edited on their
    own with RECURRENCE-ID), to-dos (VTODO) and scheduled support tasks, times in UTC, one
    stable UID per record. Eight queries."""
    now = now or timezone.now()
    since = now - FEED_PAST
    feed = icalendar.Calendar()
    feed.add("prodid", "-//Guichet//CRM//FR")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", _("Guichet · %(name)s") % {"name": owner.get_full_name() or owner})
    for kind, rows in crm_calendar.feed_rows(owner_id=owner.pk, since=since).items():
        for obj in rows:
            length = crm_calendar._duration(obj)
            feed.add_component(_vevent_activity(kind, obj, length=length))
    todos = (
        Task.objects.filter(kind=Task.Kind.TODO, assignee=owner)
        .filter(Q(due_date__gte=since.date()) | Q(due_date__isnull=True, created_at__gte=since))
        .exclude(status=Task.Status.CANCELLED)
        .select_related("client", "contact", "partner")
    )
    priorities = {"high": 1, "medium": 5, "low": 9}
    for todo in todos:
        item = icalendar.Todo()
        item.add("uid", _uid("todo", todo.pk))
        item.add("dtstamp", todo.updated_at.astimezone(dt.UTC))
        item.add("summary", _title(todo.title, todo))
        if todo.start_date:
            item.add("dtstart", todo.start_date)
        if todo.due_date:
            item.add("due", todo.due_date)
        item.add("priority", priorities.get(todo.priority, 5))
        done = todo.status == Task.Status.CLOSED
        item.add(
            "status",
            "COMPLETED" if done else ("IN-PROCESS" if todo.status != "open" else "NEEDS-ACTION"),
        )
        if done and todo.closed_at:
            item.add("completed", todo.closed_at.astimezone(dt.UTC))
        if todo.description:
            item.add("description", todo.description)
        feed.add_component(item)
    support = (
        Task.objects.filter(
            kind=Task.Kind.SUPPORT,
            assignee=owner,
            scheduled_start__isnull=False,
            scheduled_end__gte=since,
        )
        .exclude(status=Task.Status.CANCELLED)
        .select_related("resource")
    )
    for task in support:
        event = icalendar.Event()
        event.add("uid", _uid("support", task.pk))
        event.add("dtstamp", task.updated_at.astimezone(dt.UTC))
        event.add("dtstart", task.scheduled_start.astimezone(dt.UTC))
        event.add("dtend", task.scheduled_end.astimezone(dt.UTC))
        event.add("summary", task.title)
        where = task.resource.name if task.resource_id else task.place
        if where:
            event.add("location", where)
        if task.virtual_room_url:
            event.add("url", task.virtual_room_url)
        event.add("categories", [_("Support task")])
        feed.add_component(event)
    return feed.to_ical()
