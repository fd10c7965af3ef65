"""The journal of a request and its tasks: work notes (internal) and comments (shown to the
requester). Who may write is decided by requests_app/requests/permissions.py."""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from contacts.organisations import member_accounts
from crm.errors import DomainError
from crm.models import User
from crm.permissions import require
from crm.services import notification_send, notifications_send

from ..mail import outbound as mail_outbound
from ..mail.tasks import comment_email_schedule
from . import permissions
from .models import JournalEntry, ServiceRequest


@transaction.atomic
def journal_add(
    *,
    by: User,
    kind: str,
    body: str,
    request: ServiceRequest | None = None,
    task=None,
) -> JournalEntry:
    """Add a work note (agents only, never shown to the requester) or a comment (shown to the
    requester, who is notified, and mailed after commit) to a request or one of its tasks."""
    body = (body or "").strip()
    if not body:
        raise DomainError(_("The text is empty."))
    if kind not in JournalEntry.Kind.values:
        raise DomainError(_("Unknown kind of journal entry."))
    if task is not None:
        request = task.request
    if request is None:
        raise DomainError(_("A journal entry belongs to a request or a task."))
    require(
        permissions.can_write_journal(by, request=request, kind=kind, task=task),
        _("You may not write in this journal."),
    )
    entry = JournalEntry.objects.create(request=request, task=task, kind=kind, author=by, body=body)
    if kind != JournalEntry.Kind.COMMENT or permissions.is_requester(by, request):
        return entry
    # The requester reads it in their mail, with an address to reply to (requests_app/mail).
    mailed = mail_outbound.should_mail(entry, request.requester)
    if mailed:
        comment_email_schedule(entry)
    citizen = request.requester.user
    url = reverse("portal:my_request_detail", args=[request.pk])
    if citizen is not None:
        # A client without a portal account gets no in-app message. One with an account is
        # not mailed twice: the comment's own mail is the one it gets.
        notification_send(
            recipient=citizen,
            title=_("New message on your request %(number)s") % {"number": request.number},
            body=body,
            url=url,
            email=not mailed,
        )
    if request.organisation_id is not None:
        # The organisation's other members follow its requests: told in the portal, and by
        # the mail of their notifications (the reply address is the requester's alone).
        followers = [
            user
            for user in member_accounts(request.organisation_id)
            if citizen is None or user.pk != citizen.pk
        ]
        notifications_send(
            recipients=followers,
            title=_("New message on %(organisation)s's request %(number)s")
            % {"organisation": request.organisation.name, "number": request.number},
            body=body,
            url=url,
        )
    return entry
