"""Who may act on an incident (a help request). The only place that decides it: services,
views, templates and the API ask here.

Rules:

- An incident is worked (taken, assigned, moved from status to status, given a priority,
  written in its journal) by the agents (users who may act in the back office, see
  crm/permissions.py) who are members of its assignment group, and by holders of
  ``requests_app.change_incident``.
- An incident with no group yet may be taken, assigned and worked by any agent, never by a
  manager.
- The requester (``is_requester``) writes comments on it (never work notes nor calls).
- An agent opens an incident for someone (managers and citizens may not); a citizen opens
  their own.
- Managers read every incident page but change nothing; citizens see no back-office page.

Named rules (``user.has_perm(name, incident)`` answers the same): ``WORK``, ``COMMENT``,
``FILE``.
"""

import rules
from django.utils.translation import gettext_lazy

from crm.models import User
from crm.permissions import group_work_rule, has_global_perm, is_agent

from ..requests.models import JournalEntry
from ..requests.permissions import requester
from .models import Incident

WORK = "requests_app.work_on_incident"
COMMENT = "requests_app.comment_incident"
FILE = "requests_app.file_incident"


@rules.predicate
def in_incident_group(user: User, incident: Incident) -> bool:
    if incident.assignment_group_id is None:
        return True  # not routed yet: any agent may pick it up
    # The incident page reads the answer with the incident (``viewer_in_group``, annotated for
    # ``viewer_id``): no query of its own.
    if getattr(incident, "viewer_id", None) == user.pk:
        return incident.viewer_in_group
    return user.assignment_groups.filter(pk=incident.assignment_group_id).exists()


changes_any_incident = has_global_perm("requests_app.change_incident")
works_on_incident = is_agent & (changes_any_incident | in_incident_group)

rules.add_perm(WORK, works_on_incident)
rules.add_perm(COMMENT, works_on_incident | requester)
rules.add_perm(FILE, requester | is_agent)


# Take, assign, change the status or the priority, write work notes and calls.
can_work_on_incident, require_work_on_incident = group_work_rule(
    WORK, gettext_lazy("Only members of the group %(group)s may work on this incident.")
)


def can_file_incident(user: User, incident: Incident) -> bool:
    """``incident`` may be unsaved: whom it is for decides."""
    return rules.has_perm(FILE, user, incident)


def can_create_assisted_incident(user: User) -> bool:
    """Whether the agent's form for opening an incident on someone's behalf is offered."""
    return is_agent.test(user)


def can_write_incident_journal(user: User, incident: Incident, kind: str) -> bool:
    if kind == JournalEntry.Kind.COMMENT:
        return rules.has_perm(COMMENT, user, incident)
    return can_work_on_incident(user, incident)
