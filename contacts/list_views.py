"""The CRM's lists, one view for every record type (``records.RECORD_TYPES`` and
``tables.LISTS``): instant search and the advanced filter panel, "my items", sortable columns,
capped pagination, saved filters and the CSV export of exactly what the filter shows."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_tables2.rows import BoundRows

from crm.csv import csv_response
from crm.errors import NotAllowed
from crm.pagination import COUNT_CAP, SEARCH_COUNT_CAP, CappedPaginator
from crm.permissions import backoffice_required
from crm.search import filtered_then_sorted

from . import selectors, services
from .filters import SORT_PARAM
from .models import SavedFilter
from .permissions import can_add_crm, can_keep_own_items, can_view_crm
from .tables import LISTS

PER_PAGE = 50
REGION = "crm-list"
SAVED_TEMPLATE = "contacts/lists/_saved_filters.html"
ADVANCED_TEMPLATE = "contacts/lists/_advanced_fields.html"
# ``?panel=advanced``: the advanced filter's fields alone.
PANEL_PARAM = "panel"


def _spec(kind: str, user):
    spec = LISTS.get(kind)
    if spec is None:
        raise Http404
    if not can_view_crm(user, kind):
        raise PermissionDenied
    return spec


def _list_url(kind: str) -> str:
    return reverse(f"contacts:{kind}_list")


def _sorted_list(request, kind: str, params):
    """The filter and the sorted table of ``params`` (the page's query string)."""
    crm_filter = selectors.crm_list(kind=kind, user=request.user, params=params)
    table = selectors.crm_table(kind=kind, queryset=crm_filter.qs, sort=params.getlist(SORT_PARAM))
    return crm_filter, table


def _paginate(table, params, *, searched: bool):
    """The page of ``table`` that ``?page=`` asks for (the last one past the end), counted up
    to a cap: "10000+" rows rather than a COUNT over the whole table."""
    rows = table.data.data
    if searched:
        # The matches found first, then sorted (crm.search.filtered_then_sorted).
        rows = filtered_then_sorted(rows)
    paginator = CappedPaginator(
        rows,
        PER_PAGE,
        # A search is counted without its order (its trigram indexes find the rows).
        ordered_count=not searched,
        count_cap=SEARCH_COUNT_CAP if searched else COUNT_CAP,
        ids_first=searched,
    )
    page = paginator.get_page(params.get("page"))
    table.paginator = paginator
    # django-tables2 renders the rows of ``table.page``; the capped paginator chose them.
    page.object_list = BoundRows(list(page.object_list), table)
    table.page = page
    return page


def _saved_context(request, kind: str, query: str, form_errors=None, name: str = "") -> dict:
    can_save = can_keep_own_items(request.user)
    return {
        "kind": kind,
        "list_url": _list_url(kind),
        "saved_filters": list(selectors.saved_filters_of(user=request.user, list_name=kind))
        if can_save
        else [],
        "can_save": can_save,
        "current_query": query,
        "save_errors": form_errors or {},
        "save_name": name,
    }


def _advanced_panel(request, kind: str):
    """The advanced filter's fields, loaded when the panel opens (htmx): their lists of agents
    are long (a select of every agent, 10 ms to read and 10 ms to write for 10,000), and most
    searches leave the panel closed. A page whose query sets one of them shows it open."""
    crm_filter = selectors.crm_list(kind=kind, user=request.user, params=QueryDict())
    response = render(request, ADVANCED_TEMPLATE, {"filter": crm_filter})
    patch_vary_headers(response, ("HX-Request",))
    return response


@backoffice_required
@require_safe
def record_list(request, *, kind: str):
    spec = _spec(kind, request.user)
    params = request.GET
    if params.get(PANEL_PARAM) == "advanced":
        return _advanced_panel(request, kind)
    crm_filter, table = _sorted_list(request, kind, params)
    searched = crm_filter.is_valid() and bool(crm_filter.form.cleaned_data.get("q"))
    page = _paginate(table, params, searched=searched)
    table.request = request
    query = services.saved_filter_query(kind, params.urlencode())
    context = {
        "spec": spec,
        "record_type": spec.record_type,
        "kind": kind,
        "filter": crm_filter,
        "table": table,
        "page": page,
        "export_query": query,
        "sort": ",".join(params.getlist(SORT_PARAM))[:200],
        "can_add": can_add_crm(request.user, kind),
        "create_url": reverse(f"contacts:{kind}_create"),
        "export_url": reverse(f"contacts:{kind}_export"),
        **_saved_context(request, kind, query),
    }
    htmx = request.htmx
    partial = htmx and htmx.target == REGION and not htmx.history_restore_request
    template = "contacts/lists/_region.html" if partial else "contacts/lists/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@backoffice_required
@require_safe
def record_export(request, *, kind: str):
    """The rows the list shows for this query string, every page of them, in its order, as a
    streamed CSV with the list's columns."""
    spec = _spec(kind, request.user)
    _filter, table = _sorted_list(request, kind, request.GET)
    header = spec.csv_header()
    rows = selectors.crm_export_rows(kind=kind, queryset=table.data.data)
    language = translation.get_language()

    def translated_rows():
        # The body is written after the view returns: in the language of the request.
        with translation.override(language):
            yield from rows

    filename = f"{spec.record_type.path}-{timezone.localdate():%Y-%m-%d}.csv"
    return csv_response(translated_rows(), filename=filename, header=header)


@backoffice_required
@require_POST
def saved_filter_save(request, *, kind: str):
    """Keep the list's current filter (``query``, kept up to date by crm_lists.js) under
    ``name``. An htmx call gets the saved-filters box back, with the error at the name."""
    _spec(kind, request.user)
    query = services.saved_filter_query(kind, request.POST.get("query", ""))
    name = request.POST.get("name", "")
    try:
        saved = services.saved_filter_save(
            list_name=kind, name=name, query=request.POST.get("query", ""), by=request.user
        )
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except ValidationError as error:
        if not request.htmx:
            for field_messages in error.message_dict.values():
                for message in field_messages:
                    messages.error(request, message)
            return redirect(_list_url(kind) + _question(query))
        context = _saved_context(request, kind, query, error.message_dict, name[:200])
        return render(request, SAVED_TEMPLATE, context, status=400)
    message = _("Filter “%(name)s” saved.") % {"name": saved.name}
    if not request.htmx:
        messages.success(request, message)
        return redirect(_list_url(kind) + _question(saved.query))
    context = _saved_context(request, kind, saved.query)
    context["saved_message"] = message
    return render(request, SAVED_TEMPLATE, context)


def _question(query: str) -> str:
    return f"?{query}" if query else ""


@backoffice_required
@require_POST
def saved_filter_delete(request, pk: int, *, kind: str):
    _spec(kind, request.user)
    # Another agent's filter is not found: its name is nobody else's business.
    saved = get_object_or_404(SavedFilter, pk=pk, user=request.user, list_name=kind)
    try:
        services.saved_filter_delete(saved_filter=saved, by=request.user)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    message = _("Filter “%(name)s” deleted.") % {"name": saved.name}
    if not request.htmx:
        messages.success(request, message)
        return redirect(_list_url(kind))
    context = _saved_context(
        request, kind, services.saved_filter_query(kind, request.POST.get("query", ""))
    )
    context["saved_message"] = message
    return render(request, SAVED_TEMPLATE, context)
