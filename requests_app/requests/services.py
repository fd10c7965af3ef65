"""Write use-cases of requests: create (with its chain of tasks), update, cancel, close, reopen. The
journal is in ``journal``; what tasks_app may ask of a request is in ``seam``. Who may act is
decided by requests_app/requests/permissions.py."""

from datetime import date, datetime
from enum import Enum

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Client, Partner
from crm.errors import Conflict, DomainError
from crm.models import User
from crm.permissions import require
from crm.workflow import save_recorded, transition
from tasks_app import chain

from ..catalogue.models import RequestType
from ..catalogue.selectors import schedule_of
from ..mail import outbound as mail_outbound
from ..mail.tasks import comment_email_schedule
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
    organisation: Partner | None = None,
) -> ServiceRequest:
    """File a request and give it one task per step of its type's chain.

    Steps that wait for nothing open at once (their groups are notified); the others wait.
    A draft (``submit=False``) gets its tasks when it is submitted. ``organisation`` files it
    for a partner: a citizen must be one of its members (all of them then follow it); an agent
    may file for any.
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
        organisation=organisation,
    )
    if organisation is not None:
        filer = by or requester.user
        require(
            filer is not None
            and (
                permissions.can_create_assisted_request(filer)
                or permissions.can_file_for_organisation(filer, organisation)
            ),
            _("Only its members file a request for an organisation."),
        )
    if by is not None:
        require(
            permissions.can_file_request(by, request),
            _("Only agents file a request on someone's behalf."),
        )
    # The related rows were given as rows, read by the caller: checking that they exist would
    # read them again (the foreign keys' constraints still hold).
    request.full_clean(exclude=[f for f in _GIVEN_RELATIONS if getattr(request, f) is not None])
    author = by or requester.user
    request._history_user = author
    request.save()
    if submit:
        # The row was just made in this transaction: nobody else sees it yet, nothing to lock
        # or read again.
        _submit(request, by=author)
    return request


# The relations of a new request given as model instances to ``request_create``.
_GIVEN_RELATIONS = ("requester", "request_type", "created_by", "organisation")


@transaction.atomic
def request_submit(*, request: ServiceRequest, by: User | None) -> ServiceRequest:
    request = (
        ServiceRequest.objects.select_for_update().select_related("request_type").get(pk=request.pk)
    )
    return _submit(request, by=by)


def _submit(request: ServiceRequest, *, by: User | None) -> ServiceRequest:
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
        entry = JournalEntry.objects.create(
            request=request, kind=JournalEntry.Kind.COMMENT, author=by, body=reason
        )
        # The reason is shown to the requester: an agent's reaches them by e-mail too.
        if not permissions.is_requester(by, request) and mail_outbound.should_mail(
            entry, request.requester
        ):
            comment_email_schedule(entry)
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


class Keep(Enum):
    """The default of ``request_update``'s fields: leave this one as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP


@transaction.atomic
def request_update(
    *,
    request: ServiceRequest,
    by: User,
    reason: str,
    version: datetime | None = None,
    title: str | Keep = KEEP,
    description: str | Keep = KEEP,
    due_date: date | None | Keep = KEEP,
    requester: Client | Keep = KEEP,
    form_data: dict | Keep = KEEP,
) -> ServiceRequest:
    """Modify what the request says; the history row names ``by``, the code ``edited``, the
    ``reason`` typed and only the fields that changed.

    ``version`` is the ``updated_at`` the editing form was built from: if the request was saved
    since (an edit, a status change, a re-import), ``Conflict`` is raised and nothing is written,
    so that one agent's edit never silently undoes another's. A closed or cancelled request is
    not modified.
    """
    request = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("requester", "request_type")
        .get(pk=request.pk)
    )
    require(permissions.can_edit_request(by, request), _("You may not modify this request."))
    if request.status in ServiceRequest.FINAL_STATUSES:
        raise DomainError(
            _("A request that is “%(status)s” can no longer be modified.")
            % {"status": request.get_status_display()}
        )
    if version is not None and request.updated_at != version:
        raise Conflict(
            _(
                "Someone else saved this request while you were editing it. What you typed is "
                "kept below: check it against the current values and save again."
            )
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the request is modified."))
    wanted = {
        "title": title.strip() if isinstance(title, str) else title,
        "description": description,
        "due_date": due_date,
        "requester": requester,
        "form_data": form_data,
    }
    changed = [
        name
        for name, value in wanted.items()
        if value is not KEEP and getattr(request, name) != value
    ]
    if not changed:
        raise DomainError(_("Nothing to save: no field was changed."))
    for name in changed:
        setattr(request, name, wanted[name])
    try:
        request.full_clean()
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error
    save_recorded(request, by=by, reason="edited", note=reason)
    return request
