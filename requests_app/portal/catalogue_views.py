"""The portal's catalogue of e-services and their procedure pages: open to everyone, logged in
or not. They read the catalogue's tables only, never the requests filed."""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ..catalogue import selectors
from ..catalogue.forms import CatalogueFilterForm
from ..catalogue.models import ProcedureDocument, RequestType
from . import selectors as portal_selectors


@require_safe
def home(request):
    """The catalogue: the published e-services as tiles, by theme, searchable. A bad filter
    (words too long, a theme that shows nothing) answers 400 with its message, and the whole
    catalogue."""
    themes = selectors.catalogue_themes()
    form = CatalogueFilterForm(request.GET or None, themes=themes)
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    theme, words = form.selected_theme, form.words
    tiles = selectors.catalogue_tiles(theme=theme, q=words)
    context = {
        "form": form,
        "themes": themes,
        "selected_theme": theme,
        "words": words,
        "tiles": tiles,
        "filtered": bool(theme or words),
        # What is new for a logged-in person, shown above the catalogue.
        "unread": portal_selectors.unread_notifications(user=request.user),
    }
    return render(request, "portal/home.html", context, status=status)


@require_safe
def procedure(request, slug: str):
    """A procedure page (fiche démarche): summary, how it works, eligibility, documents to
    provide with their templates, launch buttons, contacts and links."""
    try:
        request_type = selectors.procedure_page(slug=slug)
    except RequestType.DoesNotExist as exc:
        raise Http404(_("No published procedure has this address.")) from exc
    lines = (request_type.eligibility or "").splitlines()
    eligibility = [line.strip(" -•\t") for line in lines]
    context = {
        "request_type": request_type,
        "eligibility": [line for line in eligibility if line],
        "steps": request_type.procedure_steps.all(),
        "documents": request_type.procedure_documents.all(),
        "buttons": request_type.launch_buttons.all(),
        "contacts": request_type.procedure_contacts.all(),
        # Checked when typed; checked again here, as a link is the one thing that could run.
        "links": [
            link
            for link in request_type.procedure_links.all()
            if link.url.lower().startswith(("https://", "http://"))
        ],
    }
    return render(request, "portal/procedure.html", context)


@require_safe
def procedure_template(request, slug: str, pk: int):
    """A template of a document to provide, as an attachment under a clean name and the type its
    content was recognised as at upload; only while its procedure is published."""
    try:
        document = selectors.procedure_template(slug=slug, pk=pk)
    except ProcedureDocument.DoesNotExist as exc:
        raise Http404(_("This template is not available.")) from exc
    try:
        handle = document.template.open("rb")
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise Http404(_("This template is not available.")) from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.template_name or f"modele-{document.pk}",
        content_type=document.template_content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
