"""The faculty's chain worked end to end in the browser by two agents of two groups.

Interview (1) → Technology planning (2.1) ‖ Pedagogical coaching (2.2) → Compliance (3): the
techno-pedagogue does the interview on the task page, moves the coaching card on the Kanban
(a legal move, then an illegal one that is refused), and closes it; the technologist then does
the planning and the compliance, which resolves the request.
"""

import re

import pytest
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from crm.models import Notification
from requests_app.models import JournalEntry, RequestType, ServiceRequest
from requests_app.requests.services import request_create
from tasks_app import views as task_views
from tasks_app.models import ChainTemplate, Task, TaskTemplate
from tests import factories

# Transactional: the live server answers from another thread and must see the test's data.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PEDAGOGUE = "tp@example.org"
TECHNOLOGIST = "techno@example.org"


@pytest.fixture
def faculty(transactional_db, eager_celery):
    """The two groups and their agents, the chain, and a request filed by a citizen."""
    pedagogues = factories.AssignmentGroupFactory(name="Techno-pédagogues")
    technologists = factories.AssignmentGroupFactory(name="Technologues")
    pedagogue = factories.agent(email=PEDAGOGUE, first_name="Julie", last_name="Gagnon")
    technologist = factories.agent(email=TECHNOLOGIST, first_name="Marc", last_name="Roy")
    pedagogues.members.add(pedagogue)
    technologists.members.add(technologist)

    chain = ChainTemplate.objects.create(name="Soutien FAD", name_en="Distance learning support")

    def step(sequence, name, name_en, group):
        return TaskTemplate.objects.create(
            chain=chain, sequence=sequence, name=name, name_en=name_en, assignment_group=group
        )

    interview = step("1", "Entrevue", "Interview", pedagogues)
    planning = step("2.1", "Planification technologique", "Technology planning", technologists)
    coaching = step("2.2", "Accompagnement pédagogique", "Pedagogical coaching", pedagogues)
    compliance = step("3", "Conformité", "Compliance", technologists)
    planning.prerequisites.add(interview)
    coaching.prerequisites.add(interview)
    compliance.prerequisites.add(planning, coaching)
    request_type = RequestType.objects.create(
        code="SYNC",
        name="Classe virtuelle",
        chain_template=chain,
        default_assignment_group=pedagogues,
    )
    citizen = factories.citizen(email="citoyen@example.org")
    request = request_create(
        requester=citizen.client, request_type=request_type, title="MED1001 A2026"
    )
    tasks = {t.template.sequence: t for t in request.tasks.select_related("template")}
    return {
        "request": request,
        "tasks": tasks,
        "pedagogue": pedagogue,
        "technologist": technologist,
    }


def status_of(task: Task) -> str:
    return Task.objects.values_list("status", flat=True).get(pk=task.pk)


def in_french(message, **values) -> str:
    with translation.override("fr"):
        return str(message) % values


