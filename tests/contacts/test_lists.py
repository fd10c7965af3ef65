"""The CRM's lists: who reaches them, what the instant search, the advanced filters, "my items"
and the upcoming / history tabs find, sorting, capped pagination, constant query counts, and
bad input answered without a 500."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts import list_views
from contacts.models import Call, Meeting
from contacts.tables import LISTS
from tests import factories
from tests.contacts import crm_rows
from tests.helpers import text

pytestmark = pytest.mark.django_db

KINDS = list(LISTS)


def list_url(kind: str) -> str:
    return reverse(f"contacts:{kind}_list")


def names(page) -> list[str]:
    """The texts of the first cell of each row of the list's table."""
    body = text(page).split('data-testid="crm-table"', 1)[1].split("<tbody", 1)[1]
    rows = re.findall(r"<tr[^>]*>\s*<td([^>]*)>(.*?)</td>", body, flags=re.S)
    # The row saying that nothing matches spans the whole table.
    return [re.sub(r"<[^>]+>", "", cell).strip() for attrs, cell in rows if "colspan" not in attrs]


@pytest.fixture
def rows():
    return crm_rows.one_of_each()


# --- Who reaches the lists ---------------------------------------------------------------------


def test_every_list_has_its_url():
    paths = {kind: list_url(kind) for kind in KINDS}
    assert paths == {
        "client": "/agent/clients/",
        "partner": "/agent/partners/",
        "contact": "/agent/contacts/",
        "call": "/agent/calls/",
        "meeting": "/agent/meetings/",
        "note": "/agent/notes/",
        "document": "/agent/documents/",
        "programenrolment": "/agent/enrolments/",
        "servicerecord": "/agent/service-records/",
        "saefile": "/agent/sae-files/",
    }


@pytest.mark.parametrize("kind", KINDS)
def test_an_agent_sees_each_row_linked_to_its_page_and_a_new_button(client, rows, kind):
    client.force_login(factories.agent())
    page = client.get(list_url(kind))
    assert page.status_code == 200
    assert f'href="{rows[kind].get_absolute_url()}"' in page.content.decode()
    assert f'href="{reverse(f"contacts:{kind}_create")}"' in page.content.decode()


@pytest.mark.parametrize("kind", KINDS)
def test_a_manager_reads_every_list_without_the_new_button(client, rows, kind):
    client.force_login(factories.manager())
    page = client.get(list_url(kind))
    assert page.status_code == 200
    assert f'href="{rows[kind].get_absolute_url()}"' in page.content.decode()
    assert 'data-testid="crm-new"' not in page.content.decode()


@pytest.mark.parametrize("kind", KINDS)
def test_citizens_get_403_and_anonymous_visitors_the_login_page(client, rows, kind):
    client.force_login(factories.citizen())
    assert client.get(list_url(kind)).status_code == 403
    assert client.get(reverse(f"contacts:{kind}_export")).status_code == 403
    client.logout()
    for url in (list_url(kind), reverse(f"contacts:{kind}_export")):
        answer = client.get(url)
        assert answer.status_code == 302 and "/accounts/login/" in answer.url


# --- Instant search ------------------------------------------------------------------------------


@pytest.fixture
def jodoins():
    return {
        "lea": factories.ClientFactory(first_name="Léa", last_name="Jodöin"),
        "marc": factories.ClientFactory(first_name="Marc", last_name="JODOIN-Tremblay"),
        "amina": factories.ClientFactory(
            first_name="Amina", last_name="Diallo", phone="(438) 555-0199"
        ),
    }


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("Jodoin", {"lea", "marc"}),
        ("jodoin", {"lea", "marc"}),
        ("jodöin", {"lea", "marc"}),
        ("léa jodoin", {"lea"}),
        ("tremblay", {"marc"}),
        ("438 555 0199", {"amina"}),
        ("nobody", set()),
        ("%", set()),
    ],
)
def test_the_client_search_ignores_accents_and_case(client, agent, jodoins, q, found):
    client.force_login(agent)
    page = client.get(list_url("client"), {"q": q})
    assert page.status_code == 200
    assert set(names(page)) == {str(jodoins[k]) for k in found}


