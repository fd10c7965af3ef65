"""The report builder's pages (``report_builder`` namespace, under /reports/saved/): the saved
reports, building one (with a preview), its page (a sortable, paginated table), its CSV and
PDF, its subscriptions. Managers and administrators only (permissions.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from crm.errors import NotAllowed
from crm.validation import query_value

from . import builder, exportables, permissions, report_exports, services, sources
from .builder_forms import ReportForm, SourceForm, SubscriptionForm, initial_from
from .builder_tables import paginate, table_for
from .forms import ReportPeriodForm
from .models import ReportSubscription, SavedReport
from .permissions import reports_required

SORT_PARAM = "sort"
SORT_MAX = 3


def _readable_reports(user):
    """The saved reports ``user`` reads, with whether one of their groups shares each (the
    rule's answer, read with the rows)."""
    shared = SavedReport.shared_with.through.objects.filter(
        savedreport_id=OuterRef("pk"),
        assignmentgroup__members=user,
    )
    rows = SavedReport.objects.select_related("owner").annotate(shared_with_viewer=Exists(shared))
    if not user.has_perm("reporting.view_savedreport"):
        rows = rows.filter(Q(owner=user) | Q(shared_with_viewer=True))
    return rows


def _get_report(request, pk: int) -> SavedReport:
    saved = _readable_reports(request.user).filter(pk=pk).first()
    if saved is None:
        if SavedReport.objects.filter(pk=pk).exists():
            raise PermissionDenied
        raise Http404
    if saved.source_spec is None:
        raise Http404
    return saved


def _sort(request) -> list[str]:
    return [value[:80] for value in request.GET.getlist(SORT_PARAM)[:SORT_MAX]]


@reports_required
@require_safe
def report_list(request):
    reports = _readable_reports(request.user).order_by("name", "pk")
    return render(
        request,
        "reporting/builder/list.html",
        {
            "reports": reports,
            "source_form": SourceForm(user=request.user),
            "sources": sources.SOURCES,
        },
    )


def _form_page(request, *, form, source, saved=None, status=200, preview=None):
    return render(
        request,
        "reporting/builder/form.html",
        {"form": form, "source": source, "saved": saved, "preview": preview},
        status=status,
    )


def _preview(request, form, source):
    """The first page of the report being built, not saved."""
    report = builder.build(source, form.cleaned_data["definition"], user=request.user)
    table = table_for(report)
    paginate(table, 1, report=report)
    return table


@reports_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_create(request):
    source_form = SourceForm(request.GET or request.POST, user=request.user)
    if not source_form.is_valid():
        messages.error(request, _("Choose a source among those offered."))
        return render(
            request,
            "reporting/builder/list.html",
            {
                "reports": _readable_reports(request.user).order_by("name", "pk"),
                "source_form": source_form,
            },
            status=400,
        )
    source = source_form.cleaned_data["source"]
    if request.method != "POST":
        form = ReportForm(source=source, user=request.user)
        return _form_page(request, form=form, source=source)
    form = ReportForm(request.POST, source=source, user=request.user)
    if not form.is_valid():
        return _form_page(request, form=form, source=source, status=400)
    if "preview" in request.POST:
        return _form_page(
            request, form=form, source=source, preview=_preview(request, form, source)
        )
    try:
        saved = services.saved_report_create(
            by=request.user,
            name=form.cleaned_data["name"],
            source=source.name,
            definition=form.cleaned_data["definition"],
            shared_with=form.cleaned_data["shared_with"],
            description=form.cleaned_data["description"],
        )
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except ValidationError as error:
        _add_errors(form, error)
        return _form_page(request, form=form, source=source, status=400)
    messages.success(request, _("The report is saved."))
    return redirect(saved)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@reports_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_edit(request, pk: int):
    saved = _get_report(request, pk)
    if not permissions.can_change_report(request.user, saved):
        raise PermissionDenied
    source = saved.source_spec
    if request.method != "POST":
        form = ReportForm(initial=initial_from(saved), source=source, user=request.user)
        return _form_page(request, form=form, source=source, saved=saved)
    form = ReportForm(request.POST, source=source, user=request.user)
    if not form.is_valid():
        return _form_page(request, form=form, source=source, saved=saved, status=400)
    if "preview" in request.POST:
        return _form_page(
            request,
            form=form,
            source=source,
            saved=saved,
            preview=_preview(request, form, source),
        )
    try:
        services.saved_report_update(
            report=saved,
            by=request.user,
            name=form.cleaned_data["name"],
            definition=form.cleaned_data["definition"],
            shared_with=form.cleaned_data["shared_with"],
            description=form.cleaned_data["description"],
        )
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except ValidationError as error:
        _add_errors(form, error)
        return _form_page(request, form=form, source=source, saved=saved, status=400)
    messages.success(request, _("The report is saved."))
    return redirect(saved)


def _period_form(request) -> ReportPeriodForm:
    return ReportPeriodForm(
        {key: query_value(request.GET, key, max_length=32) for key in ("date_from", "date_to")}
    )


def _built(request, saved, period_form: ReportPeriodForm):
    """The report for its reader over the period asked (every row when none is, or when the
    period is not valid: the form then says why), or the page saying which fields they may
    not see."""
    date_from, date_to = period_form.period()
    try:
        report = report_exports.report_for(
            saved, user=request.user, date_from=date_from, date_to=date_to
        )
    except ValidationError as error:
        return None, error.messages
    return report, None


def _period_field_label(source) -> str:
    """What places a row of ``source`` in a period, in words (its field of that name)."""
    for field in source.fields:
        if field.path == source.period_field or field.name == source.period_field:
            return str(field.label)
    return ""


@reports_required
@require_safe
def report_detail(request, pk: int):
    return _detail(request, _get_report(request, pk))


def _detail(request, saved, *, subscription_form=None, status=200):
    period_form = _period_form(request)
    report, refusal = _built(request, saved, period_form)
    if period_form.errors and status == 200:
        status = 400
    context = {
        "saved": saved,
        "period_form": period_form,
        "period_label": _period_field_label(saved.source_spec),
        "sort_values": _sort(request),
        "refusal": refusal,
        "can_change": permissions.can_change_report(request.user, saved),
        "can_delete": permissions.can_delete_report(request.user, saved),
        "can_subscribe": permissions.can_subscribe(request.user, saved),
        "subscription_form": subscription_form or SubscriptionForm(),
        "subscriptions": list(
            ReportSubscription.objects.filter(report=saved)
            .select_related("group", "created_by")
            .order_by("pk")
        ),
        "shared_with": list(saved.shared_with.order_by("name")),
    }
    if report is not None:
        table = table_for(report, sort=_sort(request))
        page = paginate(table, query_value(request.GET, "page", max_length=8), report=report)
        table.request = request
        chart = None
        if report.definition.grouped:
            chart = report_exports.chart_of(report, [row.record for row in page.object_list])
        context.update(
            {
                "report": report,
                "table": table,
                "page": page,
                "chart": chart,
                "export_query": request.GET.urlencode(),
            }
        )
    else:
        status = 403
    return render(request, "reporting/builder/detail.html", context, status=status)


@reports_required
@require_POST
def report_delete(request, pk: int):
    saved = _get_report(request, pk)
    try:
        services.saved_report_delete(report=saved, by=request.user)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    messages.success(request, _("The report is deleted."))
    return redirect("report_builder:list")


def _filename(saved: SavedReport, extension: str) -> str:
    return f"{slugify(saved.name) or 'report'}.{extension}"


@reports_required
@require_safe
def report_export(request, pk: int, fmt: str):
    saved = _get_report(request, pk)
    period_form = _period_form(request)
    if period_form.errors:
        # A file over another period than the one asked would mislead its reader.
        return HttpResponse(
            " ".join(message for errors in period_form.errors.values() for message in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    report, refusal = _built(request, saved, period_form)
    if report is None:
        raise PermissionDenied(" ".join(refusal))
    # The page's order: the export follows the header the reader clicked.
    rows = table_for(report, sort=_sort(request)).data.data
    if fmt == "csv":
        return exportables.csv_response(
            report_exports.table_of(saved, report, rows), _filename(saved, "csv")
        )
    if fmt == "pdf":
        document = report_exports.document_of(saved, report, rows=rows)
        response = HttpResponse(exportables.render_pdf(document), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=_filename(saved, "pdf")
        )
        return response
    raise Http404


@reports_required
@require_POST
def subscription_create(request, pk: int):
    saved = _get_report(request, pk)
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        return _detail(request, saved, subscription_form=form, status=400)
    try:
        services.subscription_create(
            report=saved,
            by=request.user,
            frequency=form.cleaned_data["frequency"],
            format=form.cleaned_data["format"],
            group=form.cleaned_data.get("group"),
            addresses=form.cleaned_data.get("addresses", ""),
            only_period=form.cleaned_data.get("only_period", False),
        )
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except ValidationError as error:
        _add_errors(form, error)
        return _detail(request, saved, subscription_form=form, status=400)
    messages.success(request, _("The subscription is saved: the report will be sent by mail."))
    return redirect(f"{reverse('report_builder:detail', args=[saved.pk])}#subscriptions")


@reports_required
@require_POST
def subscription_delete(request, pk: int, subscription_pk: int):
    saved = _get_report(request, pk)
    subscription = (
        ReportSubscription.objects.select_related("report")
        .filter(pk=subscription_pk, report=saved)
        .first()
    )
    if subscription is None:
        raise Http404
    try:
        services.subscription_delete(subscription=subscription, by=request.user)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    messages.success(request, _("The subscription is removed."))
    return redirect(f"{reverse('report_builder:detail', args=[saved.pk])}#subscriptions")
