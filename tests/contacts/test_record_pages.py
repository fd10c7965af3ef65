"""The CRM's record pages: each type's page, create and edit forms, who may reach them, and
bad input kept on the form with its message."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from contacts.models import Call, Partner
from contacts.records import RECORD_TYPES
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    client = factories.ClientFactory(first_name="Léa", last_name="Jodoin")
    partner = factories.PartnerFactory(name="Cégep Nord")
    contact = factories.ContactFactory(partner=partner, last_name="Roy")
    call = factories.CallFactory(client=client, subject="Suivi CV")
    meeting = factories.MeetingFactory(contact=contact, client=None, subject="Rencontre")
    return {
        "client": client,
        "partner": partner,
        "contact": contact,
        "call": call,
        "meeting": meeting,
    }


@pytest.mark.parametrize("kind", ["client", "partner", "contact", "call", "meeting"])
def test_agents_and_managers_read_a_record_page_citizens_get_403(client, records, kind):
    obj = records[kind]
    url = obj.get_absolute_url()
    client.force_login(factories.agent())
    page = client.get(url)
    assert page.status_code == 200
    assert str(obj) in page.content.decode()
    client.force_login(factories.manager())
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-testid="record-edit"' not in page.content.decode()
    client.force_login(factories.citizen())
    assert client.get(url).status_code == 403


def test_anonymous_visitors_go_to_the_login_page(client, records):
    page = client.get(records["partner"].get_absolute_url())
    assert page.status_code == 302 and "/accounts/login/" in page.url


def test_an_agent_plans_a_call_from_a_client_page_link(client, records):
    agent = factories.agent()
    client.force_login(agent)
    url = reverse("contacts:call_create") + f"?client={records['client'].pk}"
    form = client.get(url)
    assert form.status_code == 200 and "Léa Jodoin" in form.content.decode()
    answer = client.post(
        url,
        {
            "client": records["client"].pk,
            "subject": "Appel de suivi avec M. Dupont",
            "starts_at": "2026-12-03T10:30",
            "direction": "outbound",
            "status": "planned",
            "duration_minutes": "20",
            "assigned_to": agent.pk,
        },
    )
    call = Call.objects.get(subject="Appel de suivi avec M. Dupont")
    assert answer.status_code == 302 and answer.url == call.get_absolute_url()
    assert (call.client, call.assigned_to, call.duration_minutes) == (records["client"], agent, 20)
    assert timezone.localtime(call.starts_at).hour == 10


def test_bad_input_is_refused_at_the_field_and_what_was_typed_is_kept(client):
    client.force_login(factories.agent())
    answer = client.post(
        reverse("contacts:partner_create"), {"name": "x" * 256, "kind": "school", "city": "Laval"}
    )
    body = answer.content.decode()
    assert answer.status_code == 400
    assert "255" in body and 'value="Laval"' in body
    assert not Partner.objects.exists()


def test_an_activity_linked_to_two_records_is_refused(client, records):
    client.force_login(factories.agent())
    answer = client.post(
        reverse("contacts:note_create"),
        {"client": records["client"].pk, "partner": records["partner"].pk, "subject": "Note"},
    )
    assert answer.status_code == 400
    with translation.override("fr"):
        message = translation.gettext("Link it to exactly one client, contact or partner.")
    assert message in answer.content.decode()


def test_an_edit_changes_the_record_and_its_history_says_who(client, records):
    agent = factories.agent()
    client.force_login(agent)
    partner = records["partner"]
    data = {"name": "Cégep du Nord", "kind": partner.kind, "owner": ""}
    answer = client.post(reverse("contacts:partner_edit", args=[partner.pk]), data)
    assert answer.status_code == 302
    partner.refresh_from_db()
    assert partner.name == "Cégep du Nord"
    page = client.get(partner.get_absolute_url()).content.decode()
    assert "Cégep Nord" in page and "Cégep du Nord" in page  # before and after in its history


def test_managers_cannot_create_or_edit(client, records):
    client.force_login(factories.manager())
    assert client.get(reverse("contacts:partner_create")).status_code == 403
    assert (
        client.post(
            reverse("contacts:partner_edit", args=[records["partner"].pk]), {"name": "Non"}
        ).status_code
        == 403
    )


@pytest.mark.parametrize("kind", sorted(RECORD_TYPES))
def test_every_record_type_has_a_create_form(client, kind):
    client.force_login(factories.agent())
    assert client.get(reverse(f"contacts:{kind}_create")).status_code == 200


def test_a_calendar_slot_gives_the_new_meeting_its_start_and_end(client):
    client.force_login(factories.agent())
    page = client.get(reverse("contacts:meeting_create") + "?starts_at=2026-12-03T10:30")
    body = page.content.decode()
    assert 'value="2026-12-03T10:30"' in body and 'value="2026-12-03T11:30"' in body
    assert client.get(reverse("contacts:call_create") + "?starts_at=demain").status_code == 200
