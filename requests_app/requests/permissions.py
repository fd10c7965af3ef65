"""Who may act on a service request. The only place that decides it: services, views,
templates and the API ask here.

Rules:

- The request's agents are the agents (users who may act in the back office, see
  crm/permissions.py) who are members of a group with a task on this request or of its request
  type's default assignment group, and the holders of ``tasks_app.work_any_task``. They close,
  reopen, cancel and modify it (title, description, due date, requester, form answers; not once
  it is closed or cancelled), and write comments and work notes on it. Cancelling a request cancels
  its open tasks, so only someone who may cancel the request cancels them.
- The requester's own portal account (``is_requester``) may cancel its request while it is
  submitted (no work started yet) and write comments on it, never work notes.
- A member of the request's organisation (``ServiceRequest.organisation``, see
  contacts/permissions.py) follows it like its requester: reads it on the portal, writes comments
  and adds documents; cancelling stays the requester's.
- Documents added on the portal are read by whoever reads the request: its requester, the members
  of its organisation, and every back-office reader (managers too).
- An agent files an assisted request for someone (managers and citizens may not); a citizen
  files their own.
- Everyone else (managers, agents of other groups, agents in no group, other citizens) is
  refused. Managers still read every request page.
- The journal of a task is written by whoever may work on the task (tasks_app/permissions.py).

Named rules (``user.has_perm(name, request)`` answers the same): see ``CLOSE``, ``REOPEN``,
``CANCEL``, ``EDIT``, ``COMMENT``, ``WORK_NOTE``, ``FILE``.
"""

import rules
from django.db.models import Q

from contacts.permissions import is_member_of
from crm.models import User
from crm.permissions import has_global_perm, is_agent, reads_backoffice

from .models import JournalEntry, ServiceRequest

CLOSE = "requests_app.close_request"
REOPEN = "requests_app.reopen_request"
CANCEL = "requests_app.cancel_request"
EDIT = "requests_app.edit_request"
COMMENT = "requests_app.comment_request"
WORK_NOTE = "requests_app.note_request"
FILE = "requests_app.file_request"
FOLLOW = "requests_app.follow_request"
ATTACH = "requests_app.attach_to_request"
READ_ATTACHMENTS = "requests_app.read_request_attachments"
# Named in tasks_app/permissions.py and asked through django-rules' registry, as Django's
# has_perm asks permissions by name: importing tasks_app here would close a module cycle
# (tasks_app.chain -> seam -> journal -> these permissions).
WORK_ON_TASK = "tasks_app.work_on_task"


def is_requester(user: User, obj) -> bool:
    """Whether ``user`` is the person ``obj`` (a request or an incident) is for. The one place
    that says how a requester is recognised."""
    # The requester is a contacts.Client; a citizen is the Client's portal account, if any.
    return (
        user is not None
        and user.is_authenticated
        and obj.requester_id is not None
        and obj.requester.user_id is not None
        and obj.requester.user_id == user.pk
    )


@rules.predicate
def requester(user: User, obj) -> bool:
    return is_requester(user, obj)


@rules.predicate
def member_of_its_organisation(user: User, obj) -> bool:
    return obj.organisation_id is not None and is_member_of(user, obj.organisation_id)


@rules.predicate
def in_a_group_of_request(user: User, request: ServiceRequest) -> bool:
    return (
        ServiceRequest.objects.filter(pk=request.pk)
        .filter(
            # The groups of its chain's steps (service tasks), not of a support task lent by
            # another group: cancelling the request cancels every group's open tasks.
            Q(tasks__kind="service", tasks__assignment_group__members=user)
            | Q(request_type__default_assignment_group__members=user)
        )
        .exists()
    )


@rules.predicate
def is_submitted(user: User, request: ServiceRequest) -> bool:
    return request.status == ServiceRequest.Status.SUBMITTED


@rules.predicate
def is_final(user: User, request: ServiceRequest) -> bool:
    return request.status in ServiceRequest.FINAL_STATUSES


works_any_task = has_global_perm("tasks_app.work_any_task")
works_on_request = is_agent & (works_any_task | in_a_group_of_request)

rules.add_perm(CLOSE, works_on_request)
rules.add_perm(REOPEN, works_on_request)
rules.add_perm(CANCEL, works_on_request | (requester & is_submitted))
rules.add_perm(EDIT, works_on_request)
follower = requester | member_of_its_organisation
rules.add_perm(COMMENT, works_on_request | follower)
rules.add_perm(FOLLOW, follower)
rules.add_perm(ATTACH, follower & ~is_final)
rules.add_perm(READ_ATTACHMENTS, follower | reads_backoffice)
rules.add_perm(WORK_NOTE, works_on_request)
rules.add_perm(FILE, requester | is_agent)


def can_close_request(user: User, request: ServiceRequest) -> bool:
    return rules.has_perm(CLOSE, user, request)


def can_reopen_request(user: User, request: ServiceRequest) -> bool:
    return rules.has_perm(REOPEN, user, request)


def can_cancel_request(user: User, request: ServiceRequest) -> bool:
    return rules.has_perm(CANCEL, user, request)


def can_edit_request(user: User, request: ServiceRequest) -> bool:
    """Who may modify the request; whether its status still allows it is the service's to say
    (``request_actions`` offers the form only when both hold)."""
    return rules.has_perm(EDIT, user, request)


def can_file_request(user: User, request: ServiceRequest) -> bool:
    """``request`` may be unsaved: whom it is for decides."""
    return rules.has_perm(FILE, user, request)


def can_follow_request(user: User, request: ServiceRequest) -> bool:
    """Whether the portal shows ``request`` to ``user`` (its requester or an organisation
    member)."""
    return rules.has_perm(FOLLOW, user, request)


def can_attach_to_request(user: User, request: ServiceRequest) -> bool:
    """Whether ``user`` adds documents to ``request`` on the portal (not once it is over)."""
    return rules.has_perm(ATTACH, user, request)


def can_read_attachments(user: User, request: ServiceRequest) -> bool:
    return rules.has_perm(READ_ATTACHMENTS, user, request)


def can_file_for_organisation(user: User, organisation) -> bool:
    """Whether ``user`` files a request on behalf of ``organisation`` (a Partner): any of its
    members may. For the portal's filing form."""
    return organisation is not None and is_member_of(user, organisation.pk)


def can_create_assisted_request(user: User) -> bool:
    """Whether the agent's form for filing a request on someone's behalf is offered."""
    return is_agent.test(user)


def can_write_journal(user: User, *, request: ServiceRequest, kind: str, task=None) -> bool:
    """A comment (shown to the requester) or a work note, on the request or one of its tasks."""
    if task is not None:
        return rules.has_perm(WORK_ON_TASK, user, task)
    if kind == JournalEntry.Kind.COMMENT:
        return rules.has_perm(COMMENT, user, request)
    return rules.has_perm(WORK_NOTE, user, request)


def request_actions(user: User, request: ServiceRequest) -> dict[str, bool]:
    """What the request page offers ``user``: the transitions its state machine allows now that
    ``user`` may make (one group check, whatever the number of actions)."""
    available = {t.name for t in request.get_available_status_transitions()}
    works = works_on_request.test(user, request)
    own_and_submitted = (requester & is_submitted).test(user, request)
    return {
        "close": "close" in available and works,
        "reopen": "reopen" in available and works,
        "cancel": "cancel" in available and (works or own_and_submitted),
        "edit": works and request.status not in ServiceRequest.FINAL_STATUSES,
        # The same people write comments and work notes on it (the requester does on the portal).
        "write_journal": works,
    }
