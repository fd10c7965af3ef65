"""Reads of incidents: queues sorted by due time with SLA badges, and the incident page with
its SLA timeline (taken from the clocks' history)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from crm.models import User
from crm.selectors import record_history

from ..requests.models import JournalEntry
from ..sla import services as sla_services
from ..sla.models import SLAClock, SLAEscalation, SLAPolicy
from .models import Incident

SCOPES = ("mine", "queue", "all")


def _resolution_due():
    return Subquery(
        SLAClock.objects.filter(incident=OuterRef("pk"), kind=SLAClock.Kind.RESOLUTION).values(
            "due_at"
        )[:1]
    )


def incident_list(
    *, user: User, scope: str, status: str | None = None, q: str = "", order: str = "due"
) -> QuerySet:
    queryset = Incident.objects.select_related(
        "requester", "assignment_group", "assignee", "category"
    ).annotate(resolution_due=_resolution_due())
    if scope == "mine":
        queryset = queryset.filter(assignee=user, status__in=Incident.OPEN_STATUSES)
    elif scope == "queue":
        queryset = queryset.filter(
            Q(assignment_group__members=user) | Q(assignment_group__isnull=True),
            assignee__isnull=True,
            status__in=Incident.OPEN_STATUSES,
        )
    if status in Incident.Status.values:
        queryset = queryset.filter(status=status)
    q = q.strip()
    if q:
        digits = q.upper().removeprefix("INC").lstrip("0")
        if digits.isdigit():
            queryset = queryset.filter(pk=int(digits))
        else:
            queryset = queryset.filter(Q(title__icontains=q) | Q(requester__email__icontains=q))
    if order == "-due":
        queryset = queryset.order_by(F("resolution_due").desc(nulls_last=True), "-pk")
    elif order == "priority":
        queryset = queryset.order_by("priority", F("resolution_due").asc(nulls_last=True))
    elif order == "created":
        queryset = queryset.order_by("-created_at")
    else:
        queryset = queryset.order_by(F("resolution_due").asc(nulls_last=True), "pk")
    return queryset


@dataclass
class ClockView:
    clock: SLAClock
    badge: str
    remaining_seconds: float
    elapsed_percent: float


def with_sla(incidents, *, now: datetime | None = None) -> list:
    """Attach ``incident.sla`` (response and resolution ClockViews) to a page of incidents,
    with two queries whatever the page size."""
    now = now or timezone.now()
    incidents = list(incidents)
    clocks = SLAClock.objects.filter(incident__in=incidents).select_related("policy")
    policies = {c.policy.calendar_id for c in clocks}
    schedules = {
        pk: calendar.schedule() for pk, calendar in sla_services.calendars_by_id(policies).items()
    }
    by_incident: dict[int, dict] = {}
    for clock in clocks:
        state = sla_services.clock_state(schedules[clock.policy.calendar_id], clock, now)
        by_incident.setdefault(clock.incident_id, {})[clock.kind] = ClockView(
            clock, state.badge, state.remaining_seconds, state.elapsed_percent
        )
    for incident in incidents:
        found = by_incident.get(incident.pk, {})
        # The first response before the resolution, whatever order the rows came in.
        incident.sla = {kind: found[kind] for kind in SLAClock.Kind.values if kind in found}
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


def incident_page(*, pk: int) -> dict:
    incident = (
        Incident.objects.select_related(
            "requester",
            "created_by",
            "assignment_group__escalation_group",
            "assignee",
            "category",
            "related_request",
            "sla_policy",
        )
        .prefetch_related(
            Prefetch(
                "journal",
                queryset=JournalEntry.objects.select_related("author").order_by("-created_at"),
            ),
            "assignment_group__members",
        )
        .get(pk=pk)
    )
    with_sla([incident])
    return {
        "incident": incident,
        "timeline": sla_timeline(incident),
        "history": record_history(incident),
    }


def policies_summary() -> list[SLAPolicy]:
    return list(SLAPolicy.objects.filter(active=True).select_related("calendar"))


def incident_counts_for(*, user: User) -> dict[str, int]:
    """The agent's open incidents and their groups' unassigned incident queue."""
    group_ids = user.assignment_groups.values("pk")
    return {
        "my_incidents": Incident.objects.filter(
            assignee=user, status__in=Incident.OPEN_STATUSES
        ).count(),
        "incident_queue": Incident.objects.filter(
            assignment_group_id__in=group_ids,
            assignee__isnull=True,
            status__in=Incident.OPEN_STATUSES,
        ).count(),
    }
