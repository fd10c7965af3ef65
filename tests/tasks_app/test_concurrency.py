"""Concurrent actions on real PostgreSQL, with threads (one database connection each)."""

import threading

import pytest
from django.db import connection

from crm.errors import Conflict
from tasks_app import services
from tasks_app.models import Task
from tests import factories
from tests.tasks_app.conftest import by_sequence

pytestmark = pytest.mark.django_db(transaction=True)


def _in_threads(functions):
    """Run the functions at the same instant; return what each returned or raised."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # collected for the assertions
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_prerequisites_closed_at_once_open_compliance_exactly_once(
    faculty_request, pedagogue, technologist
):
    tasks = by_sequence(faculty_request)
    services.task_close(task=tasks["1"], by=pedagogue)
    tasks = by_sequence(faculty_request)

    results = _in_threads(
        [
            lambda: services.task_close(task=tasks["2.1"], by=technologist),
            lambda: services.task_close(task=tasks["2.2"], by=pedagogue),
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)]

    compliance = by_sequence(faculty_request)["3"]
    assert compliance.status == Task.Status.OPEN
    opened = [
        h
        for h in Task.history.filter(id=compliance.pk).order_by("history_date")
        if h.status == Task.Status.OPEN
    ]
    assert len(opened) == 1, "the successor was opened more than once"


def test_twenty_agents_taking_one_task_give_one_winner(faculty_request, groups):
    agents = [factories.agent(email=f"tp{i}@example.org") for i in range(20)]
    groups[0].members.add(*agents)
    interview = by_sequence(faculty_request)["1"]

    results = _in_threads(
        [lambda agent=agent: services.task_take(task=interview, by=agent) for agent in agents]
    )

    winners = [r for r in results if isinstance(r, Task)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1
    assert len(losers) == 19
    interview.refresh_from_db()
    assert interview.assignee == winners[0].assignee
    assert all(str(interview.assignee) in str(loser.message) for loser in losers)
