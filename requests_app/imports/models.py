"""Course-grid import jobs."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A job "running" for longer than this has lost its worker: it is shown as interrupted, the
# agent may resume it, and the worker claims it again.
STALE_AFTER = timedelta(minutes=30)


class CourseGridImport(models.Model):
    """One upload of a course grid: its file, its progress and its report."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT
    )
    dry_run = models.BooleanField(_("dry run"), default=True)
    skip_invalid = models.BooleanField(_("skip invalid rows"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed rows"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("course-grid import")
        verbose_name_plural = _("course-grid imports")
        ordering = ["-created_at"]

    def __str__(self):
        return self.original_name

    @property
    def refused(self) -> bool:
        """Finished, meant for real, and nothing written because rows were rejected."""
        return (
            self.status == self.Status.DONE
            and not self.dry_run
            and bool((self.report or {}).get("rejected"))
            and not (self.report or {}).get("applied")
        )

    @property
    def outcome_label(self) -> str:
        """The status as the import lists show it: a refused import is not "done"."""
        if self.refused:
            return _("refused")
        return self.get_status_display()

    @property
    def outcome_class(self) -> str:
        """The badge colour of ``outcome_label``."""
        if self.status == self.Status.FAILED:
            return "danger"
        if self.refused:
            return "warning"
        if self.status == self.Status.DONE:
            return "success"
        return "secondary"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def is_interrupted(self) -> bool:
        """Its worker died: still "running" long after it started."""
        return (
            self.status == self.Status.RUNNING
            and self.started_at is not None
            and self.started_at < timezone.now() - STALE_AFTER
        )
