"""Write use-cases of requests: create (with its chain of tasks), cancel, close, reopen. The
journal is in ``journal``; what tasks_app may ask of a request is in ``seam``. Who may act is
decided by requests_app/requests/permissions.py."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Client
from crm.errors import DomainError
from crm.models import User
from crm.permissions import require
from crm.workflow import save_recorded, transition
from tasks_app import chain

from ..catalogue.models import RequestType
from ..catalogue.selectors import schedule_of
from . import permissions
from .models import JournalEntry, ServiceRequest


@transaction.atomic
def request_create(
    *,
    requester: Client,
    request_type: RequestType,
    title: str,
    by: User | None = None,
    channel: str = ServiceRequest.Channel.PORTAL,
    description: str = "",
    form_data: dict | None = None,
    due_date: date | None = None,
    external_key: str | None = None,
    submit: bool = True,
) -> ServiceRequest:
    """File a request and give it one task per step of its type's chain.

    Steps that wait for nothing open at once (their groups are notified); the others wait.
    A draft (``submit=False``) gets its tasks when it is submitted.
    """
    if not request_type.active:
        raise DomainError(_("This request type is no longer offered."))
    request = ServiceRequest(
        requester=requester,
        created_by=by if by is not None and by.pk != requester.user_id else None,
        channel=channel,
        request_type=request_type,
        title=title.strip(),
        description=description,
        form_data=form_data or {},
        due_date=due_date,
        external_key=external_key,
    )
    if by is not None:
        require(
            permissions.can_file_request(by, request),
            _("Only agents file a request on someone's behalf."),
        )
    request.full_clean()
    author = by or requester.user
    request._history_user = author
    request.save()
    if submit:
        request = request_submit(request=request, by=author)
    return request


@transaction.atomic
def request_submit(*, request: ServiceRequest, by: User | None) -> ServiceRequest:
    request = (
        ServiceRequest.objects.select_for_update().select_related("request_type").get(pk=request.pk)
    )
    if by is not None:  # None: the system (an import, the demo data)
        require(permissions.can_file_request(by, request), _("You may not submit this request."))
    transition(request, "submit")
    save_recorded(request, by=by, reason="submitted")
    chain.chain_instantiate(request=request, schedule=schedule_of(request.request_type), by=by)
    return request


@transaction.atomic
def request_cancel(*, request: ServiceRequest, by: User, reason: str = "") -> ServiceRequest:
    """Cancel the request and every task of it that is not done yet."""
    request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    require(permissions.can_cancel_request(by, request), _("You may not cancel this request."))
    now = timezone.now()
    transition(request, "cancel", when=now)
    save_recorded(request, by=by, reason="cancelled", note=reason)
    chain.chain_cancel(request=request, by=by, now=now)
    if reason:
        JournalEntry.objects.create(
            request=request, kind=JournalEntry.Kind.COMMENT, author=by, body=reason
        )
    return request


@transaction.atomic
def request_close(*, request: ServiceRequest, by: User) -> ServiceRequest:
    request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    require(permissions.can_close_request(by, request), _("You may not close this request."))
    transition(request, "close", when=timezone.now())
    save_recorded(request, by=by, reason="closed")
    return request


@transaction.atomic
def request_reopen(*, request: ServiceRequest, by: User, reason: str) -> ServiceRequest:
    """Reopen a resolved request (e.g. the requester says it is not done); a reason is kept."""
    request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    require(permissions.can_reopen_request(by, request), _("You may not reopen this request."))
    if not reason.strip():
        raise DomainError(_("Say why the request is reopened."))
    transition(request, "reopen")
    save_recorded(request, by=by, reason="reopened", note=reason)
    JournalEntry.objects.create(
        request=request, kind=JournalEntry.Kind.WORK_NOTE, author=by, body=reason.strip()
    )
    return request
