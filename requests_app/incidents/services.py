"""Write use-cases of incidents (help requests). Each status change keeps the SLA clocks in
step: pause and resume, first response, resolution, reopening, policy change. Who may act is
decided by requests_app/incidents/permissions.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Client
from crm.errors import Conflict, DomainError
from crm.history import TRANSITION_REASONS
from crm.models import AssignmentGroup, User
from crm.permissions import require
from crm.services import notification_send, notifications_send
from crm.workflow import save_recorded, transition

from ..mail import outbound as mail_outbound
from ..mail.tasks import comment_email_schedule
from ..requests.models import JournalEntry, ServiceRequest
from ..requests.permissions import is_requester
from ..sla import services as sla_services
from ..sla.models import SLAClock
from . import permissions
from .models import Incident, IncidentCategory


def _lock(incident: Incident) -> Incident:
    return (
        Incident.objects.select_for_update(of=("self",))
        .select_related("assignment_group")
        .get(pk=incident.pk)
    )


def _notify_requester(incident: Incident, *, title: str, body: str, email: bool = True) -> None:
    """The requester's portal account is told; a client without one gets no in-app message."""
    citizen = incident.requester.user
    if citizen is not None:
        notification_send(recipient=citizen, title=title, body=body, email=email)


@transaction.atomic
def incident_create(
    *,
    requester: Client,
    title: str,
    by: User | None = None,
    channel: str = Incident.Channel.PORTAL,
    description: str = "",
    category: IncidentCategory | None = None,
    priority: int = 3,
    assignment_group: AssignmentGroup | None = None,
    related_request: ServiceRequest | None = None,
    now: datetime | None = None,
) -> Incident:
    """Open a help request; its SLA clocks start now, its group is notified."""
    now = now or timezone.now()
    if not title.strip():
        raise DomainError(_("A title is required."))
    incident = Incident(
        requester=requester,
        created_by=by if by is not None and by.pk != requester.user_id else None,
        channel=channel,
        title=title.strip(),
        description=description,
        category=category,
        priority=priority,
        assignment_group=assignment_group,
        related_request=related_request,
    )
    if by is not None:
        require(
            permissions.can_file_incident(by, incident),
            _("Only agents open an incident on someone's behalf."),
        )
    incident.sla_policy = sla_services.policy_for(incident)
    incident.full_clean()
    save_recorded(incident, by=by or requester.user, reason="created")
    if incident.sla_policy is not None:
        sla_services.clocks_start(incident=incident, policy=incident.sla_policy, now=now)
    if assignment_group is not None:
        notifications_send(
            recipients=list(assignment_group.members.all()),
            title=_("New incident %(number)s for %(group)s")
            % {"number": incident.number, "group": assignment_group},
            body=incident.title,
            url=incident.get_absolute_url(),
        )
    return incident


@transaction.atomic
def incident_take(*, incident: Incident, by: User) -> Incident:
    incident = _lock(incident)
    permissions.require_work_on_incident(by, incident)
    if incident.assignee_id and incident.assignee_id != by.pk:
        raise Conflict(_("%(name)s has already taken this incident.") % {"name": incident.assignee})
    incident.assignee = by
    if incident.status == Incident.Status.NEW:
        incident.start()
    save_recorded(incident, by=by, reason="taken")
    return incident


@transaction.atomic
def incident_set_status(
    *, incident: Incident, status: str, by: User, now: datetime | None = None
) -> Incident:
    """Move the incident to ``status``; the clocks pause, resume, stop or restart with it."""
    now = now or timezone.now()
    incident = _lock(incident)
    permissions.require_work_on_incident(by, incident)
    # The transition that leads there from the current status, read from the state machine.
    name = next(
        (t.name for t in incident.get_available_status_transitions() if t.target == status), None
    )
    if name is None:
        raise DomainError(
            _("An incident cannot go from “%(source)s” to “%(target)s”.")
            % {
                "source": incident.get_status_display(),
                "target": dict(Incident.Status.choices).get(status, status),
            }
        )
    if name == "reopen" and not _may_reopen(incident, now):
        raise DomainError(
            _("This incident was resolved more than %(days)s days ago: open a new one.")
            % {"days": settings.INCIDENT_REOPEN_DAYS}
        )
    kwargs = {"when": now} if name in ("resolve", "close") else {}
    transition(incident, name, **kwargs)
    if incident.assignee_id is None and status != Incident.Status.CLOSED:
        incident.assignee = by
    save_recorded(incident, by=by, reason=TRANSITION_REASONS[name])
    if name == "resolve":
        for kind in (SLAClock.Kind.RESPONSE, SLAClock.Kind.RESOLUTION):
            sla_services.clock_stop(incident=incident, kind=kind, now=now)
        if incident.first_response_at is None:
            incident.first_response_at = now
            incident.save(update_fields=["first_response_at"])
        _notify_requester(
            incident,
            title=_("Your help request %(number)s is resolved") % {"number": incident.number},
            body=incident.title,
        )
    elif name == "reopen":
        sla_services.clock_restart(incident=incident, kind=SLAClock.Kind.RESOLUTION, now=now)
    sla_services.clocks_sync_pause(incident=incident, now=now)
    return incident


