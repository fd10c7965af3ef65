"""Upload jobs of course grids: kept, run at once when small or in the worker, confirmed."""

from django.db import transaction
from django.utils.translation import gettext as _

from crm.errors import DomainError
from crm.models import User

from . import permissions
from .models import CourseGridImport
from .reading import course_grid_read
from .rows import INLINE_MAX_ROWS
from .tasks import course_grid_import_run


def _schedule(job: CourseGridImport) -> None:
    if job.total_rows < INLINE_MAX_ROWS:
        course_grid_import_run(job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: course_grid_import_run.delay(job.pk))


def course_grid_import_submit(
    *, uploaded_by: User, file, dry_run: bool = True, skip_invalid: bool = False
) -> CourseGridImport:
    """Keep an uploaded grid and run it: at once when small, in the worker otherwise.

    Raises ``CourseGridFileError`` (nothing kept) when the file is not a course grid.
    """
    permissions.require_import(uploaded_by)
    file.seek(0)
    grid = course_grid_read(data=file.read())
    file.seek(0)
    job = CourseGridImport(
        file=file,
        original_name=(file.name or "grid.csv")[:255],
        uploaded_by=uploaded_by,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        total_rows=len(grid.records),
    )
    job.save()
    _schedule(job)
    return job


def course_grid_import_confirm(
    *, job: CourseGridImport, by: User, skip_invalid: bool
) -> CourseGridImport:
    """Run a checked dry run for real, on the same stored file, once.

    The dry run is locked while its import is created: a confirmation sent several times at
    once (double click, two tabs) finds the import the first one created and returns it.
    """
    permissions.require_confirm_import(by, job)
    with transaction.atomic():
        job = CourseGridImport.objects.select_for_update().get(pk=job.pk)
        if not job.dry_run or job.status != CourseGridImport.Status.DONE:
            raise DomainError(_("Only a finished dry run can be imported for real."))
        existing = (
            CourseGridImport.objects.filter(file=job.file.name, dry_run=False)
            .order_by("created_at")
            .first()
        )
        if existing is not None:
            return existing
        new_job = CourseGridImport.objects.create(
            file=job.file.name,
            original_name=job.original_name,
            uploaded_by=by,
            dry_run=False,
            skip_invalid=skip_invalid,
            total_rows=job.total_rows,
        )
        _schedule(new_job)
    return new_job


def course_grid_import_resume(*, job: CourseGridImport, by: User) -> CourseGridImport:
    """Queue again an import whose worker died; the worker claims it once (see tasks.py)."""
    permissions.require_confirm_import(by, job)
    if not job.is_interrupted:
        raise DomainError(_("Only an interrupted import can be resumed."))
    transaction.on_commit(lambda: course_grid_import_run.delay(job.pk))
    return job
