from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from contacts.services import client_for_user
from crm.errors import DomainError, NotAllowed

from ..forms.selectors import drafts_of
from ..requests import permissions
from ..requests.journal import journal_add
from ..requests.models import JournalEntry, ServiceRequest
from ..requests.services import request_cancel
from . import selectors
from .forms import CancelForm, MessageForm


@login_required
@require_GET
def my_requests(request):
    """What is filed for the client of the account: requests and help requests."""
    client = client_for_user(user=request.user)
    context = {
        "requests": selectors.client_requests(client=client),
        "incidents": selectors.client_incidents(client=client),
        "drafts": drafts_of(client=client),
    }
    return render(request, "portal/my_requests.html", context)


def _page(request, pk: int, **forms) -> dict:
    client = client_for_user(user=request.user)
    try:
        context = selectors.client_request_page(client=client, pk=pk)
    except ServiceRequest.DoesNotExist as exc:
        # Another person's request answers as if it did not exist.
        raise Http404 from exc
    target = context["request_obj"]
    context["message_form"] = forms.get("message_form") or MessageForm()
    context["cancel_form"] = forms.get("cancel_form") or CancelForm()
    context["can_comment"] = permissions.can_write_journal(
        request.user, request=target, kind=JournalEntry.Kind.COMMENT
    )
    context["can_cancel"] = permissions.can_cancel_request(request.user, target)
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
