"""Course-grid upload for agents: upload, dry-run preview, import for real, progress."""

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from crm.csv import csv_response
from crm.errors import DomainError, NotAllowed

from . import rows, selectors, services
from .models import CourseGridImport
from .permissions import import_permission_required

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
REJECTED_SHOWN = 500


class CourseGridUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Course grid (CSV)"),
        help_text=gettext_lazy(
            "UTF-8 text, columns separated by “;” or “,”: sigle, titre, trimestre, "
            "departement, responsable_nom, responsable_courriel, approche, date_debut and "
            "optionally presentateurs."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check and preview, write nothing"),
        required=False,
        initial=True,
    )
    skip_invalid = forms.BooleanField(
        label=gettext_lazy("Skip invalid rows and import the others"), required=False
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is too large (%(max)d MB at most).")
                % {"max": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return file


def _own_job(request, pk: int) -> CourseGridImport:
    try:
        return selectors.course_grid_import_get(user=request.user, pk=pk)
    except CourseGridImport.DoesNotExist as exc:
        raise Http404 from exc


def _with_live_progress(job: CourseGridImport) -> CourseGridImport:
    if job.status == CourseGridImport.Status.RUNNING:
        processed = cache.get(rows.progress_cache_key(job.pk))
        if processed is not None:
            job.processed_rows = processed
    return job


@import_permission_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    form = CourseGridUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.course_grid_import_submit(
                uploaded_by=request.user,
                file=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
                skip_invalid=form.cleaned_data["skip_invalid"],
            )
        except rows.CourseGridFileError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("imports:detail", pk=job.pk)
    context = {"form": form, "jobs": selectors.course_grid_imports_of(user=request.user)}
    return render(request, "requests_app/import_upload.html", context)


@import_permission_required
@require_GET
def import_detail(request, pk: int):
    job = _with_live_progress(_own_job(request, pk))
    rejected_rows = job.report.get("rejected_rows", [])
    context = {
        "job": job,
        "report": job.report,
        "rejected_rows": rejected_rows[:REJECTED_SHOWN],
        "rejected_hidden": max(0, len(rejected_rows) - REJECTED_SHOWN),
        "finished": job.status in (CourseGridImport.Status.DONE, CourseGridImport.Status.FAILED),
        "interrupted": job.is_interrupted,
    }
    return render(request, "requests_app/import_detail.html", context)


@import_permission_required
@require_GET
def import_progress(request, pk: int):
    """Polled by the job page every two seconds; once the job ends, the page reloads."""
    job = _with_live_progress(_own_job(request, pk))
    if job.is_interrupted or job.status in (
        CourseGridImport.Status.DONE,
        CourseGridImport.Status.FAILED,
    ):
        if request.htmx:
            return HttpResponseClientRefresh()
        return redirect("imports:detail", pk=job.pk)
    return render(request, "requests_app/import_progress.html", {"job": job})


@import_permission_required
@require_POST
def import_confirm(request, pk: int):
    job = _own_job(request, pk)
    try:
        new_job = services.course_grid_import_confirm(
            job=job, by=request.user, skip_invalid=request.POST.get("skip_invalid") == "1"
        )
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("imports:detail", pk=job.pk)
    return redirect("imports:detail", pk=new_job.pk)


@import_permission_required
@require_POST
def import_resume(request, pk: int):
    job = _own_job(request, pk)
    try:
        services.course_grid_import_resume(job=job, by=request.user)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The import is queued again."))
    return redirect("imports:detail", pk=job.pk)


@import_permission_required
@require_GET
def import_rejected_csv(request, pk: int):
    job = _own_job(request, pk)
    report = job.report
    if not report.get("rejected_rows"):
        raise Http404
    header, body = rows.rejected_rows_table(
        header=report.get("header", []), rows=report["rejected_rows"]
    )
    stem = job.original_name.rsplit(".", 1)[0] or "grid"
    return csv_response(
        body,
        header=header,
        delimiter=report.get("delimiter", ";"),
        filename=f"{stem}.rejected.csv",
    )
