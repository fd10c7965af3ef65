"""Write use-cases of requests: create (with its chain of tasks), cancel, close, reopen. The
journal is in ``journal``; what tasks_app may ask of a request is in ``seam``."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import DomainError, NotAllowed
from crm.models import User
from crm.workflow import save_recorded, transition
from tasks_app import chain

from ..catalogue.models import RequestType
from ..catalogue.selectors import schedule_of
from .models import JournalEntry, ServiceRequest


@transaction.atomic
def request_create(
    *,
    requester: User,
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
        created_by=by if by is not None and by != requester else None,
        channel=channel,
        request_type=request_type,
        title=title.strip(),
        description=description,
        form_data=form_data or {},
        due_date=due_date,
        external_key=external_key,
    )
    request.full_clean()
    request._history_user = by or requester
    request.save()
    if submit:
        request = request_submit(request=request, by=by or requester)
    return request


@transaction.atomic
def request_submit(*, request: ServiceRequest, by: User) -> ServiceRequest:
    request = (
        ServiceRequest.objects.select_for_update().select_related("request_type").get(pk=request.pk)
    )
    transition(request, "submit")
    save_recorded(request, by=by, reason="submitted")
    chain.chain_instantiate(request=request, schedule=schedule_of(request.request_type), by=by)
    return request


@transaction.atomic
def request_cancel(*, request: ServiceRequest, by: User, reason: str = "") -> ServiceRequest:
    """Cancel the request and every task of it that is not done yet."""
    if not by.has_perm("crm.access_backoffice") and by.pk != request.requester_id:
        raise NotAllowed(_("You may not cancel this request."))
    request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
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
    transition(request, "close", when=timezone.now())
    save_recorded(request, by=by, reason="closed")
    return request


@transaction.atomic
def request_reopen(*, request: ServiceRequest, by: User, reason: str) -> ServiceRequest:
    """Reopen a resolved request (e.g. the requester says it is not done); a reason is kept."""
    if not reason.strip():
        raise DomainError(_("Say why the request is reopened."))
    request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    transition(request, "reopen")
    save_recorded(request, by=by, reason="reopened", note=reason)
    JournalEntry.objects.create(
        request=request, kind=JournalEntry.Kind.WORK_NOTE, author=by, body=reason.strip()
    )
    return request
