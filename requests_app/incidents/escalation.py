"""What an escalation level does to an incident: notify, raise the priority, reassign.

The SLA sweep records the levels; this module runs their actions, each escalation once.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.services import notifications_send

from ..sla.models import SLAEscalation
from .models import Incident
from .services import incident_escalate

# Escalations claimed and run per transaction: the locks of a batch (its escalations and their
# incidents) are held for a moment, and a crash undoes at most one batch, which runs again.
CLAIM_BATCH = 50


def escalations_execute(
    *, ids: list[int], now: datetime | None = None, batch_size: int = CLAIM_BATCH
) -> int:
    """Run the actions of the given escalations that nobody ran yet; returns how many ran.

    The ids are taken ``batch_size`` at a time, each batch in its own transaction: its
    escalations are claimed (locked, skipping those another worker holds, and ``executed_at``
    set) and their actions run, then it commits. A duplicate call runs nothing already run; a
    crash or a database error rolls back only the batch in progress, run again by the retry.
    """
    now = now or timezone.now()
    pending = sorted(set(ids))
    ran = 0
    for start in range(0, len(pending), batch_size):
        ran += _execute_batch(pending[start : start + batch_size], now)
    return ran


@transaction.atomic
def _execute_batch(ids: list[int], now: datetime) -> int:
    claimed = list(
        SLAEscalation.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk__in=ids, executed_at__isnull=True)
        .select_related("clock", "level")
        # One order for every worker: incidents are then locked in the same order (no deadlock).
        .order_by("clock__incident_id", "percent", "pk")
    )
    if not claimed:
        return 0
    SLAEscalation.objects.filter(pk__in=[e.pk for e in claimed]).update(executed_at=now)
    for escalation in claimed:
        _run_actions(escalation, now)
    return len(claimed)


def _run_actions(escalation: SLAEscalation, now: datetime) -> None:
    level = escalation.level
    if level is None:
        return
    # Read the incident afresh for each escalation: an earlier one in this loop may have
    # raised its priority or moved it to another group.
    incident = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("assignment_group__escalation_group", "assignment_group__lead", "assignee")
        .get(pk=escalation.clock.incident_id)
    )
    recipients = []
    group = incident.assignment_group
    if level.notify_assignee and incident.assignee:
        recipients.append(incident.assignee)
    if level.notify_group_lead and group and group.lead:
        recipients.append(group.lead)
    if level.notify_escalation_group and group and group.escalation_group:
        recipients += list(group.escalation_group.members.all())
    if recipients:
        notifications_send(
            recipients=recipients,
            title=_("%(number)s: %(percent)s %% of the %(kind)s target elapsed")
            % {
                "number": incident.number,
                "percent": escalation.percent,
                "kind": escalation.clock.get_kind_display(),
            },
            body=incident.title,
            url=incident.get_absolute_url(),
        )
    if level.raise_priority or level.reassign_to_escalation_group:
        incident_escalate(
            incident=incident,
            raise_priority=level.raise_priority,
            reassign=level.reassign_to_escalation_group,
            reason=_("escalation at %(percent)s %%") % {"percent": escalation.percent},
            now=now,
        )
