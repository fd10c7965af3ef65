"""Task rows carry a due badge beside the due date: overdue, due today or on track.

The day is the body's (America/Montreal): at 23:30 in Montréal it is already tomorrow in UTC, and
a task due that day is still "due today". A list or the Kanban pays no query per row for it.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from tasks_app.models import Task
from tests import factories
from tests.helpers import text

pytestmark = pytest.mark.django_db

# 1 December 2026, 23:30 in Montréal: already 2 December in UTC.
LATE_EVENING = "2026-12-02 04:30:00"
TODAY = datetime.date(2026, 12, 1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def group_agent(db):
    group = factories.AssignmentGroupFactory(name="Technologues")
    agent = factories.agent(email="tech@example.org", language="fr")
    group.members.add(agent)
    return group, agent


def _task(group, due, status=Task.Status.OPEN, title="Tâche"):
    return factories.TaskFactory(assignment_group=group, due_date=due, status=status, title=title)


def _badges(page: str) -> dict[str, str]:
    """{due state: label} of the badges on a page."""
    return dict(re.findall(r'data-due="([a-z_]+)">([^<]+)<', page))


@freeze_time(LATE_EVENING)
@pytest.mark.parametrize(
    ("due", "status", "expected"),
    [
        (TODAY - DAY, Task.Status.OPEN, Task.DueState.OVERDUE),
        (TODAY, Task.Status.IN_PROGRESS, Task.DueState.DUE_TODAY),
        (TODAY + DAY, Task.Status.ON_HOLD, Task.DueState.ON_TRACK),
        (TODAY - DAY, Task.Status.PENDING, Task.DueState.OVERDUE),
        (TODAY - DAY, Task.Status.CLOSED, None),
        (TODAY - DAY, Task.Status.CANCELLED, None),
        (None, Task.Status.OPEN, None),
    ],
)
def test_due_state_counts_the_days_of_the_body(due, status, expected):
    # given a task due on that day, at 23:30 in Montréal (04:30 the next day in UTC)
    task = Task(title="x", due_date=due, status=status)
    # then its state is read on the body's calendar day
    assert task.due_state == expected
    # whatever time zone the request happens to run in
    with timezone.override("Asia/Tokyo"):
        assert task.due_state == expected


@freeze_time(LATE_EVENING)
@pytest.mark.parametrize("url_name", ["tasks:queue", "tasks:all"])
def test_task_lists_show_each_due_badge_in_french(login, group_agent, url_name):
    # given three tasks of the agent's group: one late, one due today, one due tomorrow
    group, agent = group_agent
    _task(group, TODAY - DAY, title="En retard")
    _task(group, TODAY, title="Aujourd'hui")
    _task(group, TODAY + DAY, title="Demain")
    # when the agent opens the list
    page = text(login(agent).get(reverse(url_name)))
    # then each row carries its badge, in French
    assert _badges(page) == {
        "overdue": "en retard",
        "due_today": "échéance aujourd'hui",
        "on_track": "en bonne voie",
    }


@freeze_time(LATE_EVENING)
def test_badges_are_in_english_for_an_english_reader(login, group_agent):
    # given
    group, agent = group_agent
    agent.language = "en"
    agent.save(update_fields=["language"])
    _task(group, TODAY - DAY)
    _task(group, TODAY)
    _task(group, TODAY + DAY)
    # when
    page = text(login(agent).get(reverse("tasks:queue")))
    # then
    assert _badges(page) == {"overdue": "overdue", "due_today": "due today", "on_track": "on track"}


@freeze_time(LATE_EVENING)
def test_a_closed_task_has_no_badge(login, group_agent):
    # given a closed task that was due yesterday
    group, agent = group_agent
    _task(group, TODAY - DAY, status=Task.Status.CLOSED)
    # when
    page = text(login(agent).get(reverse("tasks:all")))
    # then it is listed without a badge
    assert "TASK" in page
    assert _badges(page) == {}


@freeze_time(LATE_EVENING)
def test_kanban_cards_and_the_task_page_show_the_badge(login, group_agent):
    # given
    group, agent = group_agent
    late = _task(group, TODAY - DAY)
    soon = _task(group, TODAY + DAY, status=Task.Status.IN_PROGRESS)
    client = login(agent)
    # when
    board = text(client.get(reverse("tasks:kanban")))
    detail = text(client.get(late.get_absolute_url()))
    # then
    card = re.search(rf'data-testid="card-{soon.pk}".*?</article>', board, re.S).group(0)
    assert 'data-due="on_track"' in card
    assert _badges(board) == {"overdue": "en retard", "on_track": "en bonne voie"}
    assert _badges(detail) == {"overdue": "en retard"}


@freeze_time(LATE_EVENING)
@pytest.mark.parametrize("url_name", ["tasks:all", "tasks:kanban"])
def test_the_badges_cost_no_query_per_row(login, group_agent, url_name):
    # given one task, then ten
    group, agent = group_agent
    client = login(agent)
    _task(group, TODAY - DAY)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse(url_name))
        assert response.status_code == 200
        return len(captured)

    queries()  # the reader's permissions, read once then kept (crm/backends.py)
    one = queries()
    for offset in range(9):
        _task(group, TODAY + DAY * (offset - 4))
    # when the page lists ten
    ten = queries()
    # then it costs the same
    assert ten == one
