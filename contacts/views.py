from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from crm.permissions import backoffice_required

from . import selectors
from .forms import ClientSearchForm
from .permissions import can_search_clients


@backoffice_required
@require_GET
def client_search(request):
    """The matches of the client search box (an htmx partial): radio buttons named ``client``."""
    if not can_search_clients(request.user):
        raise PermissionDenied
    # The search box of a form sends its own field name; a plain call sends ``q``.
    form = ClientSearchForm({"q": request.GET.get("q", request.GET.get("client_q", ""))})
    if not form.is_valid():
        return HttpResponseBadRequest(
            " ".join(e for errors in form.errors.values() for e in errors)
        )
    q = form.cleaned_data["q"]
    context = {"clients": list(selectors.client_search(q=q)) if q else [], "q": q}
    return render(request, "contacts/_client_results.html", context)
