"""Course-grid imports under operations: a confirmation sent several times at once, and a job
whose worker died."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from requests_app.imports import services as import_services
from requests_app.models import CourseGridImport, ServiceRequest
from tests.helpers import text
from tests.tasks_app.test_concurrency import _in_threads

from .conftest import grid, row

pytestmark = pytest.mark.usefixtures("faculty", "media", "english")


@pytest.fixture
def agent(agent):
    """The agent, reading the pages in English (the assertions read English text)."""
    agent.language = "en"
    agent.save(update_fields=["language"])
    return agent


def _job_of(user, data=None, **fields) -> CourseGridImport:
    fields.setdefault("original_name", "grille.csv")
    job = CourseGridImport(uploaded_by=user, **fields)
    job.file.save("grille.csv", ContentFile(data or grid([row()])), save=False)
    job.save()
    return job


@pytest.mark.django_db(transaction=True)
def test_one_dry_run_confirmed_five_times_at_once_creates_one_import(agent):
    # given: a finished dry run
    dry_run = _job_of(agent, dry_run=True, status=CourseGridImport.Status.DONE, total_rows=1)

    # when: five confirmations arrive at the same instant
    results = _in_threads(
        [
            lambda: (
                import_services.course_grid_import_confirm(
                    job=dry_run, by=agent, skip_invalid=False
                ).pk
            )
            for _ in range(5)
        ]
    )

    # then: one import, which every confirmation lands on
    assert not [r for r in results if isinstance(r, Exception)], results
    imports = CourseGridImport.objects.filter(dry_run=False)
    assert imports.count() == 1
    assert set(results) == {imports.get().pk}
    assert ServiceRequest.objects.count() == 1


@pytest.mark.django_db
def test_confirming_a_dry_run_again_lands_on_the_import_already_made(client, agent):
    # given
    dry_run = _job_of(agent, dry_run=True, status=CourseGridImport.Status.DONE, total_rows=1)
    client.force_login(agent)
    url = reverse("imports:confirm", args=[dry_run.pk])

    # when
    first, second = client.post(url), client.post(url)

    # then
    assert first["Location"] == second["Location"]
    assert CourseGridImport.objects.filter(dry_run=False).count() == 1


@pytest.mark.django_db
def test_an_import_whose_worker_died_is_shown_interrupted_with_resume(client, agent):
    # given: a job "running" long past STALE_AFTER
    job = _job_of(
        agent,
        dry_run=False,
        status=CourseGridImport.Status.RUNNING,
        started_at=timezone.now() - timedelta(hours=1),
        total_rows=1,
        processed_rows=0,
    )
    client.force_login(agent)

    # when
    page = text(client.get(reverse("imports:detail", args=[job.pk])))

    # then
    assert "interrupted" in page
    assert "Resume" in page
    assert reverse("imports:resume", args=[job.pk]) in page
    assert "interrupted" in text(client.get(reverse("imports:upload")))


@pytest.mark.django_db
def test_a_recent_running_import_is_not_interrupted(client, agent):
    job = _job_of(
        agent,
        dry_run=False,
        status=CourseGridImport.Status.RUNNING,
        started_at=timezone.now() - timedelta(minutes=2),
        total_rows=1,
    )
    client.force_login(agent)

    page = text(client.get(reverse("imports:detail", args=[job.pk])))

    assert "Resume" not in page
    response = client.post(reverse("imports:resume", args=[job.pk]), follow=True)
    assert "Only an interrupted import can be resumed." in text(response)
    job.refresh_from_db()
    assert job.status == CourseGridImport.Status.RUNNING


@pytest.mark.django_db
def test_resuming_an_interrupted_import_queues_it_again_and_it_runs_once(
    client, agent, monkeypatch, django_capture_on_commit_callbacks
):
    # given
    job = _job_of(
        agent,
        dry_run=False,
        status=CourseGridImport.Status.RUNNING,
        started_at=timezone.now() - timedelta(hours=1),
        total_rows=1,
    )
    queued = []
    monkeypatch.setattr(
        import_services.course_grid_import_run, "delay", lambda pk: queued.append(pk)
    )
    client.force_login(agent)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:resume", args=[job.pk]))

    # then: re-queued, and the worker claims and finishes it
    assert response.status_code == 302
    assert queued == [job.pk]
    assert import_services.course_grid_import_run(job.pk) == CourseGridImport.Status.DONE
    job.refresh_from_db()
    assert job.status == CourseGridImport.Status.DONE
    assert ServiceRequest.objects.count() == 1


@pytest.mark.django_db
def test_another_agent_cannot_resume_an_import_not_theirs(client, agent, colleague):
    job = _job_of(
        agent,
        dry_run=False,
        status=CourseGridImport.Status.RUNNING,
        started_at=timezone.now() - timedelta(hours=1),
    )
    client.force_login(colleague)

    assert client.post(reverse("imports:resume", args=[job.pk])).status_code == 404
