"""The CRM records' rules: one target per activity, the 255 limit, unique numbers (race
included), date order, agents write and managers read, and the to-do's four statuses."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from contacts import services
from contacts.models import Call, Contact, Meeting, Partner, Program, Service, ServiceRecord
from crm.errors import NotAllowed
from tasks_app import services as task_services
from tasks_app.models import Task
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages are compared in English (the source language; French is tested by pages)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _english():
    # The messages are compared in the language they are written in (the French ones come
    # from the catalogue).
    with translation.override("en"):
        yield


def test_an_agent_creates_a_partner_its_contact_and_a_call_with_history():
    agent = factories.agent()
    partner = services.partner_create(by=agent, name="Cégep du Vieux-Port", kind="school")
    contact = services.contact_create(by=agent, partner=partner, last_name="Jodoin")
    call = services.call_create(
        by=agent, contact=contact, subject="Suivi", starts_at=timezone.now(), assigned_to=agent
    )
    assert list(partner.contacts.all()) == [contact]
    assert call.created_by == agent
    assert call.history.first().history_user == agent
    assert call.history.first().history_reason_code == "created"


def test_an_activity_needs_exactly_one_client_contact_or_partner():
    agent = factories.agent()
    client = factories.ClientFactory()
    partner = factories.PartnerFactory()
    with pytest.raises(ValidationError, match="exactly one"):
        services.call_create(by=agent, subject="Sans lien", starts_at=timezone.now())
    with pytest.raises(ValidationError, match="exactly one"):
        services.call_create(
            by=agent, subject="Deux", starts_at=timezone.now(), client=client, partner=partner
        )
    assert Call.objects.count() == 0


def test_a_contact_needs_a_partner_and_text_fields_hold_255_characters():
    agent = factories.agent()
    with pytest.raises(ValidationError) as error:
        services.contact_create(by=agent, last_name="Sans partenaire")
    assert "partner" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.partner_create(by=agent, name="x" * 256)
    assert "255" in error.value.message_dict["name"][0]
    assert not Partner.objects.exists() and not Contact.objects.exists()


def test_a_meeting_that_ends_before_it_starts_is_refused():
    agent = factories.agent()
    start = timezone.now()
    with pytest.raises(ValidationError, match="end after it starts"):
        services.meeting_create(
            by=agent,
            client=factories.ClientFactory(),
            subject="Rencontre",
            starts_at=start,
            ends_at=start - timedelta(minutes=5),
        )
    assert not Meeting.objects.exists()


def test_an_activity_number_is_used_once():
    agent = factories.agent()
    service = Service.objects.create(name="Aide à la recherche d'emploi")
    client = factories.ClientFactory()
    services.service_record_create(
        by=agent, service=service, client=client, activity_number="A-1", start_date=date.today()
    )
    with pytest.raises(ValidationError) as error:
        services.service_record_create(
            by=agent, service=service, client=client, activity_number="A-1", start_date=date.today()
        )
    assert error.value.message_dict["activity_number"] == ["This activity number is already used."]
    assert ServiceRecord.objects.count() == 1


def test_managers_read_the_crm_and_change_nothing():
    manager = factories.manager()
    partner = factories.PartnerFactory()
    with pytest.raises(NotAllowed):
        services.partner_create(by=manager, name="Non")
    with pytest.raises(NotAllowed):
        services.partner_update(partner=partner, by=manager, name="Non")
    assert manager.has_perm("contacts.view_partner")


def test_an_update_writes_only_its_fields():
    agent, colleague = factories.agent(), factories.agent()
    partner = factories.PartnerFactory(name="Avant", city="Laval")
    stale = Partner.objects.get(pk=partner.pk)
    services.partner_update(partner=partner, by=agent, city="Québec")
    services.partner_update(partner=stale, by=colleague, name="Après")
    partner.refresh_from_db()
    assert (partner.name, partner.city) == ("Après", "Québec")


def test_an_enrolment_ends_after_it_starts():
    agent = factories.agent()
    program = Program.objects.create(name="Intégration")
    with pytest.raises(ValidationError, match="end date"):
        services.enrolment_create(
            by=agent,
            program=program,
            client=factories.ClientFactory(),
            start_date=date(2026, 5, 1),
            end_date=date(2026, 4, 1),
        )


@pytest.mark.parametrize("status", ["in_progress", "waiting", "completed", "not_started"])
def test_a_todo_moves_between_any_two_of_its_four_statuses(status):
    agent = factories.agent()
    todo = task_services.todo_create(
        by=agent,
        title="Préparer une présentation",
        client=factories.ClientFactory(),
        priority="high",
    )
    assert (todo.kind, todo.status, todo.assignee) == (Task.Kind.TODO, Task.Status.OPEN, agent)
    for start in ["completed", "waiting", status]:
        task_services.todo_set_status(todo=todo, by=agent, status=start)
        todo.refresh_from_db()
        assert todo.status == task_services.TODO_STATUSES[start]
    assert (todo.closed_at is not None) == (status == "completed")


def test_a_todo_is_linked_to_exactly_one_record():
    with pytest.raises(ValidationError, match="exactly one"):
        task_services.todo_create(by=factories.agent(), title="Orpheline")
