"""The global search of the shell: a dropdown of the top matches as one types (htmx), and the
full results page at /agent/search/. The results compose several apps' searches
(``reporting/search.py``), hence this top layer."""

from django import forms
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from crm.permissions import backoffice_required
from crm.validation import QUERY_MAX_LENGTH

from . import search


class GlobalSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=QUERY_MAX_LENGTH, required=False)


def _searched(request, limit: int):
    form = GlobalSearchForm(request.GET)
    if not form.is_valid():
        return form, "", []
    q = form.cleaned_data["q"]
    return form, q, search.global_search(user=request.user, q=q, limit=limit)


@backoffice_required
@require_safe
def global_search(request):
    form, q, groups = _searched(request, search.PAGE_LIMIT)
    context = {"form": form, "q": q, "groups": groups, "limit": search.PAGE_LIMIT}
    status = 400 if form.errors else 200
    return render(request, "reporting/search.html", context, status=status)


@backoffice_required
@require_safe
def global_search_suggest(request):
    """The dropdown under the shell's search box (an htmx partial); empty for an empty box."""
    form, q, groups = _searched(request, search.SUGGEST_LIMIT)
    context = {"form": form, "q": q, "groups": groups}
    status = 400 if form.errors else 200
    response = render(request, "reporting/_search_suggest.html", context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response
