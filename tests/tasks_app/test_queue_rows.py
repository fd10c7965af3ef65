"""Queues can be scanned: each row says what the work is about and for whom; the request list
counts open work only; a task already taken is not offered to take."""

import re

import pytest
from django.urls import reverse

from requests_app.requests.selectors import request_list
from requests_app.requests.services import request_create
from tasks_app.services import task_start, task_take
from tests import factories
from tests.helpers import text
from tests.tasks_app.conftest import by_sequence

pytestmark = pytest.mark.django_db


def _row_of(page: str, number: str) -> str:
    row = re.search(rf"<tr>(?:(?!</tr>).)*{number}(?:(?!</tr>).)*</tr>", page, re.S)
    assert row, f"no row for {number}"
    return row.group(0)


@pytest.mark.parametrize("scope", ["tasks:queue", "tasks:all"])
def test_each_task_row_shows_the_request_title_requester_and_due_date(
    login, pedagogue, faculty_type, scope
):
    # given a request for a named client, whose first task is due on a known day
    client_ = factories.ClientFactory(first_name="Aline", last_name="Tremblay")
    request = request_create(
        requester=client_, request_type=faculty_type, title="MED1001 Anatomie A2026"
    )
    interview = by_sequence(request)["1"]
    interview.due_date = "2026-12-04"
    interview.save(update_fields=["due_date"])
    # when an agent of its group opens the list
    page = text(login(pedagogue).get(reverse(scope)))
    # then the task's row names the course, the requester and the due date
    row = _row_of(page, interview.number)
    assert "MED1001 Anatomie A2026" in row
    assert "Aline Tremblay" in row
    assert "04/12/2026" in row or "2026-12-04" in row


def test_open_tasks_on_the_request_list_leaves_pending_tasks_out(login, pedagogue, faculty_request):
    # given a request whose first task is open and whose three others wait for it (pending)
    statuses = sorted(t.status for t in faculty_request.tasks.all())
    assert statuses == ["open", "pending", "pending", "pending"]
    # when the requests are listed
    listed = request_list().get(pk=faculty_request.pk)
    page = text(login(pedagogue).get(reverse("requests:list")))
    # then only the open task is counted
    assert listed.open_tasks == 1
    assert re.search(r'data-testid="open-tasks">1<', page)


def test_open_tasks_counts_a_task_in_progress(pedagogue, faculty_request):
    # given the open task taken and started, so it is in progress
    interview = by_sequence(faculty_request)["1"]
    task_take(task=interview, by=pedagogue)
    interview.refresh_from_db()
    task_start(task=interview, by=pedagogue)
    # when the requests are listed, then the task in progress still counts
    assert request_list().get(pk=faculty_request.pk).open_tasks == 1


def test_take_is_not_offered_on_a_task_someone_has_taken(login, pedagogue, groups, faculty_request):
    # given the interview taken by another member of the group
    colleague = factories.agent(email="collegue@example.org")
    groups[0].members.add(colleague)
    interview = by_sequence(faculty_request)["1"]
    task_take(task=interview, by=colleague)
    # when the pedagogue opens the task
    page = text(login(pedagogue).get(interview.get_absolute_url()))
    # then no "take" button is offered, while the task can still be worked on
    assert 'data-testid="task-actions"' in page
    assert 'data-testid="take"' not in page


def test_take_is_offered_on_a_task_nobody_has_taken(login, pedagogue, faculty_request):
    # given the interview, open and unassigned
    interview = by_sequence(faculty_request)["1"]
    # when a member of its group opens it, then it can be taken
    assert 'data-testid="take"' in text(login(pedagogue).get(interview.get_absolute_url()))
