"""The back-office shell's CRM menus, loaded when opened (htmx) so that no page pays for them:
my favourites, my recently viewed records, the favourite star's toggle, and the search of the
record pickers (``record_forms.RecordPicker``)."""

import re

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from crm.errors import NotAllowed
from crm.permissions import backoffice_required
from crm.validation import safe_next

from . import favourites, services
from .forms import SEARCH_MAX_LENGTH
from .models import Favourite, RecentView
from .permissions import can_keep_own_items, can_view_crm
from .picker import picker_search
from .record_views import is_starred

MENU_LIMIT = 50


def _shell_page(request, *, partial: str, page: str, context: dict):
    template = partial if request.htmx else page
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@backoffice_required
@require_GET
def favourites_menu(request):
    """My favourites: the star menu's items (htmx), or a page of them."""
    if not can_keep_own_items(request.user):
        raise PermissionDenied
    rows = list(
        Favourite.objects.filter(user=request.user)
        .select_related("content_type")
        .order_by("label", "pk")[:MENU_LIMIT]
    )
    return _shell_page(
        request,
        partial="contacts/_favourites_menu.html",
        page="contacts/shell_favourites.html",
        context={"favourites": rows},
    )


@backoffice_required
@require_GET
def recent_menu(request):
    """The records I opened last (``RecentView.KEEP`` of them), newest first."""
    if not can_keep_own_items(request.user):
        raise PermissionDenied
    rows = list(
        RecentView.objects.filter(user=request.user)
        .select_related("content_type")
        .order_by("-viewed_at", "-pk")[: RecentView.KEEP]
    )
    return _shell_page(
        request,
        partial="contacts/_recent_menu.html",
        page="contacts/shell_recent.html",
        context={"recent": rows},
    )


class FavouriteForm(forms.Form):
    record = forms.CharField(max_length=80)

    def clean_record(self):
        found = favourites.resolve(self.cleaned_data["record"])
        if found is None:
            raise ValidationError(_("This record cannot be starred."))
        return found


@backoffice_required
@require_POST
def favourite_toggle(request):
    """Star or unstar a record (``record`` is ``favourites.key_of(obj)``); htmx gets the star
    back, a plain form goes back to the record's page."""
    form = FavouriteForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(form.errors["record"]))
    model, pk, can_view = form.cleaned_data["record"]
    if not can_view(request.user):
        raise PermissionDenied
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404
    try:
        starred = services.favourite_toggle(user=request.user, obj=obj)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    if not request.htmx:
        return redirect(safe_next(request, obj.get_absolute_url()))
    context = {"obj": obj, "starred": starred, "favourite_key": favourites.key_of(obj)}
    return render(request, "includes/favourite_star.html", context)


@backoffice_required
@require_GET
def favourite_star(request):
    """The star of one record, asked by pages that load it after themselves (requests and
    incidents: their page's query budget stays as it is)."""
    form = FavouriteForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(form.errors["record"]))
    model, pk, can_view = form.cleaned_data["record"]
    if not can_view(request.user) or not can_keep_own_items(request.user):
        raise PermissionDenied
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404
    context = {
        "obj": obj,
        "starred": is_starred(request.user, obj),
        "favourite_key": favourites.key_of(obj),
    }
    return render(request, "includes/favourite_star.html", context)


KINDS = {
    "client": gettext_lazy("client"),
    "contact": gettext_lazy("contact"),
    "partner": gettext_lazy("partner"),
}
FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")


class PickerSearchForm(forms.Form):
    kind = forms.ChoiceField(choices=list(KINDS.items()))
    name = forms.RegexField(regex=FIELD_NAME, max_length=64)
    q = forms.CharField(max_length=SEARCH_MAX_LENGTH, required=False)
    multiple = forms.BooleanField(required=False)


@backoffice_required
@require_GET
def record_search(request):
    """The records a picker's search box finds (an htmx partial): radio buttons (check boxes
    when ``multiple``) named ``name``."""
    data = request.GET.copy()
    if "q" not in data:
        # The picker's search box sends its own name, "<field>_q".
        data["q"] = data.get(f"{data.get('name', '')}_q", "")
    form = PickerSearchForm(data)
    if not form.is_valid():
        errors = " ".join(e for errors in form.errors.values() for e in errors)
        return HttpResponseBadRequest(errors)
    data = form.cleaned_data
    if not can_view_crm(request.user, data["kind"]):
        raise PermissionDenied
    found = list(picker_search(kind=data["kind"], q=data["q"])) if data["q"] else []
    context = {
        "kind": data["kind"],
        "kind_label": KINDS[data["kind"]],
        "name": data["name"],
        "multiple": data["multiple"],
        "found": found,
        "q": data["q"],
    }
    return render(request, "contacts/_record_picker_results.html", context)
