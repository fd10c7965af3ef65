"""The citizen's requests on the portal (``/my/requests/…``).

A request is shown to its requester's account and to the members of the organisation it is
filed for (requests_app/requests/permissions.py); to anyone else it answers 404, as if it did
not exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from contacts.organisations import organisations_of
from contacts.services import client_for_user
from crm import throttle
from crm.errors import DomainError, NotAllowed

from ..forms.selectors import drafts_of
from ..requests import permissions
from ..requests.attachments import attachment_add
from ..requests.journal import journal_add
from ..requests.models import JournalEntry, RequestAttachment, ServiceRequest
from ..requests.services import request_cancel
from ..requests.views import attachment_response
from . import selectors
from .forms import AttachmentForm, CancelForm, MessageForm


@login_required
@require_GET
def my_requests(request):
    """What is filed for the client of the account, and for its organisations: requests and
    help requests; the unread notifications on top."""
    client = client_for_user(user=request.user)
    context = {
        "requests": selectors.client_requests(client=client, user=request.user),
        "incidents": selectors.client_incidents(client=client),
        "drafts": drafts_of(client=client),
        "memberships": organisations_of(request.user),
        "unread": selectors.unread_notifications(user=request.user),
    }
    return render(request, "portal/my_requests.html", context)


def _page(request, pk: int, **forms) -> dict:
    client = client_for_user(user=request.user)
    try:
        context = selectors.client_request_page(client=client, pk=pk, user=request.user)
    except ServiceRequest.DoesNotExist as exc:
        # Another person's request answers as if it did not exist.
        raise Http404 from exc
    target = context["request_obj"]
    context["message_form"] = forms.get("message_form") or MessageForm()
    context["cancel_form"] = forms.get("cancel_form") or CancelForm()
    context["attachment_form"] = forms.get("attachment_form") or AttachmentForm()
    context["can_comment"] = permissions.can_write_journal(
        request.user, request=target, kind=JournalEntry.Kind.COMMENT
    )
    context["can_cancel"] = permissions.can_cancel_request(request.user, target)
    context["can_attach"] = permissions.can_attach_to_request(request.user, target)
    return context


@login_required
@require_GET
def my_request_detail(request, pk: int):
    return render(request, "portal/my_request_detail.html", _page(request, pk))


@login_required
@require_POST
def my_request_message(request, pk: int):
    """The citizen writes to the agents; the message joins the request's thread."""
    context = _page(request, pk, message_form=MessageForm(request.POST))
    form = context["message_form"]
    if not form.is_valid():
        return render(request, "portal/my_request_detail.html", context, status=400)
    if not throttle.action_allowed(
        request=request, action="message", limit=throttle.portal_limit("MESSAGE")
    ):
        return throttle.too_many_response(request)
    try:
        journal_add(
            by=request.user,
            request=context["request_obj"],
            kind=JournalEntry.Kind.COMMENT,
            body=form.cleaned_data["body"],
        )
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        form.add_error("body", error.message)
        return render(request, "portal/my_request_detail.html", context, status=400)
    messages.success(request, _("Your message was sent."))
    return redirect("portal:my_request_detail", pk=pk)


@login_required
@require_POST
def my_request_cancel(request, pk: int):
    """The citizen withdraws a request that no one has started working on."""
    context = _page(request, pk, cancel_form=CancelForm(request.POST))
    form = context["cancel_form"]
    if not form.is_valid():
        return render(request, "portal/my_request_detail.html", context, status=400)
    try:
        request_cancel(
            request=context["request_obj"], by=request.user, reason=form.cleaned_data["reason"]
        )
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("portal:my_request_detail", pk=pk)
    messages.success(request, _("Your request is cancelled."))
    return redirect("portal:my_request_detail", pk=pk)


@login_required
@require_POST
def my_request_attach(request, pk: int):
    """The citizen adds a document to the request (checked by content and size)."""
    form = AttachmentForm(request.POST, request.FILES)
    context = _page(request, pk, attachment_form=form)
    if not form.is_valid():
        return render(request, "portal/my_request_detail.html", context, status=400)
    if not throttle.action_allowed(
        request=request, action="upload", limit=throttle.portal_limit("UPLOAD")
    ):
        return throttle.too_many_response(request)
    try:
        attachment_add(
            request=context["request_obj"], by=request.user, file=form.cleaned_data["file"]
        )
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        form.add_error("file", error.message)
        return render(request, "portal/my_request_detail.html", context, status=400)
    messages.success(request, _("Your document was added."))
    return redirect("portal:my_request_detail", pk=pk)


@login_required
@require_safe
def my_request_attachment(request, pk: int, attachment_pk: int):
    """A document of a request the account follows; 404 for any other."""
    client = client_for_user(user=request.user)
    try:
        target = selectors.portal_request(user=request.user, client=client, pk=pk)
    except ServiceRequest.DoesNotExist as exc:
        raise Http404 from exc
    if not permissions.can_read_attachments(request.user, target):
        raise Http404
    attachment = get_object_or_404(RequestAttachment, pk=attachment_pk, request_id=target.pk)
    return attachment_response(attachment)
