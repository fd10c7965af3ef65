"""Backlog, workload, chains, CRM activity and imports against data built by hand."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from contacts.models import Program, ProgramEnrolment, Service, ServiceRecord
from reporting import dashboards
from reporting.exportables import Link
from reporting.forms import Filters
from requests_app.models import Incident, ServiceRequest
from tasks_app.models import Task
from tests import factories

from .conftest import at, filed, refresh

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MARCH = Filters(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))


def _rows(document, title):
    return next(s for s in document.sections if s.title == title).table.rows


def test_backlog_ages_and_oldest_items(group_a):
    permit = factories.chain(["1"], group=group_a, name="Permis")
    now = timezone.now()
    for days in (1, 5, 20, 100, 100):
        filed(permit, created=now - timedelta(days=days))
    done = filed(permit, created=now - timedelta(days=3), status="resolved", resolved=now)
    oldest = ServiceRequest.objects.order_by("created_at").first()
    refresh()

    document = dashboards.backlog(MARCH, today=timezone.localdate())

    ages = {row[0]: row[1:] for row in _rows(document, "Age of the open items")}
    assert ages["0–2 days"][0] == 1
    assert ages["3–7 days"][0] == 1  # the resolved one of 3 days ago is not open
    assert ages["8–30 days"][0] == 1
    assert ages["31–90 days"][0] == 0
    assert ages["more than 90 days"][0] == 2
    # Tasks: one open step per open request.
    assert sum(row[3] for row in _rows(document, "Age of the open items")) == 5
    first = _rows(document, "Oldest open requests")[0]
    assert isinstance(first[0], Link) and first[0].url == f"/agent/requests/{oldest.pk}/"
    assert done.pk not in [row[0].url for row in _rows(document, "Oldest open requests")]
    # 100 × 24 hours ago: 99 to 101 local days, by the hour of the day and the change of time.
    assert first[4] in (99, 100, 101)


def test_workload_per_agent_and_group(group_a, group_b):
    permit = factories.chain(["1"], group=group_a, name="Permis")
    anne = factories.agent(email="anne@example.org", first_name="Anne", last_name="Roy")
    group_a.members.add(anne)
    open_one, open_two, closed = (filed(permit, created=at(2026, 3, 2)) for _ in range(3))
    Task.objects.filter(request__in=[open_one, open_two, closed]).update(assignee=anne)
    Task.objects.filter(request=closed).update(status="closed", closed_at=at(2026, 3, 9, 14))
    incident = factories.IncidentFactory(assignment_group=group_b)
    Incident.objects.filter(pk=incident.pk).update(assignee=anne)
    refresh()

    document = dashboards.workload(MARCH)

    per_agent = {row[0]: row[1:] for row in _rows(document, "Per agent")}
    assert per_agent["Anne Roy"] == [2, 1, 1, 0]
    per_group = {row[0]: row[1:] for row in _rows(document, "Per group")}
    assert per_group["Accueil"] == [2, 0, 1, 0]
    assert per_group["Bureau technique"] == [0, 1, 0, 0]


def test_time_in_each_step_and_where_requests_wait(group_a, group_b):
    grant = factories.chain(["1", "2<1"], groups={"1": group_a, "2": group_b}, name="Subvention")
    for created in (at(2026, 3, 2, 9), at(2026, 3, 4, 9)):
        request = filed(grant, created=created)
        first = Task.objects.get(request=request, template__sequence="1")
        Task.objects.filter(pk=first.pk).update(
            status="closed", opened_at=created, closed_at=created + timedelta(days=2)
        )
        second = Task.objects.get(request=request, template__sequence="2")
        Task.objects.filter(pk=second.pk).update(
            status="open", opened_at=created + timedelta(days=2)
        )
    refresh()
    now = at(2026, 3, 10, 9)

    document = dashboards.chains(MARCH, now=now)

    steps = {row[1]: row[2:] for row in _rows(document, "Time in each step")}
    assert steps["1 Étape 1"][:3] == [2, 2.0, 0]
    # Waiting since 4 and 6 March 09:00: 6 and 4 days, 5 on average.
    assert steps["2 Étape 2"][2:4] == [2, 5.0]
    assert _rows(document, "Where requests wait longest")[0][1] == "2 Étape 2"


def test_crm_activity_per_week_and_agent(group_a):
    anne = factories.agent(email="anne@example.org", first_name="Anne", last_name="Roy")
    group_a.members.add(anne)
    # Monday 2 and Sunday 8 March: the same week; Monday 9: the next.
    factories.CallFactory(assigned_to=anne, starts_at=at(2026, 3, 2, 10))
    factories.CallFactory(assigned_to=anne, starts_at=at(2026, 3, 8, 23, 30))
    factories.MeetingFactory(assigned_to=anne, starts_at=at(2026, 3, 9, 10))
    factories.TaskFactory(assignee=anne, due_date=date(2026, 3, 10))
    program = Program.objects.create(name="Francisation")
    service = Service.objects.create(name="Aide à l'emploi")
    client = factories.ClientFactory()
    ProgramEnrolment.objects.create(program=program, client=client, start_date=date(2026, 1, 5))
    ProgramEnrolment.objects.create(
        program=program,
        client=factories.ClientFactory(),
        start_date=date(2025, 1, 5),
        end_date=date(2025, 6, 30),
    )
    ServiceRecord.objects.create(
        service=service, client=client, activity_number="A-1", start_date=date(2026, 3, 3)
    )
    refresh()

    document = dashboards.activity(MARCH)

    weeks = {row[0]: row[1:] for row in _rows(document, "Calls, meetings and to-dos per week")}
    assert weeks["2026-03-02"] == [2, 0, 0]
    assert weeks["2026-03-09"] == [0, 1, 1]
    agents = {row[0]: row[1:] for row in _rows(document, "Calls, meetings and to-dos per agent")}
    assert agents["Anne Roy"] == [2, 1, 1]
    assert _rows(document, "Clients served per program") == [["Francisation", 1, 0, 1]]
    assert _rows(document, "Clients served per service") == [["Aide à l'emploi", 1, 0, 1]]


def test_imports_history_with_figures():
    job = factories.CourseGridImportFactory(
        report={"created": 10, "updated": 2, "unchanged": 5, "rejected": 1, "applied": True},
        total_rows=18,
    )

    today = timezone.localdate()
    document = dashboards.imports(Filters(date_from=today, date_to=today))

    (row,) = _rows(document, "Course-grid imports")
    assert str(row[0]) == job.original_name and row[0].url == f"/agent/import/{job.pk}/"
    assert row[6:] == [18, 10, 2, 5, 1]
