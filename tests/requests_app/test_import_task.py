"""The worker's side of an upload: claimed once, report and status kept on the job."""

import pytest
from django.core.files.base import ContentFile
from django.utils import translation

from requests_app.imports import apply as course_grid
from requests_app.models import CourseGridImport, ServiceRequest
from requests_app.tasks import course_grid_import_run
from tasks_app.chain import ChainRows
from tests import factories

from .conftest import grid, row

pytestmark = pytest.mark.usefixtures("faculty", "media")


def _job(data: bytes, *, dry_run=False, skip_invalid=False, **fields) -> CourseGridImport:
    job = CourseGridImport(
        original_name="grille.csv",
        uploaded_by=fields.pop("uploaded_by", None) or factories.agent(language="en"),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        **fields,
    )
    job.file.save("grille.csv", ContentFile(data), save=False)
    job.save()
    return job


def test_the_job_runs_once_however_often_it_is_delivered():
    # given
    job = _job(grid([row(), row(sigle="MMD2000")]), total_rows=2)

    # when
    first = course_grid_import_run(job.pk)
    second = course_grid_import_run(job.pk)

    # then
    assert (first, second) == (CourseGridImport.Status.DONE, None)
    assert ServiceRequest.objects.count() == 2
    job.refresh_from_db()
    assert job.status == CourseGridImport.Status.DONE
    assert job.finished_at is not None
    assert (job.processed_rows, job.total_rows, job.progress_percent) == (2, 2, 100)
    assert job.report["created"] == 2
    assert job.report["tasks_created"] == 8


def test_a_job_already_running_is_left_alone():
    from django.utils import timezone

    job = _job(grid([row()]), status=CourseGridImport.Status.RUNNING, started_at=timezone.now())

    assert course_grid_import_run(job.pk) is None
    assert ServiceRequest.objects.count() == 0


def test_a_job_left_running_by_a_dead_worker_runs_again_once_stale():
    from datetime import timedelta

    from django.utils import timezone

    job = _job(
        grid([row()]),
        status=CourseGridImport.Status.RUNNING,
        started_at=timezone.now() - timedelta(hours=1),
    )

    assert course_grid_import_run(job.pk) == CourseGridImport.Status.DONE
    assert ServiceRequest.objects.count() == 1
    assert course_grid_import_run(job.pk) is None


def test_rejected_rows_are_kept_in_the_report_in_the_uploaders_language():
    job = _job(grid([row(), row(sigle="MMD2000", date_debut="demain")]), dry_run=True)

    course_grid_import_run(job.pk)

    job.refresh_from_db()
    assert job.report["rejected_rows"] == [
        {
            "line": 3,
            "reasons": ["Bad date “demain” (expected YYYY-MM-DD or DD/MM/YYYY)."],
            "cells": list(row(sigle="MMD2000", date_debut="demain").values()),
        }
    ]
    assert (job.report["created"], job.report["rejected"]) == (1, 1)


def test_the_report_is_written_in_the_uploaders_language(monkeypatch):
    languages = []
    real_import = course_grid.course_grid_import

    def spying(**kwargs):
        languages.append(translation.get_language())
        return real_import(**kwargs)

    monkeypatch.setattr(course_grid, "course_grid_import", spying)
    job = _job(grid([row()]), dry_run=True, uploaded_by=factories.agent(language="fr"))

    with translation.override("en"):
        course_grid_import_run(job.pk)

    assert languages == ["fr"]


def test_a_file_that_is_not_a_grid_fails_the_job():
    job = _job(b"\xff\xfe\x00garbage")

    assert course_grid_import_run(job.pk) == CourseGridImport.Status.FAILED

    job.refresh_from_db()
    assert job.status == CourseGridImport.Status.FAILED
    assert job.report == {
        "file_error": "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."
    }


def test_an_unexpected_error_fails_the_job_and_writes_nothing(monkeypatch):
    # given: the tasks cannot be written once the requests are
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ChainRows, "tasks_of", broken)
    job = _job(grid([row()]))

    # when
    status = course_grid_import_run(job.pk)

    # then
    assert status == CourseGridImport.Status.FAILED
    assert ServiceRequest.objects.count() == 0
    job.refresh_from_db()
    assert "unexpected error" in job.report["error"]


def test_progress_is_reported_while_the_rows_are_written(monkeypatch):
    seen = []
    real_import = course_grid.course_grid_import

    def spying(**kwargs):
        progress = kwargs["progress"]
        kwargs["progress"] = lambda fraction: (seen.append(fraction), progress(fraction))
        return real_import(**kwargs)

    monkeypatch.setattr(course_grid, "CHUNK_SIZE", 2)
    monkeypatch.setattr(course_grid, "course_grid_import", spying)
    job = _job(grid([row(sigle=f"MMD{i:04d}") for i in range(5)]), total_rows=5)

    course_grid_import_run(job.pk)

    assert seen == [0.4, 0.8, 1.0]
