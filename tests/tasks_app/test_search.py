"""Searching the task list: numbers, the task's title, its request's title and requester,
whatever the accents and the case (tasks_app/search.py)."""

import pytest
from django.urls import reverse

from tasks_app.models import Task
from tasks_app.search import task_search
from tests import factories
from tests.explain import plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks():
    group = factories.AssignmentGroupFactory()
    kind = factories.chain(["1"], group=group)
    requester = factories.ClientFactory(first_name="Hélène", last_name="Bérubé")
    request = factories.ServiceRequestFactory(
        request_type=kind, requester=requester, title="Médiatisation du cours PHA1234"
    )
    return {
        "step": request.tasks.get(),
        "todo": factories.TaskFactory(title="Vérifier l'éclairage", assignment_group=group),
    }


def found(q, tasks) -> set[str]:
    names = {task.pk: name for name, task in tasks.items()}
    return {names[t.pk] for t in task_search(Task.objects.all(), q) if t.pk in names}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("eclairage", {"todo"}),  # the task's own title, typed without accents
        ("VÉRIFIER", {"todo"}),
        ("mediatisation", {"step"}),  # the request's title
        ("pha1234", {"step"}),
        ("helene berube", {"step"}),  # the requester
        ("BÉRUBÉ", {"step"}),
        ("personne", set()),
    ],
)
def test_tasks_are_found_by_title_request_or_requester(tasks, q, expected):
    assert found(q, tasks) == expected


def test_numbers_find_the_task_or_the_requests_tasks(tasks):
    step = tasks["step"]
    assert found(f"TASK{step.pk:07d}", tasks) == {"step"}
    assert found(str(tasks["todo"].pk), tasks) == {"todo"}
    assert found(f"REQ{step.request_id:07d}", tasks) == {"step"}


@pytest.mark.parametrize("q", ["%", "_", "\\", "'\"", "a" * 200, "TASK"])
def test_odd_input_never_fails_the_task_list(login, agent, tasks, q):
    assert login(agent).get(reverse("tasks:all"), {"q": q}).status_code == 200


def test_the_all_tasks_page_searches_without_accents(login, agent, tasks):
    html = login(agent).get(reverse("tasks:all"), {"q": "eclairage"}).content.decode()
    assert "Vérifier l&#x27;éclairage" in html
    assert "Étape 1" not in html


def test_task_search_reads_the_task_and_request_title_indexes():
    explained = plan(task_search(Task.objects.all(), "éclairage"))
    assert "task_title_trgm" in explained
    assert "request_title_trgm" in explained
