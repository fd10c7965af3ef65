"""One chain engine: the service path and the course-grid import's bulk path give a request the
same tasks; statuses change through transitions only; the pages' legal moves are read from the
state machines."""

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from freezegun import freeze_time

from crm.errors import DomainError
from requests_app.imports.apply import course_grid_import
from requests_app.incidents import services as incident_services
from requests_app.models import Incident, ServiceRequest
from requests_app.requests.services import request_create
from tasks_app import chain, services, views
from tasks_app.models import Task
from tests import factories
from tests.helpers import text
from tests.requests_app.conftest import grid, row
from tests.tasks_app.conftest import by_sequence

pytestmark = pytest.mark.django_db

SAME = ("status", "assignment_group_id", "title", "due_date", "visible_to_requester", "kind")


def _tasks(request: ServiceRequest) -> dict[str, dict]:
    return {
        t.template.sequence: {
            **{name: getattr(t, name) for name in SAME},
            "opened": t.opened_at is not None,
            "history": [h.history_type for h in t.history.all()],
        }
        for t in request.tasks.select_related("template")
    }


@freeze_time("2026-06-22 15:00")
def test_the_import_and_request_create_give_the_same_tasks(citizen):
    # given: a type on a French calendar, one request filed through the service
    france = factories.BusinessCalendarFactory(country="FR")
    request_type = factories.chain(
        ["1", "2.1<1", "2.2<1", "3<2.1,2.2"], code="SYNC", calendar=france
    )
    request_type.chain_template.steps.filter(sequence="3").update(due_offset_days=16)
    filed = request_create(
        requester=citizen.client, request_type=request_type, title="Par le portail"
    )

    # when: the same type through the course-grid import
    result = course_grid_import(data=grid([row(approche="SYNC")]))

    # then: the same statuses, groups, titles, due dates on the same calendar, and history
    imported = ServiceRequest.objects.get(channel=ServiceRequest.Channel.IMPORT)
    assert result.tasks_created == 4
    assert _tasks(imported) == _tasks(filed)
    assert _tasks(imported)["1"]["status"] == Task.Status.OPEN
    assert _tasks(imported)["3"]["due_date"] == date(2026, 7, 15)  # 14 July skipped


def test_a_status_is_changed_by_its_transitions_only(faculty_request):
    interview = by_sequence(faculty_request)["1"]

    with pytest.raises(AttributeError):
        interview.status = Task.Status.CLOSED
    with pytest.raises(AttributeError):
        faculty_request.status = ServiceRequest.Status.RESOLVED


def test_a_protected_status_is_reloaded_and_validated(faculty_request, pedagogue):
    # given: the task closed elsewhere
    interview = by_sequence(faculty_request)["1"]
    services.task_close(task=Task.objects.get(pk=interview.pk), by=pedagogue)

    # when
    interview.refresh_from_db()

    # then
    assert interview.status == Task.Status.CLOSED
    interview.full_clean()
    Task.objects.filter(pk=interview.pk).update(status="nonsense")
    interview.refresh_from_db(fields=["status"])
    with pytest.raises(ValidationError) as error:
        interview.full_clean()
    assert "status" in error.value.error_dict


def test_an_unknown_group_in_a_chain_description_is_refused():
    with pytest.raises(DomainError, match="Nobody"):
        chain.chain_template_load(
            data={
                "name": "Plan",
                "steps": [{"sequence": "1", "name": "A", "group": "Nobody", "prerequisites": []}],
            }
        )


def test_kanban_moves_are_the_task_state_machine_between_columns():
    assert views.MOVES == {
        ("open", "in_progress"): "start",
        ("in_progress", "on_hold"): "hold",
        ("on_hold", "in_progress"): "resume",
        ("open", "closed"): "close",
        ("in_progress", "closed"): "close",
        ("on_hold", "closed"): "close",
    }


def test_the_kanban_page_tells_the_script_the_legal_moves(login, pedagogue, faculty_request):
    page = text(login(pedagogue).get(reverse("tasks:kanban")))

    script = page[page.index('id="kanban-moves"') :]
    moves = json.loads(script[script.index(">") + 1 : script.index("</script>")])
    assert sorted(moves["open"]) == ["closed", "in_progress"]
    assert "pending" not in moves


def _buttons(page: str) -> list[str]:
    actions = page[page.index('name="status" value=') :]
    return [
        part.split('"', 1)[0]
        for part in actions.split('name="status" value="')[1:]
        if "</form>" in part
    ]


def test_the_incident_page_offers_the_transitions_the_state_machine_allows(login, citizen):
    # given
    group = factories.AssignmentGroupFactory()
    helper = factories.agent()
    group.members.add(helper)
    incident = incident_services.incident_create(
        requester=citizen.client, title="Le son", assignment_group=group
    )
    client = login(helper)

    # then: a new incident can wait for the requester, resolve or be worked on
    assert sorted(_buttons(text(client.get(incident.get_absolute_url())))) == [
        "awaiting_requester",
        "in_progress",
        "resolved",
    ]
    # a resolved one can be reopened or closed
    incident_services.incident_set_status(incident=incident, status="resolved", by=helper)
    assert sorted(_buttons(text(client.get(incident.get_absolute_url())))) == [
        "closed",
        "in_progress",
    ]
    # and a closed one nothing
    incident_services.incident_set_status(incident=incident, status="closed", by=helper)
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.CLOSED
    assert 'name="status" value=' not in text(client.get(incident.get_absolute_url()))
