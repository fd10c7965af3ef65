"""Reads of incidents: queues sorted by due time with SLA badges, and the incident page with
its SLA timeline (taken from the clocks' history)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.models import AssignmentGroup, User, user_display_name
from crm.pagination import HOME_COUNT_CAP, capped_count
from crm.selectors import record_history

from ..mail.selectors import with_attachments
from ..requests.models import JournalEntry
from ..sla import services as sla_services
from ..sla.models import BusinessCalendar, Priority, SLAClock, SLAEscalation, SLAPolicy
from .models import Incident
from .search import incident_search

SCOPES = ("mine", "queue", "all")
LIST_FIELDS = (
    "title",
    "priority",
    "status",
    "created_at",
    "resolution_due_at",
    "assignment_group",
    "assignment_group__name",
    "assignee",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__email",
    "unread_reply_at",
)


def incident_list(
    *, user: User, scope: str, status: str | None = None, q: str = "", order: str = "due"
) -> QuerySet:
    """Incidents of a list, sorted on the stored ``resolution_due_at`` (an index order for each
    scope: see ``Incident.Meta.indexes``); no clock is read for sorting."""
    # The columns a list row shows, and those of the two names it prints: a page of 50 rows
    # need not build the requester, the category or whole user rows.
    queryset = Incident.objects.select_related("assignment_group", "assignee").only(*LIST_FIELDS)
    if scope == "mine":
        queryset = queryset.filter(assignee=user, status__in=Incident.OPEN_STATUSES)
    elif scope == "queue":
        # The user's groups as a subquery, not a join through the members: the join multiplied
        # nothing here but hid the partial index from the planner.
        queryset = queryset.filter(
            Q(assignment_group_id__in=user.assignment_groups.values("pk"))
            | Q(assignment_group__isnull=True),
            assignee__isnull=True,
            status__in=Incident.OPEN_STATUSES,
        )
    if status in Incident.Status.values:
        queryset = queryset.filter(status=status)
    queryset = incident_search(queryset, q)
    due = F("resolution_due_at")
    if order == "-due":
        queryset = queryset.order_by(due.desc(nulls_last=True), "-pk")
    elif order == "priority":
        queryset = queryset.order_by("priority", due.asc(nulls_last=True), "pk")
    elif order == "created":
        queryset = queryset.order_by("-created_at", "-pk")
    else:
        # Ascending with nulls last is PostgreSQL's index order: the page is an index walk.
        queryset = queryset.order_by(due.asc(nulls_last=True), "pk")
    return queryset


# What a list row shows, read as plain columns (``incident_rows``).
ROW_COLUMNS = (
    "pk",
    "title",
    "priority",
    "status",
    "assignment_group__name",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__email",
    "unread_reply_at",
)


def incident_row_values(queryset: QuerySet) -> QuerySet:
    """The rows of a list (``incident_list``) as tuples of ``ROW_COLUMNS``, for its paginator;
    ``incident_rows`` turns a page of them into rows."""
    return queryset.values_list(*ROW_COLUMNS)


@dataclass(slots=True)
class IncidentRow:
    """One row of an incident list: what it prints, with its labels already translated. A
    page of 50 rows is read faster as columns than as incidents with their group and assignee
    (and no row needs more than these)."""

    pk: int
    url: str
    title: str
    priority_label: str
    status: str
    status_label: str
    group: str
    assignee: str
    # The requester replied by e-mail and no agent of it has opened it since.
    new_reply: bool = False
    sla: dict = field(default_factory=dict)

    @property
    def number(self) -> str:
        return f"{Incident.NUMBER_PREFIX}{self.pk:07d}"


def incident_rows(values, *, now: datetime | None = None) -> list[IncidentRow]:
    """A page of ``incident_row_values`` as rows with their SLA badges (``with_sla``)."""
    priorities = {value: str(label) for value, label in Priority.choices}
    statuses = {value: str(label) for value, label in Incident.Status.choices}
    # Every row's address is the same pattern: reversed once, the number put in its place.
    url = reverse("incidents:detail", args=[0]).rsplit("0", 1)
    rows = [
        IncidentRow(
            pk=pk,
            url=f"{url[0]}{pk}{url[1]}",
            title=title,
            priority_label=priorities.get(priority, priority),
            status=status,
            status_label=statuses.get(status, status),
            group=group or "",
            assignee=user_display_name(first, last, email) if email is not None else "",
            new_reply=unread is not None,
        )
        for pk, title, priority, status, group, first, last, email, unread in values
    ]
    return with_sla(rows, now=now)


# The SLA badge's colour and words, by state: read once per badge in Python, which a list of 50
# incidents (100 badges) renders faster than a chain of template conditions.
BADGE_CLASSES = {
    "breached": "danger",
    "at_risk": "warning",
    "paused": "info",
    "met": "success",
    "on_track": "success",
}
BADGE_LABELS = {
    "breached": _("breached"),
    "at_risk": _("at risk"),
    "paused": _("paused"),
    "met": pgettext_lazy("SLA", "met"),
    "on_track": _("on track"),
}


@dataclass
class ClockView:
    clock: ClockRow
    badge: str
    remaining_seconds: float
    elapsed_percent: float

    @property
    def badge_class(self) -> str:
        return BADGE_CLASSES.get(self.badge, "success")

    @property
    def badge_label(self) -> str:
        return BADGE_LABELS.get(self.badge, BADGE_LABELS["on_track"])


# What a badge and the incident page read of a clock, and of its policy's calendar.
CLOCK_COLUMNS = (
    "incident_id",
    "kind",
    "started_at",
    "due_at",
    "target_seconds",
    "paused_since",
    "paused_seconds",
    "stopped_at",
    "met",
    "level_reached",
    "next_level_at",
)
CALENDAR_COLUMNS = (
    "policy__calendar_id",
    "policy__calendar__time_zone",
    "policy__calendar__country",
    "policy__calendar__subdivision",
)


@dataclass(slots=True)
class ClockRow:
    """A clock's columns, as ``clock_state`` and the pages read them: a list page reads 100
    clocks, and building as many model instances (with their policies and calendars) cost more
    than the rest of the badges."""

    incident_id: int
    kind: str
    started_at: datetime
    due_at: datetime
    target_seconds: float
    paused_since: datetime | None
    paused_seconds: float
    stopped_at: datetime | None
    met: bool | None
    level_reached: int
    next_level_at: datetime | None
    calendar_id: int

    def get_kind_display(self) -> str:
        return SLAClock.Kind(self.kind).label


def with_sla(incidents, *, now: datetime | None = None) -> list:
    """Attach ``incident.sla`` (response and resolution ClockViews) to a page of incidents (or
    of list rows: anything with a ``pk``), with two queries whatever the page size (the clocks
    with their calendars, then the calendars' slots and closures). Each badge costs constant
    time, whatever its age."""
    now = now or timezone.now()
    incidents = list(incidents)
    rows = (
        SLAClock.objects.filter(incident_id__in=[incident.pk for incident in incidents])
        .order_by()
        .values_list(*CLOCK_COLUMNS, *CALENDAR_COLUMNS)
    )
    clocks, calendars = [], {}
    columns = len(CLOCK_COLUMNS)
    for row in rows:
        calendar_id = row[columns]
        if calendar_id not in calendars:
            time_zone, country, subdivision = row[columns + 1 :]
            calendars[calendar_id] = BusinessCalendar(
                pk=calendar_id, time_zone=time_zone, country=country, subdivision=subdivision
            )
        clocks.append(ClockRow(*row[:columns], calendar_id=calendar_id))
    schedules = sla_services.schedules_for(calendars.values())
    by_incident: dict[int, dict] = {}
    for clock in clocks:
        state = sla_services.clock_state(schedules[clock.calendar_id], clock, now)
        by_incident.setdefault(clock.incident_id, {})[clock.kind] = ClockView(
            clock, state.badge, state.remaining_seconds, state.elapsed_percent
        )
    kinds = SLAClock.Kind.values
    for incident in incidents:
        found = by_incident.get(incident.pk, {})
        # The first response before the resolution, whatever order the rows came in.
        incident.sla = {kind: found[kind] for kind in kinds if kind in found}
    return incidents


@dataclass
class TimelineEvent:
    when: datetime
    kind: str  # response / resolution
    event: str  # started, paused, resumed, level, stopped, restarted, policy changed
    detail: str = ""
    due: datetime | None = None  # shown in the body's time zone by the template


def sla_timeline(incident: Incident) -> list[TimelineEvent]:
    """Every start, pause, resume, level, stop of the incident's clocks, from their history."""
    events: list[TimelineEvent] = []
    records = SLAClock.history.filter(incident_id=incident.pk).order_by(
        "id", "history_date", "history_id"
    )
    previous: dict[int, object] = {}
    for record in records:
        before = previous.get(record.id)
        kind = record.kind
        if before is None:
            events.append(TimelineEvent(record.started_at, kind, "started", due=record.due_at))
        else:
            if before.paused_since is None and record.paused_since is not None:
                events.append(TimelineEvent(record.paused_since, kind, "paused"))
            if before.paused_since is not None and record.paused_since is None:
                events.append(TimelineEvent(record.history_date, kind, "resumed"))
            if record.level_reached > before.level_reached:
                events.append(
                    TimelineEvent(record.history_date, kind, "level", f"{record.level_reached} %")
                )
            if before.stopped_at is None and record.stopped_at is not None:
                events.append(
                    TimelineEvent(
                        record.stopped_at, kind, "stopped", "met" if record.met else "breached"
                    )
                )
            if before.stopped_at is not None and record.stopped_at is None:
                events.append(TimelineEvent(record.history_date, kind, "restarted"))
            if before.policy_id != record.policy_id:
                events.append(TimelineEvent(record.history_date, kind, "policy changed"))
        previous[record.id] = record
    # Levels recorded by the sweep are written with a set-based UPDATE (no history row):
    # they come from the escalation records.

    for escalation in SLAEscalation.objects.filter(clock__incident=incident).select_related(
        "clock"
    ):
        events.append(
            TimelineEvent(
                escalation.reached_at, escalation.clock.kind, "level", f"{escalation.percent} %"
            )
        )
    unique = {(e.when, e.kind, e.event, e.detail, e.due): e for e in events}
    return sorted(unique.values(), key=lambda e: e.when)


# The incident page's columns: all of the incident's, its group's, category's and policy's,
# and of the requester, the assignee and the related request only what the page shows (the
# widest tables: fewer columns to compile, plan, read and build).
PAGE_COLUMNS = (
    *(f.name for f in Incident._meta.concrete_fields),
    *(f"assignment_group__{f.name}" for f in AssignmentGroup._meta.concrete_fields),
    *(
        f"category__{f.name}"
        for f in Incident._meta.get_field("category").related_model._meta.concrete_fields
    ),
    *(f"sla_policy__{f.name}" for f in SLAPolicy._meta.concrete_fields),
    "requester__first_name",
    "requester__last_name",
    "requester__email",
    "requester__phone",
    "requester__user",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__email",
    "related_request__id",
)


def incident_page(*, pk: int, viewer: User | None = None, history: bool = True) -> dict:
    """The incident with its journal, clocks, SLA timeline and history, in a number of queries
    that does not grow with them. With ``viewer``, whether they belong to the incident's group
    is read in the same query (``viewer_in_group``, used by the permissions). ``history``
    False: not its history (``None``), which the page then loads when it is scrolled to
    (``incident_history``)."""
    queryset = Incident.objects.all()
    if viewer is not None:
        membership = AssignmentGroup.members.through.objects.filter(
            assignmentgroup_id=OuterRef("assignment_group_id"), user_id=viewer.pk
        )
        queryset = queryset.annotate(viewer_in_group=Exists(membership), viewer_id=Value(viewer.pk))
    incident = (
        # Only the relations the page shows: each join more cost the planner more than the
        # query's execution (9 tables: 3 ms of planning), and neither the creator nor the
        # group's escalation group is shown.
        queryset.select_related(
            "requester",
            "assignment_group",
            "assignee",
            "category",
            "related_request",
            "sla_policy",
        )
        .only(*PAGE_COLUMNS)
        .prefetch_related(
            Prefetch(
                "journal",
                queryset=JournalEntry.objects.select_related("author", "author_client").order_by(
                    "-created_at"
                ),
            ),
        )
        .get(pk=pk)
    )
    with_attachments(incident.journal.all())
    with_sla([incident])
    return {
        "incident": incident,
        "timeline": sla_timeline(incident),
        "history": record_history(incident) if history else None,
    }


def incident_history(*, pk: int):
    """The incident's recorded changes (``Incident.DoesNotExist`` for an unknown id)."""
    return record_history(Incident.objects.only("pk").get(pk=pk))


def policies_summary() -> list[SLAPolicy]:
    return list(SLAPolicy.objects.filter(active=True).select_related("calendar"))


def incident_counts_for(*, user: User) -> dict[str, int]:
    """The agent's open incidents and their groups' unassigned incident queue."""
    group_ids = user.assignment_groups.values("pk")
    # Capped ("999+"), through the partial indexes of the lists.
    return {
        "my_incidents": capped_count(
            Incident.objects.filter(assignee=user, status__in=Incident.OPEN_STATUSES),
            HOME_COUNT_CAP,
        ),
        "incident_queue": capped_count(
            Incident.objects.filter(
                assignment_group_id__in=group_ids,
                assignee__isnull=True,
                status__in=Incident.OPEN_STATUSES,
            ),
            HOME_COUNT_CAP,
        ),
    }