def test_partners_contacts_and_activities_are_found_by_their_words_and_their_links(client, agent):
    # given a partner, its contact, and a call and a note on each
    partner = factories.PartnerFactory(name="École Saint-Éloi", phone="514-555-7788")
    other = factories.PartnerFactory(name="Garage Roy")
    contact = factories.ContactFactory(
        partner=partner, first_name="Hélène", last_name="Côté", email="hcote@example.org"
    )
    factories.ContactFactory(partner=other, first_name="Jean", last_name="Roy")
    call = factories.CallFactory(client=None, contact=contact, subject="Rappel inscription")
    factories.CallFactory(subject="Autre sujet")
    note = crm_rows.note(partner=partner, subject="Visite des locaux")
    client.force_login(agent)
    # then each list finds them by their words, accents and case aside
    assert names(client.get(list_url("partner"), {"q": "ecole eloi"})) == [partner.name]
    assert names(client.get(list_url("partner"), {"q": "555-7788"})) == [partner.name]
    assert names(client.get(list_url("contact"), {"q": "HELENE"})) == ["Hélène Côté"]
    assert names(client.get(list_url("contact"), {"q": "hcote@"})) == ["Hélène Côté"]
    # and an activity by its subject or by the name of whom it concerns
    assert names(client.get(list_url("call"), {"q": "inscription"})) == [call.subject]
    assert names(client.get(list_url("call"), {"q": "cote"})) == [call.subject]
    assert names(client.get(list_url("note"), {"q": "saint eloi"})) == [note.subject]


# --- Advanced filters -----------------------------------------------------------------------


def test_clients_are_filtered_by_type_counsellor_city_and_creation_date(client, agent):
    colleague = factories.agent(email="collegue@example.org")
    kept = factories.ClientFactory(
        last_name="Gagné", client_type="newcomer", owner=colleague, city="Montréal"
    )
    factories.ClientFactory(last_name="Autre", client_type="student", owner=colleague)
    factories.ClientFactory(last_name="Ailleurs", client_type="newcomer", city="Laval")
    old = factories.ClientFactory(last_name="Ancien", client_type="newcomer", city="Montreal")
    type(old).objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=400)
    )
    client.force_login(agent)
    url = list_url("client")
    assert set(names(client.get(url, {"client_type": "newcomer", "city": "montreal"}))) == {
        str(kept),
        str(old),
    }
    assert names(client.get(url, {"owner": colleague.pk, "client_type": "newcomer"})) == [str(kept)]
    since = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    assert names(client.get(url, {"city": "montreal", "created_after": since})) == [str(kept)]


def test_calls_are_filtered_by_direction_status_date_and_assignee(client, agent):
    day = timezone.make_aware(datetime.datetime(2026, 3, 10, 10, 0))
    kept = factories.CallFactory(
        subject="Gardé", direction="inbound", status="held", starts_at=day, assigned_to=agent
    )
    factories.CallFactory(subject="Sortant", direction="outbound", status="held", starts_at=day)
    factories.CallFactory(subject="Planifié", direction="inbound", starts_at=day)
    factories.CallFactory(
        subject="Plus tard",
        direction="inbound",
        status="held",
        starts_at=day + datetime.timedelta(days=30),
    )
    client.force_login(agent)
    found = client.get(
        list_url("call"),
        {
            "direction": "inbound",
            "status": ["held", "postponed"],
            "starts_at_after": "2026-03-10",
            "starts_at_before": "2026-03-10",
        },
    )
    assert names(found) == [kept.subject]
    assert names(client.get(list_url("call"), {"assigned_to": agent.pk})) == [kept.subject]


def test_other_lists_have_their_own_filters(client, agent):
    school = factories.PartnerFactory(name="École", kind="school", city="Québec")
    factories.PartnerFactory(name="Firme", kind="company", city="Québec")
    contact = factories.ContactFactory(partner=school, last_name="Tremblay")
    factories.ContactFactory(last_name="Ailleurs")
    meeting = factories.MeetingFactory(subject="Annulée", status="cancelled", location="Salle B")
    factories.MeetingFactory(subject="Prévue")
    cv = crm_rows.document(title="CV Léa", doc_type="cv")
    crm_rows.document(title="Autre pièce")
    record = crm_rows.service_record("ACT-1")
    other_service = type(record.service).objects.create(name="Mentorat")
    crm_rows.service_record("ACT-2", service=other_service)
    sae = crm_rows.sae_file("SAE-1", status="active", counsellor=agent)
    crm_rows.sae_file("SAE-2")
    client.force_login(agent)
    assert names(client.get(list_url("partner"), {"kind": "school", "city": "quebec"})) == ["École"]
    assert names(client.get(list_url("contact"), {"partner": school.pk})) == [str(contact)]
    assert names(client.get(list_url("contact"), {"partner_name": "ecole"})) == [str(contact)]
    assert names(client.get(list_url("meeting"), {"status": "cancelled"})) == [meeting.subject]
    assert names(client.get(list_url("meeting"), {"location": "salle b"})) == [meeting.subject]
    assert names(client.get(list_url("document"), {"doc_type": "cv"})) == [cv.title]
    assert names(client.get(list_url("servicerecord"), {"service": other_service.pk})) == ["ACT-2"]
    found = client.get(list_url("saefile"), {"status": "active", "counsellor": agent.pk})
    assert names(found) == [sae.file_identifier]


