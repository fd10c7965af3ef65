"""Who may import a course grid: holders of requests_app.add_coursegridimport who may act in
the back office (agents, administrators), never managers nor citizens; only the uploader
confirms a dry run."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.errors import NotAllowed
from requests_app.imports import permissions
from requests_app.imports import services as import_services
from requests_app.models import CourseGridImport, ServiceRequest
from tests.helpers import rows_of

from .conftest import grid, row

pytestmark = pytest.mark.usefixtures("faculty", "media")

MODELS = (CourseGridImport, ServiceRequest)


@pytest.fixture
def dry_run(people):
    """A finished dry run uploaded by the owner."""
    job = CourseGridImport(
        uploaded_by=people["owner"],
        original_name="grille.csv",
        dry_run=True,
        status=CourseGridImport.Status.DONE,
        total_rows=1,
    )
    job.file.save("grille.csv", ContentFile(grid([row()])), save=False)
    job.save()
    return job


def _file():
    return SimpleUploadedFile("grille.csv", grid([row()]), content_type="text/csv")


@pytest.mark.parametrize("persona", ["manager", "citizen"])
def test_managers_and_citizens_may_not_upload(people, login, persona):
    before = rows_of(*MODELS)

    with pytest.raises(NotAllowed):
        import_services.course_grid_import_submit(uploaded_by=people[persona], file=_file())
    response = login(people[persona]).post(reverse("imports:upload"), {"file": _file()})

    assert response.status_code == 403
    assert rows_of(*MODELS) == before


def test_anonymous_upload_is_sent_to_login(client):
    response = client.post(reverse("imports:upload"), {"file": _file()})

    assert response.status_code == 302 and "login" in response["Location"]
    assert not CourseGridImport.objects.exists()


@pytest.mark.parametrize("persona", ["owner", "outsider"])
def test_agents_upload_a_grid(people, login, persona):
    response = login(people[persona]).post(
        reverse("imports:upload"), {"file": _file(), "dry_run": "on"}
    )

    assert response.status_code == 302
    assert CourseGridImport.objects.get().uploaded_by == people[persona]


@pytest.mark.parametrize("persona", ["outsider", "colleague", "manager", "citizen"])
def test_only_the_uploader_confirms_a_dry_run(dry_run, people, login, persona):
    before = rows_of(*MODELS)

    with pytest.raises(NotAllowed):
        import_services.course_grid_import_confirm(
            job=dry_run, by=people[persona], skip_invalid=False
        )
    response = login(people[persona]).post(reverse("imports:confirm", args=[dry_run.pk]))

    assert response.status_code in (403, 404)
    assert rows_of(*MODELS) == before


def test_a_manager_who_uploaded_before_becoming_manager_may_not_confirm(dry_run, people, login):
    # given: the uploader is now a manager only
    owner = people["owner"]
    owner.groups.set([people["manager"].groups.get()])
    before = rows_of(*MODELS)
    # when / then
    with pytest.raises(NotAllowed):
        import_services.course_grid_import_confirm(
            job=dry_run, by=type(owner).objects.get(pk=owner.pk), skip_invalid=False
        )
    response = login(owner).post(reverse("imports:confirm", args=[dry_run.pk]))
    assert response.status_code == 403
    assert rows_of(*MODELS) == before


def test_the_uploader_confirms_the_dry_run(dry_run, people, login):
    response = login(people["owner"]).post(reverse("imports:confirm", args=[dry_run.pk]))

    assert response.status_code == 302
    assert CourseGridImport.objects.filter(dry_run=False).count() == 1


def test_permission_functions_answer_for_the_views(dry_run, people):
    assert permissions.can_import(people["owner"])
    assert not permissions.can_import(people["manager"])
    assert permissions.can_confirm_import(people["owner"], dry_run)
    assert not permissions.can_confirm_import(people["outsider"], dry_run)
