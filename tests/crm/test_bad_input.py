"""The rule at the edge: NUL bytes, over-long text and unsafe ``next`` values are refused or
ignored with a 4xx or a form error, never a 500."""

import pytest
from django.urls import reverse

from crm.validation import REASON_MAX_LENGTH, TEXT_MAX_LENGTH
from requests_app.models import ServiceRequest
from tasks_app.models import Task
from tests import factories

BIG = "x" * 1_000_000


@pytest.fixture
def english_agent(agent):
    agent.language = "en"
    agent.save(update_fields=["language"])
    return agent


@pytest.fixture
def own_task(english_agent):
    group = factories.AssignmentGroupFactory()
    group.members.add(english_agent)
    return factories.TaskFactory(
        assignment_group=group, assignee=english_agent, status=Task.Status.IN_PROGRESS
    )


@pytest.mark.django_db
def test_a_nul_byte_in_a_close_note_is_a_400_and_the_task_stays_open(client, own_task):
    # given
    client.force_login(own_task.assignee)

    # when
    response = client.post(
        reverse("tasks:action", args=[own_task.pk, "close"]), {"note": "fini\x00"}
    )

    # then
    assert response.status_code == 400
    own_task.refresh_from_db()
    assert own_task.status == Task.Status.IN_PROGRESS


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/agent/requests/", "/agent/incidents/all/", "/agent/tasks/all/"])
def test_a_nul_byte_in_a_list_search_is_a_400(client, english_agent, url):
    client.force_login(english_agent)

    assert client.get(url, {"q": "a\x00b"}).status_code == 400


@pytest.mark.django_db
def test_a_nul_byte_in_an_admin_list_filter_is_a_400(client, administrator):
    client.force_login(administrator)

    response = client.get("/admin/requests_app/servicerequest/", {"status__exact": "\x00"})

    assert response.status_code == 400


@pytest.mark.django_db
def test_a_one_megabyte_journal_entry_is_refused_with_a_form_error(client, own_task):
    # given
    client.force_login(own_task.assignee)

    # when
    response = client.post(
        reverse("tasks:journal", args=[own_task.pk]), {"kind": "work_note", "body": BIG}
    )

    # then
    assert response.status_code == 400
    errors = response.context["journal_form"].errors["body"]
    assert f"at most {TEXT_MAX_LENGTH} characters" in errors[0]


@pytest.mark.django_db
def test_a_one_megabyte_hold_reason_is_refused_with_a_message(client, own_task):
    client.force_login(own_task.assignee)

    response = client.post(
        reverse("tasks:action", args=[own_task.pk, "hold"]), {"reason": BIG}, follow=True
    )

    assert f"{REASON_MAX_LENGTH} characters at most" in response.content.decode()
    own_task.refresh_from_db()
    assert own_task.status == Task.Status.IN_PROGRESS


@pytest.mark.django_db
def test_a_one_megabyte_cancel_reason_of_a_request_is_refused(client, english_agent):
    service_request = factories.ServiceRequestFactory()
    client.force_login(english_agent)

    client.post(reverse("requests:action", args=[service_request.pk, "cancel"]), {"reason": BIG})

    service_request.refresh_from_db()
    assert service_request.status != ServiceRequest.Status.CANCELLED


@pytest.mark.django_db
def test_kanban_move_does_not_echo_an_unknown_status(client, own_task):
    client.force_login(own_task.assignee)

    response = client.post(reverse("tasks:move", args=[own_task.pk]), {"status": BIG})

    assert response.status_code == 409
    assert len(response.content) < 1_000
    assert "unknown status" in response.json()["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("bad_next", ["not a url", "javascript:alert(1)", "//evil.example", ""])
@pytest.mark.parametrize(
    ("name", "data", "fallback"),
    [
        ("set_display", {"theme": "dark"}, "/home/"),
        ("notifications_read_all", {}, "/notifications/"),
        ("set_language", {"language": "en"}, "/"),
    ],
)
def test_a_next_that_is_not_a_path_of_the_site_falls_back(
    client, english_agent, bad_next, name, data, fallback
):
    client.force_login(english_agent)

    response = client.post(reverse(name), {**data, "next": bad_next})

    assert response.status_code == 302
    assert response["Location"] == fallback


@pytest.mark.django_db
def test_a_next_that_is_a_path_of_the_site_is_followed(client, english_agent):
    client.force_login(english_agent)

    response = client.post(reverse("set_display"), {"theme": "dark", "next": "/agent/tasks/"})

    assert response["Location"] == "/agent/tasks/"
