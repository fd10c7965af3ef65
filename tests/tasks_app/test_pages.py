"""The agent's task and request pages: who may see and do what, and what they show."""

import json

import pytest
from django.urls import reverse

from contacts.models import Client
from crm.models import User
from requests_app.models import ServiceRequest
from requests_app.requests.journal import journal_add
from tasks_app.models import Task
from tests import factories
from tests.helpers import text
from tests.tasks_app.conftest import by_sequence

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name,args",
    [
        ("tasks:mine", []),
        ("tasks:queue", []),
        ("tasks:all", []),
        ("tasks:kanban", []),
        ("requests:list", []),
        ("requests:create", []),
    ],
)
def test_citizen_reaches_no_agent_page(login, citizen, name, args):
    assert login(citizen).get(reverse(name, args=args)).status_code == 403


def test_citizen_reaches_no_task_or_request_page_nor_action(login, citizen, faculty_request):
    interview = by_sequence(faculty_request)["1"]
    client = login(citizen)
    assert client.get(interview.get_absolute_url()).status_code == 403
    assert client.get(faculty_request.get_absolute_url()).status_code == 403
    assert client.post(reverse("tasks:action", args=[interview.pk, "take"])).status_code == 403
    assert (
        client.post(
            reverse("tasks:move", args=[interview.pk]), {"status": "in_progress"}
        ).status_code
        == 403
    )
    interview.refresh_from_db()
    assert interview.assignee is None


def test_queue_lists_my_groups_unassigned_open_tasks_only(
    login, pedagogue, technologist, faculty_request
):
    response = login(pedagogue).get(reverse("tasks:queue"))
    page = text(response)
    tasks = by_sequence(faculty_request)
    assert tasks["1"].number in page
    assert tasks["2.1"].number not in page  # pending, and another group's
    response = login(technologist).get(reverse("tasks:queue"))
    assert tasks["1"].number not in text(response)


def test_my_tasks_after_taking(login, pedagogue, faculty_request):
    interview = by_sequence(faculty_request)["1"]
    client = login(pedagogue)
    response = client.post(reverse("tasks:action", args=[interview.pk, "take"]), follow=True)
    assert interview.number in text(response)
    assert interview.number in text(client.get(reverse("tasks:mine")))
    assert interview.number not in text(client.get(reverse("tasks:queue")))


def test_outsider_agent_sees_the_task_but_cannot_act(login, outsider_agent, faculty_request):
    interview = by_sequence(faculty_request)["1"]
    client = login(outsider_agent)
    page = client.get(interview.get_absolute_url())
    assert page.status_code == 200
    assert 'data-testid="take"' not in text(page)
    response = client.post(reverse("tasks:action", args=[interview.pk, "take"]))
    assert response.status_code == 403
    assert "Techno-pédagogues" in text(response)
    interview.refresh_from_db()
    assert interview.assignee is None


def test_task_page_shows_instructions_request_and_actions(login, pedagogue, faculty_request):
    interview = by_sequence(faculty_request)["1"]
    interview.template.instructions = "Premier contact avec l'enseignant"
    interview.template.save()
    page = text(login(pedagogue).get(interview.get_absolute_url()))
    assert "Premier contact avec l'enseignant" in page
    assert faculty_request.number in page
    assert 'data-testid="take"' in page and 'data-testid="start"' in page


def test_journal_error_keeps_what_was_typed(login, pedagogue, faculty_request):
    interview = by_sequence(faculty_request)["1"]
    response = login(pedagogue).post(
        reverse("tasks:journal", args=[interview.pk]), {"kind": "bogus", "body": "Mon texte"}
    )
    assert response.status_code == 400
    assert "Mon texte" in text(response)


def test_filters_by_status_and_number(login, pedagogue, faculty_request):
    tasks = by_sequence(faculty_request)
    client = login(pedagogue)
    page = text(client.get(reverse("tasks:all"), {"status": "pending"}))
    assert tasks["3"].number in page and tasks["1"].number not in page
    page = text(client.get(reverse("tasks:all"), {"q": tasks["2.2"].number}))
    assert tasks["2.2"].number in page and tasks["2.1"].number not in page


