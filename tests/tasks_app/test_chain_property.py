"""Property: for any DAG of steps, closing tasks in any order the DAG allows opens each task
exactly once, only after all its prerequisites, and resolves the request at the end."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requests_app.models import RequestType, ServiceRequest
from requests_app.requests.services import request_create
from tasks_app import services
from tasks_app.models import ChainTemplate, Task, TaskTemplate
from tests import factories

pytestmark = pytest.mark.django_db


@st.composite
def dags(draw):
    """Nodes 0..n-1; each node may wait for any earlier node (so the graph has no cycle)."""
    n = draw(st.integers(min_value=1, max_value=7))
    edges = {
        i: sorted(draw(st.sets(st.integers(0, i - 1), max_size=i))) if i else [] for i in range(n)
    }
    choices = draw(st.lists(st.integers(0, 10_000), min_size=n, max_size=n))
    return edges, choices


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=dags())
def test_any_allowed_closing_order_opens_each_task_once_after_its_prerequisites(
    case, citizen, agent
):
    edges, choices = case
    group = factories.AssignmentGroupFactory()
    group.members.add(agent)
    chain = ChainTemplate.objects.create(name=f"chain {ChainTemplate.objects.count()}")
    templates = {
        i: TaskTemplate.objects.create(
            chain=chain, sequence=str(i), name=f"step {i}", assignment_group=group
        )
        for i in edges
    }
    for i, prerequisites in edges.items():
        templates[i].prerequisites.set([templates[p] for p in prerequisites])
    request_type = RequestType.objects.create(code=f"T{chain.pk}", name="t", chain_template=chain)
    request = request_create(requester=citizen.client, request_type=request_type, title="p")
    task_of = {t.template.sequence: t for t in request.tasks.select_related("template")}

    closed: list[int] = []
    for step in range(len(edges)):
        statuses = {
            int(s): t.status
            for s, t in ((s, Task.objects.get(pk=t.pk)) for s, t in task_of.items())
        }
        # then: exactly the tasks whose prerequisites are all closed are open (or done)
        for i, prerequisites in edges.items():
            ready = all(p in closed for p in prerequisites)
            if i in closed:
                assert statuses[i] == Task.Status.CLOSED
            elif ready:
                assert statuses[i] == Task.Status.OPEN
            else:
                assert statuses[i] == Task.Status.PENDING
        # when: close one of the open tasks, chosen by the drawn order
        open_ids = sorted(i for i, s in statuses.items() if s == Task.Status.OPEN)
        assert open_ids, "a task must always be open until the end"
        chosen = open_ids[choices[step] % len(open_ids)]
        services.task_close(task=task_of[str(chosen)], by=agent)
        closed.append(chosen)

    request.refresh_from_db()
    assert request.status == ServiceRequest.Status.RESOLVED
    for task in task_of.values():
        opened = [h for h in Task.history.filter(id=task.pk) if h.status == Task.Status.OPEN]
        assert len(opened) == 1
