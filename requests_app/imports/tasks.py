import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import apply, rows
from .models import STALE_AFTER, CourseGridImport

logger = logging.getLogger(__name__)

PROGRESS_TTL = 6 * 3600


@shared_task(name="requests_app.tasks.course_grid_import_run")
def course_grid_import_run(import_id: int) -> str | None:
    """Run one uploaded course grid, once: the job is claimed with a conditional update.

    Progress goes to the cache while the import's transaction is open (other connections would
    not see it in the database before it commits); the report goes to the job at the end.
    """
    # A job left "running" by a worker that died is claimed again once it is clearly stale:
    # its transaction was rolled back with the worker, so running it again writes it once.
    now = timezone.now()
    claimed = (
        CourseGridImport.objects.filter(pk=import_id)
        .filter(
            Q(status=CourseGridImport.Status.QUEUED)
            | Q(status=CourseGridImport.Status.RUNNING, started_at__lt=now - STALE_AFTER)
        )
        .update(status=CourseGridImport.Status.RUNNING, started_at=now)
    )
    if not claimed:
        return None
    job = CourseGridImport.objects.select_related("uploaded_by").get(pk=import_id)
    key = rows.progress_cache_key(job.pk)

    def progress(fraction: float) -> None:
        cache.set(key, int(fraction * job.total_rows), PROGRESS_TTL)

    status, report, total = CourseGridImport.Status.DONE, {}, job.total_rows
    with translation.override(job.uploaded_by.language or settings.LANGUAGE_CODE):
        try:
            with job.file.open("rb") as handle:
                data = handle.read()
            result = apply.course_grid_import(
                data=data,
                by=job.uploaded_by,
                dry_run=job.dry_run,
                skip_invalid=job.skip_invalid,
                progress=progress,
            )
            report, total = result.as_report(), result.total_rows
        except rows.CourseGridFileError as exc:
            status, report = CourseGridImport.Status.FAILED, {"file_error": str(exc.message)}
        except Exception:
            logger.exception("course-grid import %s failed", import_id)
            status = CourseGridImport.Status.FAILED
            report = {"error": _("The import stopped on an unexpected error; nothing was written.")}
    CourseGridImport.objects.filter(pk=import_id).update(
        status=status,
        report=report,
        total_rows=total,
        processed_rows=total if status == CourseGridImport.Status.DONE else 0,
        finished_at=timezone.now(),
    )
    cache.delete(key)
    return status