@transaction.atomic
def incident_change_priority(
    *,
    incident: Incident,
    priority: int,
    by: User | None,
    now: datetime | None = None,
    reason: str = "priority_changed",
    note: str = "",
) -> Incident:
    """A new priority may match another policy: the clocks follow it, keeping their start,
    paused time and reached levels."""
    now = now or timezone.now()
    incident = _lock(incident)
    if by is not None:
        permissions.require_work_on_incident(by, incident)
    incident.priority = priority
    policy = sla_services.policy_for(incident)
    changed = policy is not None and policy.pk != incident.sla_policy_id
    if changed:
        incident.sla_policy = policy
    save_recorded(incident, by=by, reason=reason, note=note)
    if changed:
        sla_services.clocks_change_policy(incident=incident, policy=policy, now=now)
    return incident


def incident_escalate(
    *, incident: Incident, raise_priority: bool, reassign: bool, reason: str, now: datetime
) -> Incident:
    """An escalation level's actions on the incident itself (called by the SLA engine)."""
    if reassign and incident.assignment_group and incident.assignment_group.escalation_group_id:
        target = incident.assignment_group.escalation_group
        incident.assignment_group = target
        incident.assignee = None
        save_recorded(incident, by=None, reason="escalated", note=reason)
        notifications_send(
            recipients=list(target.members.all()),
            title=_("Incident %(number)s escalated to %(group)s")
            % {"number": incident.number, "group": target},
            body=incident.title,
            url=incident.get_absolute_url(),
        )
    if raise_priority and incident.priority > 1:
        incident_change_priority(
            incident=incident,
            priority=incident.priority - 1,
            by=None,
            now=now,
            reason="escalated",
            note=reason,
        )
    return incident


@transaction.atomic
def incident_assign(
    *,
    incident: Incident,
    by: User,
    assignment_group: AssignmentGroup | None,
    assignee: User | None,
) -> Incident:
    incident = _lock(incident)
    permissions.require_work_on_incident(by, incident)
    if (
        assignee is not None
        and assignment_group is not None
        and not (assignment_group.members.filter(pk=assignee.pk).exists())
    ):
        raise DomainError(
            _("%(name)s is not a member of the group %(group)s.")
            % {"name": assignee, "group": assignment_group}
        )
    incident.assignment_group = assignment_group
    # The assignee must be able to work on the incident once it is in that group (an agent, not
    # a manager who happens to be a member).
    if assignee is not None and not permissions.can_work_on_incident(assignee, incident):
        raise DomainError(_("%(name)s may not work on this incident.") % {"name": assignee})
    incident.assignee = assignee
    save_recorded(incident, by=by, reason="assigned")
    return incident


@transaction.atomic
def incident_journal_add(
    *, incident: Incident, by: User, kind: str, body: str, now: datetime | None = None
) -> JournalEntry:
    """A work note, a comment or a logged call. The first comment or call by an agent is the
    first response: it stops the response clock."""
    now = now or timezone.now()
    body = (body or "").strip()
    if not body:
        raise DomainError(_("The text is empty."))
    if kind not in JournalEntry.Kind.values:
        raise DomainError(_("Unknown kind of journal entry."))
    incident = _lock(incident)
    require(
        permissions.can_write_incident_journal(by, incident, kind),
        _("You may not write in this journal."),
    )
    from_requester = is_requester(by, incident)
    entry = JournalEntry.objects.create(incident=incident, kind=kind, author=by, body=body)
    if not from_requester and entry.is_public:
        if incident.first_response_at is None:
            incident.first_response_at = now
            save_recorded(incident, by=by, reason="first_response")
            sla_services.clock_stop(incident=incident, kind=SLAClock.Kind.RESPONSE, now=now)
        if kind == JournalEntry.Kind.COMMENT:
            mailed = mail_outbound.should_mail(entry, incident.requester)
            if mailed:
                comment_email_schedule(entry)
            _notify_requester(
                incident,
                title=_("New message on your help request %(number)s")
                % {"number": incident.number},
                body=body,
                # The comment's own mail (with its reply address) is that account's mail.
                email=not mailed,
            )
    elif from_requester and not permissions.can_work_on_incident(by, incident):
        incident_requester_replied(incident=incident, by=by, now=now)
    return entry


def incident_requester_replied(*, incident: Incident, by: User | None, now: datetime) -> None:
    """The requester of the (locked) incident answered, on the portal or by e-mail: an
    incident awaiting them is worked again, and its clocks run again. A resolved incident is
    reopened (its resolution clock runs again) when the answer comes within
    ``INCIDENT_REOPEN_DAYS`` of its resolution, as an agent may reopen it; later, or once
    closed, the answer stays in its journal for an agent to read."""
    if incident.status == Incident.Status.AWAITING_REQUESTER:
        incident.requester_replied()
        save_recorded(incident, by=by, reason="requester_replied")
        sla_services.clocks_sync_pause(incident=incident, now=now)
    elif incident.status == Incident.Status.RESOLVED and _may_reopen(incident, now):
        transition(incident, "reopen")
        save_recorded(incident, by=by, reason=TRANSITION_REASONS["reopen"])
        sla_services.clock_restart(incident=incident, kind=SLAClock.Kind.RESOLUTION, now=now)
        sla_services.clocks_sync_pause(incident=incident, now=now)


def _may_reopen(incident: Incident, now: datetime) -> bool:
    """Whether a resolved incident is still within the days it may be reopened."""
    resolved_at = incident.resolved_at
    return resolved_at is None or now <= resolved_at + timedelta(days=settings.INCIDENT_REOPEN_DAYS)