def test_task_list_query_count_does_not_grow_with_rows(
    login, pedagogue, faculty_type, citizen, django_assert_max_num_queries
):
    from requests_app.requests.services import request_create

    client = login(pedagogue)
    request_create(requester=citizen.client, request_type=faculty_type, title="1")
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("tasks:all"))
    for i in range(15):
        request_create(requester=citizen.client, request_type=faculty_type, title=str(i))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("tasks:all"))


def test_kanban_move_calls_the_same_service(login, pedagogue, faculty_request):
    interview = by_sequence(faculty_request)["1"]
    response = login(pedagogue).post(
        reverse("tasks:move", args=[interview.pk]), {"status": "in_progress"}
    )
    assert response.status_code == 200 and json.loads(response.content)["ok"]
    interview.refresh_from_db()
    assert (interview.status, interview.assignee) == (Task.Status.IN_PROGRESS, pedagogue)


def test_kanban_refuses_pending_to_in_progress(login, technologist, faculty_request):
    planning = by_sequence(faculty_request)["2.1"]
    response = login(technologist).post(
        reverse("tasks:move", args=[planning.pk]), {"status": "in_progress"}
    )
    assert response.status_code == 409
    assert "en attente" in json.loads(response.content)["message"]
    planning.refresh_from_db()
    assert planning.status == Task.Status.PENDING


def test_kanban_move_by_outsider_is_refused(login, outsider_agent, faculty_request):
    interview = by_sequence(faculty_request)["1"]
    response = login(outsider_agent).post(
        reverse("tasks:move", args=[interview.pk]), {"status": "in_progress"}
    )
    assert response.status_code == 403
    interview.refresh_from_db()
    assert interview.status == Task.Status.OPEN


def test_request_page_draws_the_chain_with_a_status_per_step(login, pedagogue, faculty_request):
    page = text(login(pedagogue).get(faculty_request.get_absolute_url()))
    assert page.count('data-testid="chain-node"') == 4
    assert page.count('data-testid="chain-node" data-status="pending"') == 3
    assert page.count('data-testid="chain-node" data-status="open"') == 1


def test_request_page_query_count_is_constant(
    login, pedagogue, faculty_request, django_assert_max_num_queries
):
    client = login(pedagogue)
    with django_assert_max_num_queries(40) as first:
        client.get(faculty_request.get_absolute_url())
    for i in range(10):
        journal_add(by=pedagogue, request=faculty_request, kind="work_note", body=str(i))
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(faculty_request.get_absolute_url())


def test_agent_files_an_assisted_request_for_a_new_client(login, pedagogue, faculty_type):
    # given
    users_before = User.objects.count()

    # when
    response = login(pedagogue).post(
        reverse("requests:create"),
        {
            "new_first_name": "Léa",
            "new_last_name": "Roy",
            "new_email": "Nouveau@Example.org",
            "new_phone": "514 555-0101",
            "request_type": faculty_type.pk,
            "channel": "phone",
            "title": "Cours MED2002",
        },
    )

    # then
    request = ServiceRequest.objects.get(title="Cours MED2002")
    assert response["Location"] == request.get_absolute_url()
    assert request.requester.email == "nouveau@example.org"
    assert (request.requester.first_name, request.requester.last_name) == ("Léa", "Roy")
    assert request.requester.phone == "514 555-0101"
    assert request.requester.user is None
    assert User.objects.count() == users_before
    assert request.requester.history.get().history_user == pedagogue
    assert request.created_by == pedagogue and request.is_assisted
    assert request.tasks.count() == 4


def test_agent_files_an_assisted_request_for_a_client_picked_in_the_search(
    login, pedagogue, faculty_type
):
    # given
    lea = factories.ClientFactory(first_name="Léa", last_name="Roy")

    # when
    response = login(pedagogue).post(
        reverse("requests:create"),
        {
            "client_q": "Roy",
            "client": lea.pk,
            "request_type": faculty_type.pk,
            "channel": "counter",
            "title": "Cours MED2003",
        },
    )

    # then
    request = ServiceRequest.objects.get(title="Cours MED2003")
    assert response.status_code == 302
    assert request.requester == lea
    assert Client.objects.count() == 1


