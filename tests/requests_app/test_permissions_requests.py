"""Who may act on a service request: agents of a group with a task on it or of its type's
default group (or holders of tasks_app.work_any_task); the requester may cancel it while it is
submitted and write comments. Managers, agents of other groups and agents in no group may not."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from crm.errors import NotAllowed
from crm.models import Notification, User
from requests_app.models import JournalEntry, ServiceRequest
from requests_app.requests import journal as request_journal
from requests_app.requests import permissions
from requests_app.requests import services as request_services
from tasks_app import services as task_services
from tasks_app.models import Task
from tests import factories
from tests.helpers import rows_of, text

pytestmark = pytest.mark.django_db

REFUSED = ["colleague", "outsider", "manager", "citizen"]
MODELS = (
    ServiceRequest,
    ServiceRequest.history.model,
    Task,
    Task.history.model,
    JournalEntry,
    Notification,
    User,
)


@pytest.fixture
def request_type(ours):
    return factories.chain_request_type(group=ours)


@pytest.fixture
def service_request(people, request_type):
    """A submitted request of ``ours``: step 1 open, step 2 waiting."""
    return request_services.request_create(
        requester=people["requester"].client, request_type=request_type, title="MED1001"
    )


def _resolve(request, owner):
    for task in request.tasks.order_by("template__sequence"):
        task_services.task_close(task=task, by=owner)
    request.refresh_from_db()
    assert request.status == ServiceRequest.Status.RESOLVED


# action: (whether the request must be resolved first, the service call, the HTTP data)
ACTIONS = {
    "cancel": (
        False,
        lambda r, u: request_services.request_cancel(request=r, by=u, reason="Annulé"),
        {"reason": "Annulé"},
    ),
    "close": (True, lambda r, u: request_services.request_close(request=r, by=u), {}),
    "reopen": (
        True,
        lambda r, u: request_services.request_reopen(request=r, by=u, reason="Pas fini"),
        {"reason": "Pas fini"},
    ),
    "comment": (
        False,
        lambda r, u: request_journal.journal_add(by=u, request=r, kind="comment", body="Bonjour"),
        None,
    ),
    "work_note": (
        False,
        lambda r, u: request_journal.journal_add(by=u, request=r, kind="work_note", body="Note"),
        None,
    ),
}
HTTP_ACTIONS = [name for name, (_r, _c, data) in ACTIONS.items() if data is not None]


def _prepare(action, request, people):
    if ACTIONS[action][0]:
        _resolve(request, people["owner"])
    return request


@pytest.mark.parametrize("persona", REFUSED)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_only_the_requests_agents_may_act_on_it_in_the_services(
    service_request, people, action, persona
):
    # given
    request = _prepare(action, service_request, people)
    before = rows_of(*MODELS)
    # when / then
    with pytest.raises(NotAllowed):
        ACTIONS[action][1](request, people[persona])
    assert rows_of(*MODELS) == before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_an_agent_of_the_requests_group_acts_on_it(service_request, people, action):
    request = _prepare(action, service_request, people)
    before = rows_of(*MODELS)

    ACTIONS[action][1](request, people["owner"])

    assert rows_of(*MODELS) != before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_group_lending_only_a_support_task_may_not_act_on_the_request(
    service_request, people, theirs, action
):
    # given: a support task of theirs under step 1 (their group owns no step of the chain)
    request = _prepare(action, service_request, people)
    step = request.tasks.get(template__sequence="1")
    Task.objects.create(
        kind=Task.Kind.SUPPORT,
        request=request,
        parent=step,
        title="Soutien",
        assignment_group=theirs,
        status=Task.Status.CLOSED,
    )
    before = rows_of(*MODELS)
    # when / then: closing, reopening or cancelling the request (and every group's tasks with
    # it) belongs to the groups of its steps
    with pytest.raises(NotAllowed):
        ACTIONS[action][1](request, people["colleague"])
    assert rows_of(*MODELS) == before


def test_holder_of_work_any_task_cancels_any_request(service_request, people):
    people["outsider"].user_permissions.add(
        Permission.objects.get(content_type__app_label="tasks_app", codename="work_any_task")
    )
    helper = User.objects.get(pk=people["outsider"].pk)  # permissions are cached per instance

    request_services.request_cancel(request=service_request, by=helper)

    service_request.refresh_from_db()
    assert service_request.status == ServiceRequest.Status.CANCELLED


def test_the_requester_cancels_the_request_while_it_is_submitted(service_request, people):
    request_services.request_cancel(request=service_request, by=people["requester"])

    service_request.refresh_from_db()
    assert service_request.status == ServiceRequest.Status.CANCELLED
    assert not service_request.tasks.not_done().exists()


def test_the_requester_may_not_cancel_once_work_started(service_request, people):
    # given
    step = service_request.tasks.get(template__sequence="1")
    task_services.task_start(task=step, by=people["owner"])
    before = rows_of(*MODELS)
    # when / then
    with pytest.raises(NotAllowed):
        request_services.request_cancel(request=service_request, by=people["requester"])
    assert rows_of(*MODELS) == before


@pytest.mark.parametrize("action", ["close", "reopen", "work_note"])
def test_the_requester_may_not_close_reopen_or_write_work_notes(service_request, people, action):
    request = _prepare(action, service_request, people)
    before = rows_of(*MODELS)

    with pytest.raises(NotAllowed):
        ACTIONS[action][1](request, people["requester"])

    assert rows_of(*MODELS) == before


def test_the_requester_writes_a_comment(service_request, people):
    entry = request_journal.journal_add(
        by=people["requester"], request=service_request, kind="comment", body="Merci"
    )
    assert entry.is_public


def test_an_outsider_cannot_cancel_a_request_nor_its_other_groups_tasks(service_request, people):
    # The measured bug: any back-office user cancelled any request, and its tasks with it.
    with pytest.raises(NotAllowed):
        request_services.request_cancel(request=service_request, by=people["outsider"])
    assert service_request.tasks.filter(status=Task.Status.CANCELLED).count() == 0


# Over HTTP ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["colleague", "outsider", "manager", "citizen", "requester"])
@pytest.mark.parametrize("action", HTTP_ACTIONS)
def test_a_forged_post_is_answered_403_and_changes_nothing(
    service_request, people, login, action, persona
):
    request = _prepare(action, service_request, people)
    before = rows_of(*MODELS)

    response = login(people[persona]).post(
        reverse("requests:action", args=[request.pk, action]), ACTIONS[action][2]
    )

    assert response.status_code == 403
    assert rows_of(*MODELS) == before


@pytest.mark.parametrize("action", HTTP_ACTIONS)
def test_anonymous_posts_are_sent_to_login(service_request, people, client, action):
    request = _prepare(action, service_request, people)
    before = rows_of(*MODELS)

    response = client.post(
        reverse("requests:action", args=[request.pk, action]), ACTIONS[action][2]
    )

    assert response.status_code == 302 and "login" in response["Location"]
    assert rows_of(*MODELS) == before


@pytest.mark.parametrize("action", HTTP_ACTIONS)
def test_an_agent_of_the_group_acts_over_http(service_request, people, login, action):
    request = _prepare(action, service_request, people)
    before = rows_of(*MODELS)

    response = login(people["owner"]).post(
        reverse("requests:action", args=[request.pk, action]), ACTIONS[action][2]
    )

    assert response.status_code == 302
    assert rows_of(*MODELS) != before


# Creating an assisted request ---------------------------------------------------------------


def _assisted_form(request_type):
    return {
        "new_first_name": "Nouvelle",
        "new_last_name": "Personne",
        "new_email": "nouveau@example.org",
        "request_type": request_type.pk,
        "channel": "phone",
        "title": "Demande au comptoir",
    }


@pytest.mark.parametrize("persona", ["manager", "citizen"])
def test_only_agents_create_assisted_requests_in_the_services(people, request_type, persona):
    before = rows_of(*MODELS)

    with pytest.raises(NotAllowed):
        request_services.request_create(
            requester=people["requester"].client,
            request_type=request_type,
            title="X",
            by=people[persona],
        )

    assert rows_of(*MODELS) == before


@pytest.mark.parametrize("persona", ["manager", "citizen"])
def test_only_agents_create_assisted_requests_over_http(people, request_type, login, persona):
    client = login(people[persona])
    before = rows_of(*MODELS)

    assert client.get(reverse("requests:create")).status_code == 403
    response = client.post(reverse("requests:create"), _assisted_form(request_type))

    assert response.status_code == 403
    assert rows_of(*MODELS) == before


def test_anonymous_is_sent_to_login_from_the_assisted_request_form(request_type, client):
    response = client.post(reverse("requests:create"), _assisted_form(request_type))

    assert response.status_code == 302 and "login" in response["Location"]
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize("persona", ["owner", "outsider"])
def test_any_agent_creates_an_assisted_request(people, request_type, login, persona):
    response = login(people[persona]).post(reverse("requests:create"), _assisted_form(request_type))

    assert response.status_code == 302
    assert ServiceRequest.objects.get().created_by == people[persona]


# Pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner", "outsider", "manager"])
def test_back_office_users_read_the_request_pages(service_request, people, login, persona):
    client = login(people[persona])
    for url in (reverse("requests:list"), service_request.get_absolute_url()):
        assert client.get(url).status_code == 200, url


def test_citizens_are_refused_the_request_pages(service_request, people, login):
    client = login(people["requester"])
    for url in (reverse("requests:list"), service_request.get_absolute_url()):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitor_is_sent_to_login_from_the_request_pages(service_request, client):
    for url in (reverse("requests:list"), service_request.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


@pytest.mark.parametrize("persona", ["manager", "outsider", "colleague"])
def test_the_request_page_shows_no_action_to_who_may_not_act(
    service_request, people, login, persona
):
    page = text(login(people[persona]).get(service_request.get_absolute_url()))

    assert reverse("requests:action", args=[service_request.pk, "cancel"]) not in page


def test_the_request_page_shows_the_actions_to_the_requests_agents(service_request, people, login):
    page = text(login(people["owner"]).get(service_request.get_absolute_url()))

    assert reverse("requests:action", args=[service_request.pk, "cancel"]) in page


def test_managers_see_no_button_to_create_a_request(people, login):
    page = text(login(people["manager"]).get(reverse("requests:list")))

    assert reverse("requests:create") not in page


def test_permission_functions_answer_for_the_views(service_request, people):
    assert permissions.can_cancel_request(people["owner"], service_request)
    assert permissions.can_cancel_request(people["requester"], service_request)
    for persona in REFUSED:
        assert not permissions.can_cancel_request(people[persona], service_request)


def test_the_task_rule_asked_by_name_exists():
    # The journal of a task asks tasks_app's rule by its name: a rename must break this test.
    import rules

    from requests_app.requests.permissions import WORK_ON_TASK

    assert rules.perm_exists(WORK_ON_TASK)