def test_my_items_are_those_i_follow_or_am_assigned(client, agent, colleague):
    mine = factories.ClientFactory(last_name="Mien", owner=agent)
    theirs = factories.ClientFactory(last_name="Sien", owner=colleague)
    factories.ClientFactory(last_name="Personne")
    my_call = factories.CallFactory(subject="Mon appel", assigned_to=agent)
    factories.CallFactory(subject="Son appel", assigned_to=colleague)
    my_file = crm_rows.sae_file("SAE-MIEN", counsellor=agent)
    crm_rows.sae_file("SAE-SIEN", counsellor=colleague)
    client.force_login(agent)
    assert names(client.get(list_url("client"), {"mine": "on"})) == [str(mine)]
    assert len(names(client.get(list_url("client")))) >= 3
    assert names(client.get(list_url("call"), {"mine": "on"})) == [my_call.subject]
    assert names(client.get(list_url("saefile"), {"mine": "on"})) == [my_file.file_identifier]
    # the same toggle, for the colleague, shows theirs
    client.force_login(colleague)
    assert names(client.get(list_url("client"), {"mine": "on"})) == [str(theirs)]


@pytest.mark.parametrize(
    ("model", "factory", "done"),
    [
        ("call", factories.CallFactory, [Call.Status.HELD]),
        ("meeting", factories.MeetingFactory, [Meeting.Status.HELD, Meeting.Status.CANCELLED]),
    ],
)
def test_held_calls_and_meetings_stay_reachable_in_the_history(client, agent, model, factory, done):
    now = timezone.now()
    later = factory(subject="Plus tard", starts_at=now + datetime.timedelta(days=2))
    soon = factory(subject="Bientôt", starts_at=now + datetime.timedelta(days=1))
    held = [
        factory(subject=f"Terminé {i}", status=status, starts_at=now - datetime.timedelta(days=i))
        for i, status in enumerate(done, start=1)
    ]
    client.force_login(agent)
    url = list_url(model)
    # upcoming: still to hold, the next first
    assert names(client.get(url, {"view": "upcoming"})) == [soon.subject, later.subject]
    # history: held (or cancelled), the latest first
    assert names(client.get(url, {"view": "history"})) == [h.subject for h in held]
    # all of them otherwise
    assert len(names(client.get(url))) == 2 + len(held)


# --- Sorting and pagination ------------------------------------------------------------------


def test_columns_sort_both_ways_and_an_unknown_sort_is_ignored(client, agent):
    for name in ("Bélanger", "Côté", "Abel"):
        factories.ClientFactory(first_name="", last_name=name)
    client.force_login(agent)
    url = list_url("client")
    ascending = names(client.get(url, {"sort": "name"}))
    assert ascending == sorted(ascending, key=lambda n: n.replace("é", "e").replace("ô", "o"))
    assert names(client.get(url, {"sort": "-name"})) == ascending[::-1]
    page = client.get(url, {"sort": "bogus"})
    assert page.status_code == 200 and len(names(page)) == 3
    page = client.get(url, {"sort": "-pk,__class__,name;drop"})
    assert page.status_code == 200 and len(names(page)) == 3


def test_the_list_is_paginated_and_past_the_cap_the_count_reads_more_than(
    client, agent, monkeypatch
):
    factories.PartnerFactory.create_batch(list_views.PER_PAGE + 5)
    client.force_login(agent)
    url = list_url("partner")
    first, second = client.get(url), client.get(url, {"page": 2})
    assert len(names(first)) == list_views.PER_PAGE and len(names(second)) == 5
    assert not set(names(first)) & set(names(second))
    assert "55 résultats" in text(first)
    # a page out of range shows the last one
    for bad in ("-1", "0", "99999999999", "abc"):
        page = client.get(url, {"page": bad})
        assert page.status_code == 200 and names(page)
    monkeypatch.setattr(list_views, "COUNT_CAP", 10)
    assert "Plus de 10 résultats" in text(client.get(url))


