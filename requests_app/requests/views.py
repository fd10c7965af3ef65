from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from crm.errors import Conflict, DomainError, NotAllowed
from crm.forms import submit
from crm.pagination import COUNT_CAP, SEARCH_COUNT_CAP, CappedPaginator
from crm.permissions import backoffice_required
from crm.validation import posted_text, query_value

from ..mail.services import replies_mark_seen
from . import journal, permissions, selectors, services
from .forms import AssistedRequestForm, ReasonForm, RequestEditForm, RequestJournalForm
from .models import RequestAttachment, ServiceRequest


@backoffice_required
@require_safe
def request_list(request):
    status = query_value(request.GET, "status") or None
    if status not in ServiceRequest.Status.values:
        status = None
    q = query_value(request.GET, "q")
    queryset = selectors.request_list(status=status, q=q)
    # A search is counted without its order: PostgreSQL then reads the table in parallel and
    # stops at the cap (16 ms for a common word at 1M requests, against 55 ms along the order).
    searched = bool(q.strip())
    page = CappedPaginator(
        queryset,
        50,
        ordered_count=not searched,
        count_cap=SEARCH_COUNT_CAP if searched else COUNT_CAP,
        ids_first=searched,
    ).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "statuses": ServiceRequest.Status.choices,
        "status": status,
        "q": q,
        "can_create": permissions.can_create_assisted_request(request.user),
    }
    return render(request, "requests_app/request_list.html", context)


def _detail_context(request, pk: int, **forms) -> dict:
    try:
        context = selectors.request_page(pk=pk)
    except ServiceRequest.DoesNotExist as exc:
        raise Http404 from exc
    context["reason_form"] = ReasonForm()
    context["journal_form"] = forms.get("journal_form") or RequestJournalForm()
    context["can"] = permissions.request_actions(request.user, context["request_obj"])
    return context


@backoffice_required
@require_safe
def request_detail(request, pk: int):
    context = _detail_context(request, pk)
    # The requester's reply by e-mail is seen once an agent of the request opens it.
    replies_mark_seen(subject_of=context["request_obj"], by=request.user)
    return render(request, "requests_app/request_detail.html", context)


@backoffice_required
@require_POST
def request_journal(request, pk: int):
    """A comment or a work note written on the request itself."""
    target = get_object_or_404(ServiceRequest.objects.select_related("requester"), pk=pk)
    form = RequestJournalForm(request.POST)
    add = lambda data: journal.journal_add(  # noqa: E731
        by=request.user, request=target, kind=data["kind"], body=data["body"]
    )
    if submit(form, add):
        messages.success(request, _("Added to the journal."))
        return redirect(target.get_absolute_url() + "#journal")
    context = _detail_context(request, pk, journal_form=form)
    return render(request, "requests_app/request_detail.html", context, status=400)


@backoffice_required
@require_http_methods(["GET", "POST"])
def request_edit(request, pk: int):
    """Modify a request's title, description, due date, requester and answers, with a reason."""
    target = get_object_or_404(
        ServiceRequest.objects.select_related("requester", "request_type"), pk=pk
    )
    if not permissions.can_edit_request(request.user, target):
        raise PermissionDenied
    if target.status in ServiceRequest.FINAL_STATUSES:
        messages.error(
            request,
            _("A request that is “%(status)s” can no longer be modified.")
            % {"status": target.get_status_display()},
        )
        return redirect(target.get_absolute_url())
    form = RequestEditForm(request.POST or None, request_obj=target)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():  # a new client is kept only if the edit is saved
                    services.request_update(
                        request=target,
                        by=request.user,
                        reason=data["reason"],
                        version=data["version"],
                        title=data["title"],
                        description=data["description"],
                        due_date=data["due_date"],
                        requester=form.client_for(by=request.user),
                        form_data=form.form_data(),
                    )
            except NotAllowed as error:
                raise PermissionDenied(error.message) from error
            except Conflict as error:
                current = selectors.request_for_edit(pk=pk)
                form.show_saved_meanwhile(
                    current, selectors.request_as_of(request=current, version=data["version"])
                )
                form.add_error(None, error.message)
                status = 409
            except DomainError as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request, _("Request %(number)s modified.") % {"number": target.number}
                )
                return redirect(target.get_absolute_url())
    context = {"form": form, "request_obj": form.request_obj}
    return render(request, "requests_app/request_edit.html", context, status=status)


@backoffice_required
@require_http_methods(["GET", "POST"])
def request_create(request):
    """An agent files a request for a citizen (demande assistée)."""
    if not permissions.can_create_assisted_request(request.user):
        raise PermissionDenied
    form = AssistedRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = form.create_for_client(
            by=request.user,
            create=lambda requester: services.request_create(
                requester=requester,
                request_type=data["request_type"],
                title=data["title"],
                description=data["description"],
                due_date=data["due_date"],
                channel=data["channel"],
                by=request.user,
            ),
        )
        if created is not None:
            messages.success(request, _("Request %(number)s created.") % {"number": created.number})
            return redirect(created.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "requests_app/request_form.html", {"form": form}, status=status)


@backoffice_required
@require_POST
def request_action(request, pk: int, action: str):
    target = get_object_or_404(ServiceRequest, pk=pk)
    try:
        reason = posted_text(request.POST, "reason")
        if action == "cancel":
            services.request_cancel(request=target, by=request.user, reason=reason)
            messages.success(request, _("The request is cancelled."))
        elif action == "close":
            services.request_close(request=target, by=request.user)
            messages.success(request, _("The request is closed."))
        elif action == "reopen":
            services.request_reopen(request=target, by=request.user, reason=reason)
            messages.success(request, _("The request is reopened."))
        else:
            raise Http404
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(target.get_absolute_url())


def attachment_response(attachment: RequestAttachment) -> FileResponse:
    """A document of a request, as an attachment under its original name and the type
    recognised at upload; never shown in the browser (nosniff, no inline)."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise Http404(_("The file of this document is missing.")) from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name or f"document-{attachment.pk}",
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@backoffice_required
@require_safe
def request_attachment(request, pk: int, attachment_pk: int):
    """A document the requester added, for the request's readers in the back office."""
    attachment = get_object_or_404(
        RequestAttachment.objects.select_related("request"), pk=attachment_pk, request_id=pk
    )
    if not permissions.can_read_attachments(request.user, attachment.request):
        raise PermissionDenied
    return attachment_response(attachment)
