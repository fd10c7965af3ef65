"""The managers' dashboards at /reports/: each page, its PDF, the CSV of each of its tables,
and the rows behind the volume's figures as one streamed CSV.

Managers and administrators only (reporting/permissions.py): agents and citizens get 403,
anonymous visitors the login page. The filters come through ``DashboardFilterForm``: a bad
value is a 400 page with the form's message, never a 500."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import exportables, selectors
from .dashboards import DASHBOARDS, build_cached
from .exportables import Table, csv_filename
from .forms import DashboardFilterForm
from .permissions import reports_required
from .routers import reading_reports

# Rows fetched per round trip of the streamed export's server-side cursor.
EXPORT_CHUNK = 5000


def _board(name: str):
    board = DASHBOARDS.get(name)
    if board is None:
        raise Http404
    return board


def _filtered(request):
    form = DashboardFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    filters = form.filters()
    # The period shown in the form is the one read, also when it was left empty.
    form.data = form.data.copy()
    form.data["date_from"] = filters.date_from.isoformat()
    form.data["date_to"] = filters.date_to.isoformat()
    return form, filters


def _refused(request, board, form):
    context = {"board": board, "boards": DASHBOARDS.values(), "form": form, "document": None}
    return render(request, "reporting/dashboard.html", context, status=400)


@reports_required
@require_safe
def dashboard(request, name: str = "volume"):
    board = _board(name)
    form, filters = _filtered(request)
    if filters is None:
        return _refused(request, board, form)
    document = build_cached(board, filters)
    context = {
        "board": board,
        "boards": DASHBOARDS.values(),
        "form": form,
        "filters": filters,
        "query": filters.querystring(),
        "document": document,
        "now": timezone.now(),
    }
    return render(request, "reporting/dashboard.html", context)


@reports_required
@require_safe
def dashboard_pdf(request, name: str):
    board = _board(name)
    form, filters = _filtered(request)
    if filters is None:
        return _refused(request, board, form)
    document = build_cached(board, filters)
    response = HttpResponse(exportables.render_pdf(document), content_type="application/pdf")
    filename = csv_filename(board.slug, filters.date_from.isoformat(), filters.date_to.isoformat())
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename.removesuffix(".csv") + ".pdf"
    )
    return response


@reports_required
@require_safe
def dashboard_csv(request, name: str, section: int):
    board = _board(name)
    form, filters = _filtered(request)
    if filters is None:
        return _refused(request, board, form)
    document = build_cached(board, filters)
    if not 1 <= section <= len(document.sections):
        raise Http404
    table = document.sections[section - 1].table
    filename = csv_filename(
        board.slug, table.title, filters.date_from.isoformat(), filters.date_to.isoformat()
    )
    return exportables.csv_response(table, filename)


@reports_required
@require_safe
def requests_csv(request):
    """Every request received in the period and matching the filters, streamed."""
    board = _board("volume")
    form, filters = _filtered(request)
    if filters is None:
        return _refused(request, board, form)
    with reading_reports():
        rows = selectors.requests_received(filters)
    headers = [
        _("Number"),
        _("Title"),
        _("Request type"),
        _("Channel"),
        _("Status"),
        _("Received (local time)"),
        _("Resolved (local time)"),
        _("Closed (local time)"),
    ]
    table = Table(_("Requests received"), headers, rows.iterator(chunk_size=EXPORT_CHUNK))
    filename = csv_filename(
        _("requests"), filters.date_from.isoformat(), filters.date_to.isoformat()
    )
    return exportables.csv_response(table, filename)
