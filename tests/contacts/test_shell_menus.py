"""The shell's CRM menus (favourites, recently viewed, "+"), the favourite star, the record
pickers and the CRM's admin pages."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts import favourites, services
from contacts.models import Favourite, Meeting, RecentView
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
TOGGLE = "/agent/favourites/toggle/"


def star(client, obj, **extra):
    return client.post(TOGGLE, {"record": favourites.key_of(obj)}, **extra)


# --- Favourites --------------------------------------------------------------------------------


def test_the_star_adds_then_removes_a_favourite(client):
    agent = factories.agent()
    client.force_login(agent)
    record = factories.ClientFactory(first_name="Léa", last_name="Jodoin")

    answer = star(client, record, **HTMX)
    assert answer.status_code == 200
    assert 'aria-pressed="true"' in answer.content.decode()
    favourite = Favourite.objects.get(user=agent)
    assert (favourite.label, favourite.url) == ("Léa Jodoin", record.get_absolute_url())
    assert 'aria-pressed="true"' in client.get(record.get_absolute_url()).content.decode()

    answer = star(client, record, **HTMX)
    assert 'aria-pressed="false"' in answer.content.decode()
    assert not Favourite.objects.exists()


def test_the_favourites_menu_lists_mine_only_and_is_a_page_without_htmx(client):
    agent, colleague = factories.agent(), factories.agent()
    partner = factories.PartnerFactory(name="Cégep Nord")
    services.favourite_toggle(user=agent, obj=partner)
    services.favourite_toggle(user=colleague, obj=factories.PartnerFactory(name="Autre"))
    client.force_login(agent)
    menu = client.get(reverse("contacts:favourites"), **HTMX).content.decode()
    assert "Cégep Nord" in menu and "Autre" not in menu and "<html" not in menu
    assert f'href="{partner.get_absolute_url()}"' in menu
    page = client.get(reverse("contacts:favourites")).content.decode()
    assert "<html" in page and "Cégep Nord" in page


def test_a_request_and_an_incident_can_be_starred(client):
    agent = factories.agent()
    client.force_login(agent)
    request = factories.ServiceRequestFactory()
    incident = factories.IncidentFactory()
    assert star(client, request).status_code == 302
    assert star(client, incident).status_code == 302
    menu = client.get(reverse("contacts:favourites"), **HTMX).content.decode()
    assert request.get_absolute_url() in menu and incident.get_absolute_url() in menu


def test_a_manager_keeps_favourites_a_citizen_may_not(client):
    record = factories.ClientFactory()
    client.force_login(factories.manager())
    assert star(client, record, **HTMX).status_code == 200
    assert client.get(reverse("contacts:favourites"), **HTMX).status_code == 200
    client.force_login(factories.citizen())
    assert star(client, record, **HTMX).status_code == 403
    assert client.get(reverse("contacts:favourites"), **HTMX).status_code == 403
    assert client.get(reverse("contacts:recent"), **HTMX).status_code == 403
    assert Favourite.objects.count() == 1


@pytest.mark.parametrize(
    "record",
    [
        "",
        "crm.user:1",
        "contacts.client:x",
        "contacts.client:-1",
        "contacts.savedfilter:1",
        "a\x00b",
    ],
)
def test_a_bad_star_is_refused_with_a_400(client, record):
    client.force_login(factories.agent())
    assert client.post(TOGGLE, {"record": record}).status_code == 400


def test_starring_a_missing_record_is_a_404_and_get_is_not_allowed(client):
    client.force_login(factories.agent())
    assert client.post(TOGGLE, {"record": "contacts.client:999999"}).status_code == 404
    assert client.get(TOGGLE).status_code == 405


# --- Recently viewed ---------------------------------------------------------------------------


def test_recently_viewed_keeps_the_last_ten_newest_first(client):
    agent = factories.agent()
    client.force_login(agent)
    records = [factories.ClientFactory() for _ in range(12)]
    for record in records:
        assert client.get(record.get_absolute_url()).status_code == 200
    # the first one opened again comes back on top, once
    client.get(records[0].get_absolute_url())
    kept = list(RecentView.objects.filter(user=agent).order_by("-viewed_at", "-pk"))
    assert len(kept) == RecentView.KEEP
    assert kept[0].object_id == records[0].pk
    assert {v.object_id for v in kept} == {r.pk for r in [records[0], *records[3:]]}
    menu = client.get(reverse("contacts:recent"), **HTMX).content.decode()
    assert menu.count('data-testid="recent-item"') == 10
    assert menu.index(str(records[0])) < menu.index(str(records[11]))


def test_recording_a_view_costs_the_same_queries_with_ten_kept(django_assert_max_num_queries):
    agent = factories.agent()
    for record in [factories.ClientFactory() for _ in range(10)]:
        services.record_viewed(user=agent, obj=record)
    newcomer = factories.PartnerFactory()
    with CaptureQueriesContext(connection) as queries:
        services.record_viewed(user=agent, obj=newcomer)
    writes = [q for q in queries if "recentview" in q["sql"]]
    assert len(writes) == 2  # one upsert, one delete of the older ones
    assert RecentView.objects.filter(user=agent).count() == 10


def test_a_citizen_records_no_view():
    citizen = factories.citizen()
    services.record_viewed(user=citizen, obj=citizen.client)
    assert not RecentView.objects.exists()


# --- The shell: lazy menus, "+" -----------------------------------------------------------------


def test_a_back_office_page_reads_no_favourite_nor_recent_view(client):
    client.force_login(factories.agent())
    services.favourite_toggle(user=factories.agent(), obj=factories.ClientFactory())
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("agent:home"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="favourites-menu"' in body and 'data-testid="create-menu"' in body
    assert not [q for q in queries if "favourite" in q["sql"] or "recentview" in q["sql"]]


def test_every_link_of_the_plus_menu_opens_a_form(client):
    client.force_login(factories.agent())
    body = client.get(reverse("agent:home")).content.decode()
    menu = body[body.index('data-testid="create-menu-items"') :]
    menu = menu[: menu.index("</ul>")]
    links = re.findall(r'href="([^"]+)"', menu)
    assert reverse("contacts:client_create") in links and reverse("contacts:call_create") in links
    assert len(links) >= 9
    for url in links:
        assert client.get(url).status_code == 200, url


def test_managers_have_no_plus_menu_and_citizens_no_crm_menu(client):
    client.force_login(factories.manager())
    body = client.get(reverse("agent:home")).content.decode()
    assert 'data-testid="create-menu"' not in body and 'data-testid="favourites-menu"' in body


# --- Record pickers ----------------------------------------------------------------------------


def search(client, **params):
    return client.get(reverse("contacts:record_search"), params, **HTMX)


def test_the_picker_finds_partners_contacts_and_clients_by_name(client):
    client.force_login(factories.agent())
    partner = factories.PartnerFactory(name="Cégep Nord", city="Laval")
    contact = factories.ContactFactory(partner=partner, first_name="Marc", last_name="Roy")
    person = factories.ClientFactory(first_name="Léa", last_name="Jodoin")
    factories.PartnerFactory(name="Autre école")

    partners = search(client, kind="partner", name="partner", q="cegep").content.decode()
    assert "Cégep Nord" in partners and "Autre école" not in partners
    assert f'name="partner" value="{partner.pk}"' in partners and 'type="radio"' in partners
    contacts = search(client, kind="contact", name="contact", q="nord roy").content.decode()
    assert f'value="{contact.pk}"' in contacts and "Cégep Nord" in contacts
    clients = search(
        client, kind="client", name="clients_attending", multiple="1", clients_attending_q="jodoin"
    ).content.decode()
    assert f'name="clients_attending" value="{person.pk}"' in clients
    assert 'type="checkbox"' in clients


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "user", "name": "x", "q": "a"},
        {"kind": "client", "name": 'bad name"', "q": "a"},
        {"kind": "client", "name": "client", "q": "a\x00b"},
        {"kind": "client", "name": "client", "q": "x" * 1000},
        {"name": "client"},
    ],
)
def test_a_bad_picker_search_is_a_400(client, params):
    client.force_login(factories.agent())
    assert search(client, **params).status_code == 400


def test_citizens_may_not_search_the_crm(client):
    client.force_login(factories.citizen())
    assert search(client, kind="client", name="client", q="a").status_code == 403


def test_an_activity_form_has_pickers_not_number_boxes(client):
    client.force_login(factories.agent())
    body = client.get(reverse("contacts:call_create")).content.decode()
    for name in ("client", "contact", "partner"):
        assert f'data-testid="picker-{name}"' in body
    assert 'type="number" name="client"' not in body


def test_plan_a_call_from_a_contact_names_its_partner_and_sends_the_link_hidden(client):
    client.force_login(factories.agent())
    contact = factories.ContactFactory(partner=factories.PartnerFactory(name="Cégep Nord"))
    body = client.get(reverse("contacts:call_create") + f"?contact={contact.pk}").content.decode()
    assert 'data-testid="linked-partner"' in body and "Cégep Nord" in body
    assert f'type="hidden" name="contact" value="{contact.pk}"' in body
    assert 'data-testid="picker-client"' not in body


def test_a_meeting_is_planned_with_staff_contacts_and_clients_attending(client):
    agent = factories.agent()
    colleague = factories.agent()
    client.force_login(agent)
    partner = factories.PartnerFactory()
    contact = factories.ContactFactory(partner=partner)
    person = factories.ClientFactory()
    url = reverse("contacts:meeting_create") + f"?partner={partner.pk}"
    answer = client.post(
        url,
        {
            "partner": partner.pk,
            "subject": "Préparer son CV",
            "starts_at": "2026-12-03T10:00",
            "ends_at": "2026-12-03T11:00",
            "status": "planned",
            "assigned_to": agent.pk,
            "attendees": [agent.pk, colleague.pk],
            "contacts_attending": [contact.pk],
            "clients_attending": [person.pk],
        },
    )
    assert answer.status_code == 302, answer.content.decode()[-2000:]
    meeting = Meeting.objects.get()
    assert set(meeting.attendees.all()) == {agent, colleague}
    assert list(meeting.contacts_attending.all()) == [contact]
    assert list(meeting.clients_attending.all()) == [person]
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert str(person) in page and str(contact) in page


def test_a_meeting_that_ends_before_it_starts_is_refused_and_typed_values_kept(client):
    agent = factories.agent()
    client.force_login(agent)
    person = factories.ClientFactory()
    answer = client.post(
        reverse("contacts:meeting_create") + f"?client={person.pk}",
        {
            "client": person.pk,
            "subject": "Rencontre",
            "starts_at": "2026-12-03T11:00",
            "ends_at": "2026-12-03T10:00",
            "status": "planned",
            "location": "Salle 4",
        },
    )
    assert answer.status_code == 400
    assert 'value="Salle 4"' in answer.content.decode()
    assert not Meeting.objects.exists()


def test_a_contact_form_picks_its_partner(client):
    client.force_login(factories.agent())
    partner = factories.PartnerFactory(name="Cégep Nord")
    body = client.get(reverse("contacts:contact_create") + f"?partner={partner.pk}").content
    body = body.decode()
    assert 'data-testid="picker-partner"' in body
    assert f'name="partner" value="{partner.pk}" checked' in body


# --- Admin ---------------------------------------------------------------------------------------

ADMIN_MODELS = [
    "client",
    "partner",
    "contact",
    "call",
    "meeting",
    "note",
    "document",
    "program",
    "service",
    "programenrolment",
    "servicerecord",
    "saefile",
    "savedfilter",
    "favourite",
]


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_the_admin_lists_and_adds_every_crm_model(client, model):
    client.force_login(factories.administrator())
    partner = factories.PartnerFactory()
    factories.ContactFactory(partner=partner)
    factories.MeetingFactory()
    factories.CallFactory()
    changelist = client.get(f"/admin/contacts/{model}/", {"q": "a"})
    assert changelist.status_code == 200
    add = client.get(f"/admin/contacts/{model}/add/")
    assert add.status_code == (403 if model == "document" else 200)
    if model == "partner":
        change = client.get(f"/admin/contacts/partner/{partner.pk}/change/").content.decode()
        assert "contacts-TOTAL_FORMS" in change  # its contacts inline
    if model in ("call", "meeting"):
        obj = {"call": factories.CallFactory, "meeting": factories.MeetingFactory}[model]()
        history = client.get(f"/admin/contacts/{model}/{obj.pk}/history/")
        assert history.status_code == 200
        # a client is a raw id, never a select of every client
        change = client.get(f"/admin/contacts/{model}/{obj.pk}/change/").content.decode()
        assert '<select name="client"' not in change


def test_request_and_incident_pages_load_their_star_after_the_page(client):
    agent = factories.agent()
    client.force_login(agent)
    request = factories.ServiceRequestFactory()
    incident = factories.IncidentFactory()
    services.favourite_toggle(user=agent, obj=incident)
    for obj in (request, incident):
        page = client.get(obj.get_absolute_url()).content.decode()
        assert 'data-testid="favourite-star-lazy"' in page
    url = reverse("contacts:favourite_star")
    answer = client.get(url, {"record": favourites.key_of(incident)}, **HTMX)
    assert answer.status_code == 200 and 'aria-pressed="true"' in answer.content.decode()
    answer = client.get(url, {"record": favourites.key_of(request)}, **HTMX)
    assert 'aria-pressed="false"' in answer.content.decode()
    assert client.get(url, {"record": "contacts.client:x"}).status_code == 400
    assert client.get(url, {"record": "contacts.client:999999"}).status_code == 404
    client.force_login(factories.citizen())
    assert client.get(url, {"record": favourites.key_of(request)}).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page_from_every_new_url(client):
    record = factories.ClientFactory()
    urls = [
        reverse("contacts:favourites"),
        reverse("contacts:recent"),
        reverse("contacts:favourite_star") + f"?record={favourites.key_of(record)}",
        reverse("contacts:record_search") + "?kind=client&name=client&q=a",
        reverse("contacts:client_field", args=[record.pk, "city"]),
        reverse("contacts:client_field_edit", args=[record.pk, "city"]),
        reverse("contacts:client_timeline", args=[record.pk]) + "?before=x",
    ]
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 302 and "/accounts/login/" in answer.url, url
    answer = client.post(TOGGLE, {"record": favourites.key_of(record)})
    assert answer.status_code == 302 and "/accounts/login/" in answer.url
    assert not Favourite.objects.exists()


@pytest.mark.parametrize("persona", ["agent", "manager"])
def test_colleagues_share_the_crm_but_not_their_favourites(client, persona):
    owner = factories.agent()
    record = factories.PartnerFactory(name="Cégep Nord")
    services.favourite_toggle(user=owner, obj=record)
    client.force_login(getattr(factories, persona)())
    # another person's star is not theirs: starring adds their own
    assert "Cégep Nord" not in client.get(reverse("contacts:favourites"), **HTMX).content.decode()
    assert 'aria-pressed="false"' in client.get(record.get_absolute_url()).content.decode()
    star(client, record, **HTMX)
    assert Favourite.objects.filter(object_id=record.pk).count() == 2
