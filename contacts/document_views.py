"""Documents' pages: upload one (linked to a client, contact or partner), download one (as an
attachment, after checking who asks), delete one. A document's own page is the generic record
page (contacts:document_detail)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from crm.errors import NotAllowed
from crm.permissions import backoffice_required
from crm.validation import safe_next

from . import documents
from .document_forms import DocumentForm
from .models import ACTIVITY_TARGETS, Document
from .permissions import can_add_crm, can_view_crm


def record_url(obj) -> str:
    """The page of a client, contact, partner or document (the generic record pages)."""
    try:
        return obj.get_absolute_url()
    except (AttributeError, NoReverseMatch):
        try:
            return reverse(f"contacts:{obj._meta.model_name}_detail", args=[obj.pk])
        except NoReverseMatch:
            return reverse("home")


def _initial_target(request, form: DocumentForm) -> dict:
    """``?client=<pk>`` (or contact, partner) of the link that opened the form, when it names
    an existing record; anything else is ignored (the agent then picks a client)."""
    for name in ACTIVITY_TARGETS:
        value = request.GET.get(name, "")
        if value.isascii() and value.isdigit() and len(value) < 19:
            found = form.fields[name].queryset.filter(pk=int(value)).first()
            if found is not None:
                return {name: found}
    return {}


def _page(request, form: DocumentForm, *, status: int = 200):
    target = form.target
    if target is None and form.is_bound:
        # The client picked in the search before an error: shown picked again.
        target = form.cleaned_data.get("client") if hasattr(form, "cleaned_data") else None
    context = {
        "form": form,
        "target": target,
        "target_url": record_url(target) if target is not None else "",
        "target_label": target._meta.verbose_name if target is not None else "",
        "next": safe_next(request, ""),
    }
    return render(request, "contacts/documents/document_form.html", context, status=status)


@backoffice_required
@require_http_methods(["GET", "POST"])
def document_create(request):
    if not can_add_crm(request.user, "document"):
        raise PermissionDenied
    if request.method == "GET":
        form = DocumentForm()
        form.initial.update(_initial_target(request, form))
        form.initial.setdefault("assigned_to", request.user.pk)
        if request.GET.get("doc_type") in Document.Type.values:
            form.initial["doc_type"] = request.GET["doc_type"]
        return _page(request, form)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    try:
        document = documents.document_upload(by=request.user, **data)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, form, status=400)
    messages.success(request, _("Document “%(title)s” added.") % {"title": document.title})
    return redirect(safe_next(request, record_url(document.target)))


@backoffice_required
@require_safe
def document_download(request, pk: int):
    """The file, as an attachment under its original name and the type recognised at upload;
    never shown in the browser (nosniff, no inline)."""
    if not can_view_crm(request.user, "document"):
        raise PermissionDenied
    document = get_object_or_404(
        Document.objects.only("id", "file", "original_name", "content_type"), pk=pk
    )
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise Http404(_("The file of this document is missing.")) from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name or f"document-{document.pk}",
        content_type=document.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@backoffice_required
@require_POST
def document_delete(request, pk: int):
    document = get_object_or_404(Document, pk=pk)
    target = document.target
    try:
        documents.document_delete(document=document, by=request.user)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    messages.success(request, _("Document “%(title)s” deleted.") % {"title": document.title})
    return redirect(safe_next(request, record_url(target)))