def test_assisted_request_form_keeps_input_on_error(login, pedagogue, faculty_type):
    # given
    lea = factories.ClientFactory(first_name="Léa", last_name="Roy", email="lea@example.org")

    # when the client is picked but the title is missing
    response = login(pedagogue).post(
        reverse("requests:create"),
        {
            "client_q": "Roy",
            "client": lea.pk,
            "request_type": faculty_type.pk,
            "channel": "phone",
            "description": "Ma description gardée",
        },
    )

    # then the picked client, the search and the text typed are still there
    assert response.status_code == 400
    page = text(response)
    assert "Ma description gardée" in page
    assert f'value="{lea.pk}" checked' in response.content.decode()
    assert 'value="Roy"' in response.content.decode()
    assert "lea@example.org" in page
    assert not ServiceRequest.objects.exists()


def test_assisted_request_form_keeps_a_new_client_typed_with_a_bad_email(
    login, pedagogue, faculty_type
):
    response = login(pedagogue).post(
        reverse("requests:create"),
        {
            "new_first_name": "Léa",
            "new_last_name": "Roy",
            "new_email": "pas-un-courriel",
            "request_type": faculty_type.pk,
            "channel": "phone",
            "title": "Mon titre gardé",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Mon titre gardé"' in html
    assert 'value="pas-un-courriel"' in html and 'value="Léa"' in html
    assert not ServiceRequest.objects.exists()
    assert not Client.objects.exists()


def test_assisted_request_needs_a_client(login, pedagogue, faculty_type):
    response = login(pedagogue).post(
        reverse("requests:create"),
        {"request_type": faculty_type.pk, "channel": "phone", "title": "Pour personne"},
    )
    assert response.status_code == 400
    assert "choisissez un client" in text(response)
    assert not ServiceRequest.objects.exists()


def test_a_new_client_with_the_email_of_an_existing_one_is_refused(login, pedagogue, faculty_type):
    factories.ClientFactory(email="lea@example.org")
    response = login(pedagogue).post(
        reverse("requests:create"),
        {
            "new_first_name": "Léa",
            "new_last_name": "Roy",
            "new_email": "LEA@example.org",
            "request_type": faculty_type.pk,
            "channel": "phone",
            "title": "Doublon",
        },
    )
    assert response.status_code == 400
    assert Client.objects.count() == 1
    assert not ServiceRequest.objects.exists()


def test_request_cancel_from_its_page(login, pedagogue, faculty_request):
    login(pedagogue).post(
        reverse("requests:action", args=[faculty_request.pk, "cancel"]), {"reason": "Annulé"}
    )
    faculty_request.refresh_from_db()
    assert faculty_request.status == ServiceRequest.Status.CANCELLED


def test_agent_creates_a_support_task_from_the_task_page(
    login, technologist, pedagogue, faculty_request, groups
):
    from tasks_app import services

    services.task_close(task=by_sequence(faculty_request)["1"], by=pedagogue)
    planning = by_sequence(faculty_request)["2.1"]
    client = login(technologist)
    page = text(client.get(planning.get_absolute_url()))
    assert page.count('id="id_assignee"') == 1
    form = text(client.get(reverse("tasks:support", args=[planning.pk]), HTTP_HX_REQUEST="true"))
    assert 'name="support-title"' in form and "<html" not in form
    response = client.post(
        reverse("tasks:support", args=[planning.pk]),
        {"support-title": "Soutien Zoom en salle", "support-assignment_group": groups[1].pk},
    )
    assert response.status_code == 302
    child = planning.support_tasks.get()
    assert (child.title, child.kind, child.status) == ("Soutien Zoom en salle", "support", "open")


def test_status_filter_adds_no_distinct():
    from django.http import QueryDict

    from tasks_app.selectors import task_list
    from tests import factories

    user = factories.agent(email="filtre@example.org")
    sql = str(
        task_list(user=user, scope="all", params=QueryDict("status=open&status=pending")).qs.query
    )
    assert "DISTINCT" not in sql