def log_in(page: Page, live_server, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/agent/")


def log_out(page: Page) -> None:
    page.locator("#user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def open_from_queue(page: Page, task: Task) -> None:
    """Open the task from "My groups' queue", where it must be listed."""
    page.goto("/agent/tasks/queue/")
    link = page.get_by_test_id("task-table").locator(f'a[href="{task.get_absolute_url()}"]')
    expect(link).to_have_count(1)
    link.click()
    expect(page).to_have_url(re.compile(re.escape(task.get_absolute_url()) + "$"))


def take(page: Page, user) -> None:
    page.get_by_test_id("take").click()
    # The page comes back without the button, with the agent as assignee.
    expect(page.get_by_test_id("take")).to_have_count(0)
    expect(page.get_by_test_id("assignee")).to_have_text(str(user))


def start(page: Page) -> None:
    page.get_by_test_id("start").click()
    expect(page.get_by_test_id("start")).to_have_count(0)
    expect(page.get_by_test_id("hold")).to_be_visible()


def close(page: Page, note: str) -> None:
    page.get_by_test_id("close-toggle").click()
    page.locator("#close-note").fill(note)
    page.get_by_test_id("close").click()
    # A finished task offers no more actions.
    expect(page.get_by_test_id("close-toggle")).to_have_count(0)
    expect(page.locator("#journal")).to_contain_text(note)


def chain_node(page: Page, task: Task) -> Locator:
    """The node of the request page's diagram that links to the task."""
    return page.get_by_test_id("chain-node").filter(
        has=page.locator(f'a[href="{task.get_absolute_url()}"]')
    )


def request_badge(page: Page) -> Locator:
    return page.get_by_test_id("request-status").locator("[data-status]")


def test_two_groups_work_the_faculty_chain_to_the_end(page: Page, live_server, faculty):
    request = faculty["request"]
    tasks = faculty["tasks"]
    pedagogue, technologist = faculty["pedagogue"], faculty["technologist"]
    interview, planning, coaching, compliance = (tasks[s] for s in ("1", "2.1", "2.2", "3"))
    assert {s: t.status for s, t in tasks.items()} == {
        "1": "open",
        "2.1": "pending",
        "2.2": "pending",
        "3": "pending",
    }

    # 1. The techno-pedagogue does the interview from the group's queue.
    log_in(page, live_server, PEDAGOGUE)
    open_from_queue(page, interview)
    take(page, pedagogue)
    start(page)
    page.locator("#id_kind").select_option("work_note")
    page.locator("#id_body").fill("Besoins recueillis auprès du professeur.")
    page.get_by_test_id("journal-add").click()
    expect(page).to_have_url(re.compile(r"#journal$"))
    expect(page.locator("#journal")).to_contain_text("Besoins recueillis auprès du professeur.")
    assert JournalEntry.objects.filter(
        task=interview, kind=JournalEntry.Kind.WORK_NOTE, author=pedagogue
    ).exists()
    close(page, "Entrevue faite, plan convenu.")
    assert status_of(interview) == Task.Status.CLOSED
    assert JournalEntry.objects.filter(
        task=interview, kind=JournalEntry.Kind.WORK_NOTE, body="Entrevue faite, plan convenu."
    ).exists()

    # The diagram: 1 closed, 2.1 and 2.2 open, 3 still waiting; the request is in progress.
    page.goto(request.get_absolute_url())
    expect(page.get_by_test_id("chain-node")).to_have_count(4)
    expect(chain_node(page, interview)).to_have_attribute("data-status", "closed")
    expect(chain_node(page, planning)).to_have_attribute("data-status", "open")
    expect(chain_node(page, coaching)).to_have_attribute("data-status", "open")
    expect(chain_node(page, compliance)).to_have_attribute("data-status", "pending")
    expect(request_badge(page)).to_have_attribute("data-status", "in_progress")
    # The technologists were told that the planning is in their queue.
    assert Notification.objects.filter(
        recipient=technologist, url=planning.get_absolute_url()
    ).exists()

    # 2. On the Kanban, the coaching card goes from "open" to "in progress".
    page.set_viewport_size({"width": 1600, "height": 900})
    page.goto("/agent/tasks/kanban/")
    card = page.get_by_test_id(f"card-{coaching.pk}")
    message = page.get_by_test_id("kanban-message")
    column_open = page.get_by_test_id("column-open")
    column_in_progress = page.get_by_test_id("column-in_progress")
    column_pending = page.get_by_test_id("column-pending")
    expect(column_open.get_by_test_id(f"card-{coaching.pk}")).to_be_visible()
    expect(page.get_by_test_id(f"card-{planning.pk}")).to_have_count(0)  # not this group's

    card.drag_to(column_in_progress)  # real mouse drag: Chromium fires HTML5 drag events

    expect(message).to_have_class(re.compile(r"\balert-success\b"))
    expect(message).to_have_text(
        in_french(task_views.DONE_MESSAGES["start"], number=coaching.number)
    )
    expect(column_in_progress.get_by_test_id(f"card-{coaching.pk}")).to_be_visible()
    expect(column_open.locator("[data-count]")).to_have_text("0")
    expect(column_in_progress.locator("[data-count]")).to_have_text("1")
    assert status_of(coaching) == Task.Status.IN_PROGRESS
    assert Task.objects.get(pk=coaching.pk).assignee == pedagogue

    # An illegal move (back to "pending") is refused: the card returns, nothing changes.
    card.drag_to(column_pending)

    expect(message).to_have_class(re.compile(r"\balert-danger\b"))
    with translation.override("fr"):
        labels = [str(Task.Status.IN_PROGRESS.label), str(Task.Status.PENDING.label)]
    for label in labels:
        expect(message).to_contain_text(label)
    expect(column_in_progress.get_by_test_id(f"card-{coaching.pk}")).to_be_visible()
    expect(column_pending.locator(".kanban-card")).to_have_count(0)
    expect(column_pending.locator("[data-count]")).to_have_text("0")
    expect(column_in_progress.locator("[data-count]")).to_have_text("1")
    assert status_of(coaching) == Task.Status.IN_PROGRESS

    # The page, loaded afresh, agrees with the database.
    page.reload()
    expect(column_in_progress.get_by_test_id(f"card-{coaching.pk}")).to_be_visible()

    # 3. The coaching is closed on its page; compliance still waits for the planning.
    page.goto(coaching.get_absolute_url())
    close(page, "Accompagnement terminé.")
    assert status_of(coaching) == Task.Status.CLOSED
    assert status_of(compliance) == Task.Status.PENDING
    log_out(page)

    # The technologist does the planning, which opens the compliance.
    log_in(page, live_server, TECHNOLOGIST)
    open_from_queue(page, planning)
    take(page, technologist)
    start(page)
    close(page, "Salle virtuelle configurée.")
    assert status_of(planning) == Task.Status.CLOSED
    assert status_of(compliance) == Task.Status.OPEN

    page.goto(request.get_absolute_url())
    expect(chain_node(page, planning)).to_have_attribute("data-status", "closed")
    expect(chain_node(page, coaching)).to_have_attribute("data-status", "closed")
    expect(chain_node(page, compliance)).to_have_attribute("data-status", "open")
    expect(request_badge(page)).to_have_attribute("data-status", "in_progress")

    # Then the compliance, closed straight from "open": the last task resolves the request.
    open_from_queue(page, compliance)
    take(page, technologist)
    close(page, "Conforme.")
    assert status_of(compliance) == Task.Status.CLOSED

    page.goto(request.get_absolute_url())
    for task in (interview, planning, coaching, compliance):
        expect(chain_node(page, task)).to_have_attribute("data-status", "closed")
    expect(request_badge(page)).to_have_attribute("data-status", "resolved")
    assert ServiceRequest.objects.get(pk=request.pk).status == ServiceRequest.Status.RESOLVED