@pytest.mark.parametrize("kind", KINDS)
def test_a_page_costs_the_same_queries_with_5_or_50_rows(client, agent, kind):
    makers = {
        "client": lambda i: factories.ClientFactory(owner=agent),
        "partner": lambda i: factories.PartnerFactory(owner=agent),
        "contact": lambda i: factories.ContactFactory(owner=agent),
        "call": lambda i: factories.CallFactory(assigned_to=agent),
        "meeting": lambda i: factories.MeetingFactory(
            client=None, contact=factories.ContactFactory(), assigned_to=agent
        ),
        "note": lambda i: crm_rows.note(partner=factories.PartnerFactory(), created_by=agent),
        "document": lambda i: crm_rows.document(assigned_to=agent),
        "programenrolment": lambda i: crm_rows.enrolment(),
        "servicerecord": lambda i: crm_rows.service_record(f"ACT-{i}"),
        "saefile": lambda i: crm_rows.sae_file(f"SAE-{i}", counsellor=agent),
    }
    client.force_login(agent)
    url = list_url(kind)
    client.get(url)  # the reader's permissions, read once then kept (crm/backends.py)
    counts = []
    made = 0
    for total in (5, 50):
        while made < total:
            makers[kind](made)
            made += 1
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"sort": "-" + LISTS[kind].columns[0].name}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 12


def test_a_searched_page_costs_the_same_queries_with_5_or_50_rows(
    client, agent, django_assert_max_num_queries
):
    client.force_login(agent)
    factories.CallFactory.create_batch(5, subject="Suivi", status="held")
    search = {"q": "suivi", "view": "history", "sort": "-starts_at"}
    with CaptureQueriesContext(connection) as few:
        client.get(list_url("call"), search)
    factories.CallFactory.create_batch(45, subject="Suivi", status="held")
    factories.CallFactory.create_batch(5, subject="Autre", status="held")
    with django_assert_max_num_queries(len(few)):
        page = client.get(list_url("call"), search)
    assert len(names(page)) == 50


# --- htmx and bad input -------------------------------------------------------------------------


def test_an_htmx_search_gets_only_the_list_region_and_varies_on_it(client, agent, jodoins):
    client.force_login(agent)
    page = client.get(
        list_url("client"), {"q": "jodoin"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="crm-list"
    )
    assert page.status_code == 200
    assert "<html" not in page.content.decode() and "Léa Jodöin" in text(page)
    assert "HX-Request" in page["Vary"]
    full = client.get(list_url("client"), {"q": "jodoin"})
    assert "<html" in full.content.decode()


def test_the_advanced_panel_loads_its_agents_when_it_opens_unless_one_is_chosen(
    client, agent, colleague
):
    client.force_login(agent)
    # a plain search leaves the panel, and its select of every agent, to be loaded
    page = text(client.get(list_url("client"), {"q": "jodoin"}))
    assert 'name="owner"' not in page
    assert f'hx-get="{list_url("client")}?panel=advanced"' in page
    assert "{#" not in page
    # opening it reads its fields alone
    panel = client.get(list_url("client"), {"panel": "advanced"}, HTTP_HX_REQUEST="true")
    assert panel.status_code == 200
    body = text(panel)
    assert "<html" not in body and 'name="owner"' in body
    assert f'<option value="{colleague.pk}">' in body
    # a query that sets one of its fields shows it open, with the choice kept
    chosen = text(client.get(list_url("client"), {"owner": colleague.pk}))
    assert f'<option value="{colleague.pk}" selected>' in chosen
    assert "panel=advanced" not in chosen


@pytest.mark.parametrize("kind", KINDS)
def test_bad_input_gives_a_clean_list_or_a_4xx_never_a_500(client, agent, rows, kind):
    client.force_login(agent)
    url = list_url(kind)
    assert client.get(url, {"q": "a\x00b"}).status_code == 400
    big = client.get(url, {"q": "x" * 1_000_000, "page": "-1", "sort": "bogus"})
    assert big.status_code == 200
    assert "200" in text(big)  # the search box says how long a search may be
    odd = {
        "page": "-1",
        "sort": "x" * 10_000,
        "mine": "maybe",
        "view": "yesterday",
        "status": ["nope", "held"],
        "owner": "abc",
        "assigned_to": "-3",
        "counsellor": "99999999999999999999",
        "partner": "1e99",
        "program": "x",
        "service": "x",
        "created_after": "2026-13-45",
        "starts_at_before": "demain",
        "opened_on_after": "x" * 5000,
        "kind": "x",
        "doc_type": "virus",
        "client_type": "x",
        "city": "x" * 300,
    }
    answer = client.get(url, odd)
    assert answer.status_code == 200
    assert client.get(reverse(f"contacts:{kind}_export"), odd).status_code == 200
