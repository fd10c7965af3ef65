"""The 360° page of a client, partner or contact: its timeline (every kind, newest first, in
pages, at a constant number of queries), the inline edit of one field, and who may do what."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from contacts import timeline
from contacts.models import Client, Document, Note
from requests_app.models import Incident, ServiceRequest
from tasks_app.models import Task
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _at(model, obj, when, field="created_at"):
    model.objects.filter(pk=obj.pk).update(**{field: when})


def note(**fields):
    return Note.objects.create(subject=fields.pop("subject", "Note"), **fields)


def document(**fields):
    return Document.objects.create(
        title=fields.pop("title", "CV"), file="documents/x", original_name="cv.pdf", **fields
    )


@pytest.fixture
def busy_client():
    """A client with one item of each kind, a day apart: the newest is the call."""
    client = factories.ClientFactory(first_name="Léa", last_name="Jodoin")
    now = timezone.now()
    factories.CallFactory(client=client, subject="Appel de suivi", starts_at=now)
    factories.MeetingFactory(
        client=client, subject="Préparer son CV", starts_at=now - timedelta(days=1)
    )
    todo = factories.TaskFactory(client=client, title="Relancer l'employeur")
    _at(Task, todo, now - timedelta(days=2))
    _at(Note, note(client=client, subject="Note d'entretien"), now - timedelta(days=3))
    _at(Document, document(client=client, title="CV 2026", doc_type="cv"), now - timedelta(days=4))
    request = factories.ServiceRequestFactory(requester=client, title="Attestation")
    _at(ServiceRequest, request, now - timedelta(days=5))
    incident = factories.IncidentFactory(requester=client, title="Portail inaccessible")
    _at(Incident, incident, now - timedelta(days=6))
    return client


def test_a_client_timeline_has_every_kind_newest_first(busy_client):
    items, next_cursor = timeline.timeline(busy_client)
    assert [item.kind for item in items] == [
        "call",
        "meeting",
        "todo",
        "note",
        "document",
        "request",
        "incident",
    ]
    assert next_cursor is None
    with translation.override("en"):
        assert str(items[2].status) == "not started"  # a to-do speaks the words of seed 002
    assert items[5].url == reverse("requests:detail", args=[items[5].pk])


def test_the_client_page_shows_the_timeline_with_links_and_statuses(client, busy_client):
    client.force_login(factories.agent())
    page = client.get(busy_client.get_absolute_url())
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('data-testid="timeline-item"') == 7
    order = [body.index(title) for title in ("Appel de suivi", "Préparer son CV", "Attestation")]
    assert order == sorted(order)
    call = busy_client.calls.get()
    assert f'href="{call.get_absolute_url()}"' in body


def _page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _fill(target, count, **link):
    link = {"client": None, **link}
    now = timezone.now()
    for index in range(count):
        when = now - timedelta(hours=index)
        kind = index % 4
        if kind == 0:
            factories.CallFactory(starts_at=when, **link)
        elif kind == 1:
            factories.MeetingFactory(starts_at=when, **link)
        elif kind == 2:
            note(**link)
        else:
            factories.TaskFactory(**link)


@pytest.mark.parametrize("kind", ["client", "partner", "contact"])
def test_the_360_page_costs_the_same_queries_for_3_and_30_items(client, kind):
    agent = factories.agent()
    client.force_login(agent)
    small = {
        "client": factories.ClientFactory,
        "partner": factories.PartnerFactory,
        "contact": factories.ContactFactory,
    }[kind]()
    big = type(small).objects.create(
        **{
            f.name: getattr(small, f.name)
            for f in small._meta.concrete_fields
            if f.name not in ("id", "email", "created_at", "updated_at", "user")
        }
    )
    _fill(small, 3, **{kind: small})
    _fill(big, 30, **{kind: big})
    if kind == "partner":
        # its contacts' activities are on its timeline too
        for partner, count in ((small, 3), (big, 30)):
            _fill(partner, count, contact=factories.ContactFactory(partner=partner))
    # a first visit creates the recently viewed row; the second updates it: measure the second
    for obj in (small, big):
        client.get(obj.get_absolute_url())
    few = _page_queries(client, small.get_absolute_url())
    many = _page_queries(client, big.get_absolute_url())
    assert few == many
    assert many <= 30


def test_a_partner_timeline_has_its_contacts_activities_and_a_contact_only_its_own():
    partner = factories.PartnerFactory(name="Cégep Nord")
    contact = factories.ContactFactory(partner=partner, first_name="Marc", last_name="Roy")
    other = factories.ContactFactory(partner=partner)
    factories.CallFactory(client=None, partner=partner, subject="Appel au cégep")
    factories.CallFactory(client=None, contact=contact, subject="Appel à Marc")
    factories.MeetingFactory(client=None, contact=other, subject="Rencontre d'un autre")
    factories.CallFactory(subject="Appel d'un client")  # another record's

    partner_items, _next = timeline.timeline(partner)
    contact_items, _next = timeline.timeline(contact)

    assert {i.title for i in partner_items} == {
        "Appel au cégep",
        "Appel à Marc",
        "Rencontre d'un autre",
    }
    marc = next(i for i in partner_items if i.title == "Appel à Marc")
    assert marc.context == "Marc Roy"
    assert [i.title for i in contact_items] == ["Appel à Marc"]


def test_the_timeline_pages_lose_and_repeat_nothing_even_at_one_instant():
    # given 25 calls and notes, many at the very same instant
    client_record = factories.ClientFactory()
    same = timezone.now().replace(microsecond=0)
    for _ in range(13):
        factories.CallFactory(client=client_record, starts_at=same)
    for _ in range(12):
        _at(Note, note(client=client_record), same)
    # when it is read in pages of 10
    seen, before, pages = [], None, 0
    while True:
        items, before = timeline.timeline(client_record, limit=10, before=before)
        seen += [(i.kind, i.pk) for i in items]
        pages += 1
        if before is None:
            break
    # then every item comes once
    assert pages == 3
    assert len(seen) == len(set(seen)) == 25


def test_load_more_brings_the_next_page_as_a_partial(client):
    agent = factories.agent()
    client.force_login(agent)
    client_record = factories.ClientFactory()
    now = timezone.now()
    for index in range(timeline.PAGE_SIZE + 5):
        factories.CallFactory(
            client=client_record,
            subject=f"Appel n{index:02d}",
            starts_at=now - timedelta(hours=index),
        )
    page = client.get(client_record.get_absolute_url()).content.decode()
    assert page.count('data-testid="timeline-item"') == timeline.PAGE_SIZE
    assert 'data-testid="timeline-more"' in page
    _items, cursor = timeline.timeline(client_record)
    url = reverse("contacts:client_timeline", args=[client_record.pk])
    more = client.get(url, {"before": cursor.token()}, **HTMX)
    body = more.content.decode()
    assert more.status_code == 200 and "<html" not in body
    assert body.count('data-testid="timeline-item"') == 5
    assert "Appel n24" in body and "Appel n19" not in body
    assert 'data-testid="timeline-more"' not in body
    # without htmx, a page of its own
    assert "<html" in client.get(url, {"before": cursor.token()}).content.decode()


@pytest.mark.parametrize(
    "before",
    [
        "",
        "nonsense",
        "2026-01-01T00:00:00|call|x",
        "2026-01-01T00:00:00|call|1",
        "a\x00b",
        "x" * 500,
    ],
)
def test_a_bad_timeline_cursor_is_a_400(client, before):
    client.force_login(factories.agent())
    record = factories.ClientFactory()
    url = reverse("contacts:client_timeline", args=[record.pk])
    assert client.get(url, {"before": before}).status_code == 400


def test_the_timeline_is_refused_to_citizens_and_missing_records_are_404(client):
    record = factories.ClientFactory()
    url = reverse("contacts:client_timeline", args=[record.pk])
    token = "2026-01-01T00:00:00+00:00|call|1"
    client.force_login(factories.citizen())
    assert client.get(url, {"before": token}).status_code == 403
    client.force_login(factories.manager())
    assert client.get(url, {"before": token}).status_code == 200
    missing = reverse("contacts:client_timeline", args=[record.pk + 1000])
    assert client.get(missing, {"before": token}).status_code == 404


# --- The record page's fields and actions ------------------------------------------------------


def test_the_client_page_groups_its_fields_and_offers_linked_creations(client):
    agent = factories.agent()
    client.force_login(agent)
    record = factories.ClientFactory(
        email="lea@example.org", phone="514 555-0101", employment_status="en recherche"
    )
    body = client.get(record.get_absolute_url()).content.decode()
    with translation.override("fr"):
        for heading in ("Identity", "Contact details", "Settlement and employment", "Address"):
            assert translation.gettext(heading) in body
    assert 'href="mailto:lea@example.org"' in body and 'href="tel:514 555-0101"' in body
    assert f'href="{reverse("contacts:call_create")}?client={record.pk}"' in body
    assert f'href="{reverse("contacts:meeting_create")}?client={record.pk}"' in body
    assert f'href="{reverse("contacts:note_create")}?client={record.pk}"' in body
    assert f'href="{reverse("contacts:saefile_create")}?client={record.pk}"' in body
    assert 'data-testid="edit-employment_status"' in body


def test_a_partner_page_adds_a_contact_and_lists_its_contacts(client):
    client.force_login(factories.agent())
    partner = factories.PartnerFactory()
    factories.ContactFactory(partner=partner, first_name="Marc", last_name="Roy")
    body = client.get(partner.get_absolute_url()).content.decode()
    assert f'href="{reverse("contacts:contact_create")}?partner={partner.pk}"' in body
    assert "Marc Roy" in body


def test_a_manager_sees_no_pencil_and_no_create_button(client):
    client.force_login(factories.manager())
    body = client.get(factories.ClientFactory().get_absolute_url()).content.decode()
    assert 'data-testid="edit-' not in body
    assert 'data-testid="action-call"' not in body


@pytest.mark.parametrize("kind", ["call", "meeting", "note", "document"])
def test_an_activity_page_names_its_record_and_has_a_star(client, kind):
    client.force_login(factories.agent())
    contact = factories.ContactFactory(first_name="Marc", last_name="Roy")
    obj = {
        "call": lambda: factories.CallFactory(client=None, contact=contact),
        "meeting": lambda: factories.MeetingFactory(client=None, contact=contact),
        "note": lambda: note(contact=contact),
        "document": lambda: document(contact=contact),
    }[kind]()
    body = client.get(obj.get_absolute_url()).content.decode()
    assert 'data-testid="linked-record"' in body and "Marc Roy" in body
    assert str(contact.partner) in body  # the contact's partner too
    assert 'data-testid="favourite-star"' in body


# --- Inline edit of one field -----------------------------------------------------------------


def _field_urls(record, name, kind="client"):
    return (
        reverse(f"contacts:{kind}_field", args=[record.pk, name]),
        reverse(f"contacts:{kind}_field_edit", args=[record.pk, name]),
    )


def test_the_pencil_opens_a_one_field_form_and_cancel_brings_the_value_back(client):
    client.force_login(factories.agent())
    record = factories.ClientFactory(city="Laval")
    show, edit = _field_urls(record, "city")
    form = client.get(edit, **HTMX)
    body = form.content.decode()
    assert form.status_code == 200 and "<html" not in body
    assert 'name="inline-city"' in body and 'value="Laval"' in body
    assert 'name="inline-first_name"' not in body
    shown = client.get(show, **HTMX).content.decode()
    assert "Laval" in shown and 'data-testid="edit-city"' in shown
    # without htmx: the edit page, and the record page
    assert client.get(edit).url == reverse("contacts:client_edit", args=[record.pk])
    assert client.get(show).url == record.get_absolute_url()


def test_an_inline_edit_writes_only_that_field_and_keeps_a_colleagues_change(client):
    agent = factories.agent()
    client.force_login(agent)
    record = factories.ClientFactory(first_name="Léa", city="Laval")
    _show, edit = _field_urls(record, "city")
    # a colleague changes the first name meanwhile
    Client.objects.filter(pk=record.pk).update(first_name="Léanne")

    answer = client.post(edit, {"inline-city": "Longueuil"}, **HTMX)

    assert answer.status_code == 200
    assert "Longueuil" in answer.content.decode()
    record.refresh_from_db()
    assert (record.city, record.first_name) == ("Longueuil", "Léanne")
    last = record.history.order_by("-history_date").first()
    assert last.history_user == agent and last.history_reason_code == "edited"


def test_an_inline_edit_with_a_bad_value_shows_the_error_in_place(client):
    client.force_login(factories.agent())
    record = factories.ClientFactory(email="lea@example.org")
    _show, edit = _field_urls(record, "email")
    answer = client.post(edit, {"inline-email": "pas une adresse"}, **HTMX)
    body = answer.content.decode()
    assert answer.status_code == 422
    assert 'data-testid="inline-error"' in body and 'value="pas une adresse"' in body
    too_long = client.post(edit, {"inline-email": "a" * 250 + "@example.org"}, **HTMX)
    assert too_long.status_code == 422
    record.refresh_from_db()
    assert record.email == "lea@example.org"
    # without htmx: the edit page, with the message
    page = client.post(edit, {"inline-email": "pas une adresse"})
    assert page.status_code == 400 and "<html" in page.content.decode()


def test_an_inline_edit_of_a_taken_email_is_refused_by_the_service(client):
    client.force_login(factories.agent())
    factories.ClientFactory(email="pris@example.org")
    record = factories.ClientFactory()
    _show, edit = _field_urls(record, "email")
    answer = client.post(edit, {"inline-email": "PRIS@example.org"}, **HTMX)
    assert answer.status_code == 422
    with translation.override("fr"):
        message = translation.gettext("A client with this e-mail address already exists.")
    assert message in answer.content.decode()


def test_an_inline_edit_without_js_goes_back_to_the_record(client):
    client.force_login(factories.agent())
    partner = factories.PartnerFactory(name="Cégep")
    _show, edit = _field_urls(partner, "name", kind="partner")
    answer = client.post(edit, {"inline-name": "Cégep du Nord"})
    assert answer.status_code == 302 and answer.url == partner.get_absolute_url()
    partner.refresh_from_db()
    assert partner.name == "Cégep du Nord"


def test_an_unchanged_value_writes_no_history(client):
    client.force_login(factories.agent())
    record = factories.ClientFactory(city="Laval")
    rows = record.history.count()
    _show, edit = _field_urls(record, "city")
    assert client.post(edit, {"inline-city": "Laval"}, **HTMX).status_code == 200
    assert record.history.count() == rows


@pytest.mark.parametrize("persona", ["manager", "citizen"])
def test_managers_and_citizens_may_not_edit_a_field(client, persona):
    client.force_login(getattr(factories, persona)())
    record = factories.ClientFactory(city="Laval")
    show, edit = _field_urls(record, "city")
    assert client.get(edit, **HTMX).status_code == 403
    assert client.post(edit, {"inline-city": "Non"}, **HTMX).status_code == 403
    record.refresh_from_db()
    assert record.city == "Laval"
    assert client.get(show, **HTMX).status_code == (403 if persona == "citizen" else 200)


@pytest.mark.parametrize("name", ["id", "history", "user", "nonexistent", "created_at"])
def test_a_field_that_is_not_edited_inline_is_a_404(client, name):
    client.force_login(factories.agent())
    record = factories.ClientFactory()
    _show, edit = _field_urls(record, name)
    assert client.get(edit, **HTMX).status_code == 404


def test_links_and_lists_of_people_are_edited_on_the_edit_page_only(client):
    client.force_login(factories.agent())
    meeting = factories.MeetingFactory()
    for name in ("client", "attendees"):
        _show, edit = _field_urls(meeting, name, kind="meeting")
        assert client.get(edit, **HTMX).status_code == 404
    _show, edit = _field_urls(meeting, "location", kind="meeting")
    assert client.post(edit, {"inline-location": "Salle 2"}, **HTMX).status_code == 200
    meeting.refresh_from_db()
    assert meeting.location == "Salle 2"


def test_an_inline_edit_never_answers_5xx_to_bad_input(client):
    client.force_login(factories.agent())
    record = factories.ClientFactory()
    for name in ("city", "date_of_birth", "owner", "client_type", "description"):
        _show, edit = _field_urls(record, name)
        for value in ("a\x00b", "x" * 1_000_000, "-1", "2026-13-45"):
            answer = client.post(edit, {f"inline-{name}": value}, **HTMX)
            assert answer.status_code in (200, 400, 422), (name, value[:10])
