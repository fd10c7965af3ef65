"""The CRM's demo data (contacts/demo.py, loaded by seed_demo): lived-in, and loaded once."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from contacts.models import (
    Call,
    Client,
    Contact,
    Meeting,
    Note,
    Partner,
    Program,
    ProgramEnrolment,
    SAEFile,
    Service,
    ServiceRecord,
)
from tasks_app.models import Task
from tasks_app.services import TODO_STATUSES

pytestmark = pytest.mark.django_db

MODELS = [
    Partner, Contact, Client, Call, Meeting, Note, Program, Service, ProgramEnrolment,
    ServiceRecord, SAEFile,
]  # fmt: skip
ACTIVITIES = [Call, Meeting, Note]


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts["to-dos"] = Task.objects.filter(kind=Task.Kind.TODO).count()
    for model in (Call, Meeting, Note, Partner, Contact, Client):
        counts[f"{model.__name__} history"] = model.history.count()
    return counts


@pytest.fixture
def seeded():
    call_command("seed_demo", stdout=StringIO())


def test_seeding_twice_adds_nothing_the_second_time(seeded):
    # given
    before = _counts()
    # when
    out = StringIO()
    call_command("seed_demo", stdout=out)
    # then
    assert _counts() == before
    assert "created" not in out.getvalue().replace("demo data ready", "")


def test_every_activity_links_exactly_one_record(seeded):
    activities = [row for model in ACTIVITIES for row in model.objects.all()]
    activities += list(Task.objects.filter(kind=Task.Kind.TODO))
    assert len(activities) >= 25
    for activity in activities:
        linked = [activity.client_id, activity.contact_id, activity.partner_id]
        assert sum(pk is not None for pk in linked) == 1, activity


def test_partners_of_each_kind_have_contacts(seeded):
    names = set(Partner.objects.values_list("name", flat=True))
    assert "Cégep de Saint-Jérôme" in names
    assert "Centre de services scolaire de la Rivière-du-Nord" in names
    assert set(Partner.objects.values_list("kind", flat=True)) >= {
        "school",
        "company",
        "organisation",
    }
    for partner in Partner.objects.all():
        assert partner.contacts.count() >= 2, partner


def test_clients_of_several_kinds_each_with_a_counsellor(seeded):
    clients = Client.objects.exclude(client_type="")
    assert set(clients.values_list("client_type", flat=True)) >= {
        "newcomer",
        "permanent_resident",
        "job_seeker",
    }
    assert not clients.filter(owner__isnull=True).exists()
    assert clients.values("owner").distinct().count() == 2


def test_calls_planned_and_held_inbound_and_outbound(seeded):
    pairs = set(Call.objects.values_list("status", "direction"))
    assert {status for status, _direction in pairs} >= {"planned", "held"}
    assert {direction for _status, direction in pairs} == {"inbound", "outbound"}


def test_meetings_this_week_and_next_one_weekly(seeded):
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    zone = timezone.get_current_timezone()
    starts = {m.starts_at.astimezone(zone).date() for m in Meeting.objects.all()}
    assert any(monday <= day < monday + timedelta(days=7) for day in starts)
    assert any(monday + timedelta(days=7) <= day < monday + timedelta(days=14) for day in starts)
    weekly = Meeting.objects.exclude(rrule="")
    assert weekly.count() == 1
    assert weekly.get().rrule.startswith("FREQ=WEEKLY;UNTIL=")
    assert weekly.get().attendees.count() == 2


def test_todos_in_every_status_and_priority(seeded):
    todos = Task.objects.filter(kind=Task.Kind.TODO)
    assert set(todos.values_list("status", flat=True)) == set(TODO_STATUSES.values())
    assert set(todos.values_list("priority", flat=True)) == {"high", "medium", "low"}
    assert not todos.filter(assignee__isnull=True).exists()


def test_files_with_their_unique_numbers(seeded):
    assert ProgramEnrolment.objects.count() >= 3
    numbers = list(ServiceRecord.objects.values_list("activity_number", flat=True))
    assert len(numbers) >= 5 and len(set(numbers)) == len(numbers)
    assert ServiceRecord.objects.filter(partner__isnull=False).exists()
    assert SAEFile.objects.filter(status="closed", closed_on__isnull=False).exists()
    assert Program.objects.filter(name_en="French at work").exists()
    assert Service.objects.count() >= 5
