"""Property: for any DAG of steps, closing (or cancelling) tasks in any order the DAG allows
opens each task exactly once, only after all its prerequisites are done, and resolves the
request at the end."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requests_app.models import ServiceRequest
from tasks_app import services
from tasks_app.models import Task
from tests import factories

pytestmark = pytest.mark.django_db


@st.composite
def dags(draw):
    """Nodes 0..n-1; each node may wait for any earlier node (so the graph has no cycle). Then
    the order of the work: which open task is done next, and whether it is closed or
    cancelled."""
    n = draw(st.integers(min_value=1, max_value=7))
    edges = {
        i: sorted(draw(st.sets(st.integers(0, i - 1), max_size=i))) if i else [] for i in range(n)
    }
    choices = draw(st.lists(st.integers(0, 10_000), min_size=n, max_size=n))
    cancels = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return edges, choices, cancels


def _step(i: int, prerequisites: list[int]) -> str:
    return f"{i}<{','.join(map(str, prerequisites))}" if prerequisites else str(i)


def _history(task: Task) -> list:
    return list(Task.history.filter(id=task.pk).order_by("history_date", "history_id"))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=dags())
def test_any_allowed_order_opens_each_task_once_after_its_prerequisites(case, agent):
    edges, choices, cancels = case
    group = factories.AssignmentGroupFactory()
    group.members.add(agent)
    request_type = factories.chain([_step(i, p) for i, p in edges.items()], group=group)
    request = factories.ServiceRequestFactory(request_type=request_type)
    task_of = {int(t.template.sequence): t for t in request.tasks.select_related("template")}

    done: list[int] = []
    for step in range(len(edges)):
        statuses = {i: Task.objects.get(pk=t.pk).status for i, t in task_of.items()}
        # then: exactly the tasks whose prerequisites are all done are open
        for i, prerequisites in edges.items():
            if i in done:
                assert statuses[i] in Task.DONE_STATUSES
            elif all(p in done for p in prerequisites):
                assert statuses[i] == Task.Status.OPEN
            else:
                assert statuses[i] == Task.Status.PENDING
        request.refresh_from_db()
        assert request.status == ServiceRequest.Status.SUBMITTED
        # when: close or cancel one of the open tasks, chosen by the drawn order
        open_ids = sorted(i for i, s in statuses.items() if s == Task.Status.OPEN)
        assert open_ids, "a task must always be open until the end"
        chosen = open_ids[choices[step] % len(open_ids)]
        if cancels[step]:
            services.task_cancel(task=task_of[chosen], by=agent)
        else:
            services.task_close(task=task_of[chosen], by=agent)
        done.append(chosen)

    request.refresh_from_db()
    assert request.status == ServiceRequest.Status.RESOLVED
    finished = {i: _history(t)[-1].history_date for i, t in task_of.items()}
    for i, task in task_of.items():
        history = _history(task)
        statuses = [h.status for h in history]
        openings = [
            h
            for h, before in zip(history, [None, *statuses[:-1]], strict=True)
            if h.status == Task.Status.OPEN and before != Task.Status.OPEN
        ]
        # each task opened exactly once: at creation when it waits for nothing, else by the chain
        assert len(openings) == 1
        assert (openings[0].history_reason_code == "prerequisites_done") == bool(edges[i])
        # and only after every prerequisite was done
        for p in edges[i]:
            assert finished[p] <= openings[0].history_date
