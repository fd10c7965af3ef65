"""Who may work on a task: the members of its group (or holders of tasks_app.work_any_task),
never a manager, an agent of another group or an agent in no group; not over HTTP either."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from crm.errors import DomainError, NotAllowed
from crm.models import Notification
from requests_app.models import JournalEntry, ServiceRequest
from requests_app.requests import journal as request_journal
from requests_app.requests import services as request_services
from tasks_app import permissions
from tasks_app import services as task_services
from tasks_app.models import Task
from tests import factories
from tests.helpers import rows_of, text

pytestmark = pytest.mark.django_db

REFUSED = ["colleague", "outsider", "manager", "citizen"]
MODELS = (
    Task,
    Task.history.model,
    ServiceRequest,
    ServiceRequest.history.model,
    JournalEntry,
    Notification,
)


@pytest.fixture
def task(people, ours):
    """Step 1 of a request of ``ours``: open, nobody on it."""
    request = request_services.request_create(
        requester=people["requester"].client,
        request_type=factories.chain_request_type(group=ours),
        title="MED1001",
    )
    return request.tasks.get(template__sequence="1")


def _start(task, owner):
    task_services.task_start(task=task, by=owner)


def _hold(task, owner):
    _start(task, owner)
    task_services.task_hold(task=task, by=owner)


# action: (what the owner does first, the service call, the HTTP call)
ACTIONS = {
    "take": (None, lambda t, u: task_services.task_take(task=t, by=u), ("take", {})),
    "start": (None, lambda t, u: task_services.task_start(task=t, by=u), ("start", {})),
    "hold": (_start, lambda t, u: task_services.task_hold(task=t, by=u), ("hold", {})),
    "resume": (_hold, lambda t, u: task_services.task_resume(task=t, by=u), ("resume", {})),
    "close": (None, lambda t, u: task_services.task_close(task=t, by=u), ("close", {})),
    "cancel": (None, lambda t, u: task_services.task_cancel(task=t, by=u), ("cancel", {})),
    "assign": (
        None,
        lambda t, u: task_services.task_assign(task=t, assignee=None, by=u),
        ("assign", {"assignee": ""}),
    ),
    "support": (
        None,
        lambda t, u: task_services.support_task_create(
            parent=t, by=u, title="Soutien", assignment_group=t.assignment_group
        ),
        ("support", {"support-title": "Soutien"}),
    ),
    "journal": (
        None,
        lambda t, u: request_journal.journal_add(by=u, task=t, kind="comment", body="Bonjour"),
        ("journal", {"kind": "comment", "body": "Bonjour"}),
    ),
    "move": (None, None, ("move", {"status": "in_progress"})),
}
SERVICE_ACTIONS = [name for name, (_p, call, _h) in ACTIONS.items() if call is not None]


def _post(client, task, action):
    name, data = ACTIONS[action][2]
    data = dict(data)
    if name in ("take", "start", "hold", "resume", "close", "cancel"):
        url = reverse("tasks:action", args=[task.pk, name])
    else:
        url = reverse(f"tasks:{name}", args=[task.pk])
    if name == "support":
        data["support-assignment_group"] = task.assignment_group_id
    return client.post(url, data)


def _prepare(action, task, people):
    prepare = ACTIONS[action][0]
    if prepare is not None:
        prepare(task, people["owner"])
    task.refresh_from_db()
    return task


@pytest.mark.parametrize("persona", REFUSED)
@pytest.mark.parametrize("action", SERVICE_ACTIONS)
def test_only_the_tasks_group_may_act_on_it_in_the_services(task, people, action, persona):
    # given
    task = _prepare(action, task, people)
    before = rows_of(*MODELS)
    # when / then
    with pytest.raises(NotAllowed):
        ACTIONS[action][1](task, people[persona])
    assert rows_of(*MODELS) == before


@pytest.mark.parametrize("action", SERVICE_ACTIONS)
def test_a_member_of_the_tasks_group_acts_on_it(task, people, action):
    # given
    task = _prepare(action, task, people)
    before = rows_of(*MODELS)
    # when
    ACTIONS[action][1](task, people["owner"])
    # then
    assert rows_of(*MODELS) != before


@pytest.mark.parametrize("persona", ["colleague", "outsider", "manager", "citizen"])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_forged_post_is_answered_403_and_changes_nothing(task, people, login, action, persona):
    # given
    task = _prepare(action, task, people)
    before = rows_of(*MODELS)
    # when
    response = _post(login(people[persona]), task, action)
    # then
    assert response.status_code == 403
    assert rows_of(*MODELS) == before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_anonymous_posts_are_sent_to_login(task, people, client, action):
    task = _prepare(action, task, people)
    before = rows_of(*MODELS)

    response = _post(client, task, action)

    assert response.status_code == 302 and "login" in response["Location"]
    assert rows_of(*MODELS) == before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_member_acts_over_http(task, people, login, action):
    task = _prepare(action, task, people)
    before = rows_of(*MODELS)

    response = _post(login(people["owner"]), task, action)

    assert response.status_code in (200, 302)
    if action == "move":
        assert json.loads(response.content)["ok"]
    assert rows_of(*MODELS) != before


def test_holder_of_work_any_task_works_on_any_groups_task(task, people, ours):
    # given
    helper = factories.agent(email="renfort@example.org")
    helper.user_permissions.add(
        Permission.objects.get(content_type__app_label="tasks_app", codename="work_any_task")
    )
    # when
    task_services.task_take(task=task, by=helper)
    # then
    task.refresh_from_db()
    assert task.assignee == helper


def test_a_comment_by_an_outsider_never_reaches_the_citizen(task, people):
    with pytest.raises(NotAllowed):
        request_journal.journal_add(
            by=people["outsider"], task=task, kind="comment", body="Bonjour"
        )
    assert not Notification.objects.filter(recipient=people["requester"]).exists()


def test_a_member_may_not_assign_the_task_to_a_manager_of_the_group(task, people, ours):
    ours.members.add(people["manager"])
    with pytest.raises(DomainError):
        task_services.task_assign(task=task, assignee=people["manager"], by=people["owner"])
    task.refresh_from_db()
    assert task.assignee is None


# Pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner", "outsider", "manager"])
def test_back_office_users_read_the_task_pages(task, people, login, persona):
    client = login(people[persona])
    for url in (
        reverse("tasks:mine"),
        reverse("tasks:queue"),
        reverse("tasks:all"),
        reverse("tasks:kanban"),
        task.get_absolute_url(),
    ):
        assert client.get(url).status_code == 200, url


def test_citizens_are_refused_the_task_pages(task, people, login):
    client = login(people["requester"])
    for url in (reverse("tasks:mine"), reverse("tasks:kanban"), task.get_absolute_url()):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitor_is_sent_to_login_from_the_task_pages(task, client):
    for url in (reverse("tasks:mine"), reverse("tasks:kanban"), task.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


@pytest.mark.parametrize("persona", ["manager", "outsider", "colleague"])
def test_the_task_page_shows_no_action_to_who_may_not_act(task, people, login, persona):
    page = text(login(people[persona]).get(task.get_absolute_url()))

    assert 'data-testid="task-actions"' not in page
    assert 'data-testid="journal-add"' not in page
    assert reverse("tasks:assign", args=[task.pk]) not in page


def test_the_task_page_shows_the_actions_to_a_member(task, people, login):
    page = text(login(people["owner"]).get(task.get_absolute_url()))

    assert 'data-testid="task-actions"' in page
    assert 'data-testid="journal-add"' in page


def test_permission_functions_and_has_perm_answer_the_same(task, people):
    assert permissions.can_work_on_task(people["owner"], task)
    assert people["owner"].has_perm(permissions.WORK, task)
    for persona in REFUSED:
        assert not permissions.can_work_on_task(people[persona], task)
        assert not people[persona].has_perm(permissions.WORK, task)
