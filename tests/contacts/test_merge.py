"""Merging two clients, partners or contacts: everything linked moves to the one kept, the
kept record's empty fields are filled, the history keeps both; refusals, permissions, the merge
page and two merges at once."""

import threading
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from contacts import merge
from contacts.merge import record_merge
from contacts.models import (
    Client,
    Contact,
    Favourite,
    Meeting,
    Note,
    Partner,
    Program,
    ProgramEnrolment,
    RecentView,
    SAEFile,
)
from crm.errors import DomainError, NotAllowed
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def agent(db):
    """An agent who reads the back office in English (the messages asserted are English)."""
    return factories.agent(email="agent@example.org", language="en")


def _favourite(user, obj, model=Favourite, **extra):
    return model.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        label=str(obj),
        url=obj.get_absolute_url(),
        **extra,
    )


@pytest.fixture
def pair():
    keep = factories.ClientFactory(
        first_name="Marie", last_name="Jodoin", email="marie@example.org", phone="", city=""
    )
    remove = factories.ClientFactory(
        first_name="Marie", last_name="Jodöin", email=None, phone="514 555 0199", city="Laval"
    )
    return keep, remove


def test_everything_linked_to_a_client_moves_to_the_one_kept(agent, colleague, pair):
    # given
    keep, remove = pair
    call = factories.CallFactory(client=remove)
    meeting = factories.MeetingFactory(client=remove)
    note = Note.objects.create(client=remove, subject="Suivi")
    request = factories.ServiceRequestFactory(requester=remove)
    incident = factories.IncidentFactory(requester=remove)
    todo = factories.TaskFactory(client=remove)
    program = Program.objects.create(name="Francisation")
    enrolment = ProgramEnrolment.objects.create(
        program=program, client=remove, start_date=date(2026, 1, 5)
    )
    sae = SAEFile.objects.create(file_identifier="SAE-1", client=remove, opened_on=date.today())
    starred = _favourite(colleague, remove)
    viewed = _favourite(colleague, remove, RecentView, viewed_at=timezone.now())

    # when
    result = record_merge(keep=keep, remove=remove, by=agent)

    # then
    assert not Client.objects.filter(pk=remove.pk).exists()
    for obj, field in [
        (call, "client"),
        (meeting, "client"),
        (note, "client"),
        (request, "requester"),
        (incident, "requester"),
        (todo, "client"),
        (enrolment, "client"),
        (sae, "client"),
    ]:
        obj.refresh_from_db()
        assert getattr(obj, f"{field}_id") == keep.pk, obj
    starred.refresh_from_db()
    viewed.refresh_from_db()
    assert (starred.object_id, starred.url) == (keep.pk, keep.get_absolute_url())
    assert (viewed.object_id, viewed.label) == (keep.pk, str(keep))
    assert result.moved["calls"] == 1 and result.moved["requests"] == 1
    assert result.moved_total == 10


def test_empty_fields_of_the_kept_record_are_filled_and_its_own_values_stay(agent, pair):
    keep, remove = pair

    record_merge(keep=keep, remove=remove, by=agent)

    keep.refresh_from_db()
    assert (keep.last_name, keep.email) == ("Jodoin", "marie@example.org")
    assert (keep.phone, keep.city) == ("514 555 0199", "Laval")


def test_the_kept_record_takes_the_email_of_the_removed_one(agent):
    keep = factories.ClientFactory(email=None)
    remove = factories.ClientFactory(email="seule@example.org")

    record_merge(keep=keep, remove=remove, by=agent)

    keep.refresh_from_db()
    assert keep.email == "seule@example.org"


def test_the_history_keeps_both_records(agent, pair):
    keep, remove = pair
    removed_pk = remove.pk
    factories.CallFactory(client=remove)

    record_merge(keep=keep, remove=remove, by=agent)

    last = keep.history.order_by("-history_date", "-history_id").first()
    assert last.history_reason_code == "merged"
    assert last.history_user == agent
    assert f"#{removed_pk}" in last.history_change_reason
    assert "calls: 1" in last.history_change_reason
    assert "phone" in last.history_change_reason
    removed_rows = Client.history.filter(id=removed_pk).order_by("history_date", "history_id")
    assert [row.history_type for row in removed_rows] == ["+", "-"]
    assert removed_rows.last().history_reason_code == "merged"
    assert f"#{keep.pk}" in removed_rows.last().history_change_reason


def test_attendees_are_moved_without_a_meeting_listing_the_kept_record_twice(agent, pair):
    keep, remove = pair
    both = factories.MeetingFactory()
    both.clients_attending.add(keep, remove)
    only_removed = factories.MeetingFactory()
    only_removed.clients_attending.add(remove)
    task = factories.TaskFactory()
    task.attendees.add(keep, remove)

    record_merge(keep=keep, remove=remove, by=agent)

    assert list(both.clients_attending.all()) == [keep]
    assert list(only_removed.clients_attending.all()) == [keep]
    assert list(task.attendees.all()) == [keep]
    assert Meeting.clients_attending.through.objects.filter(client=keep).count() == 2


def test_a_person_who_starred_both_keeps_one_star(agent, pair):
    keep, remove = pair
    _favourite(agent, keep)
    _favourite(agent, remove)

    record_merge(keep=keep, remove=remove, by=agent)

    assert list(Favourite.objects.filter(user=agent).values_list("object_id", flat=True)) == [
        keep.pk
    ]


def test_a_portal_account_moves_to_the_kept_client_but_two_are_refused(agent):
    citizen = factories.citizen()
    keep = factories.ClientFactory(email=None)
    record_merge(keep=keep, remove=citizen.client, by=agent)
    keep.refresh_from_db()
    assert keep.user == citizen

    other = factories.citizen()
    with pytest.raises(DomainError, match="portal account"):
        record_merge(keep=keep, remove=other.client, by=agent)
    assert Client.objects.filter(pk=other.client.pk).exists()


def test_merging_partners_moves_their_contacts_and_activities(agent):
    keep = factories.PartnerFactory(name="Cégep Nord")
    remove = factories.PartnerFactory(name="Cegep Nord", phone="450 555 1234")
    contact = factories.ContactFactory(partner=remove)
    call = factories.CallFactory(client=None, partner=remove)
    todo = factories.TaskFactory(client=None, partner=remove)

    result = record_merge(keep=keep, remove=remove, by=agent)

    contact.refresh_from_db()
    call.refresh_from_db()
    todo.refresh_from_db()
    assert (contact.partner, call.partner, todo.partner) == (keep, keep, keep)
    assert not Partner.objects.filter(pk=remove.pk).exists()
    keep.refresh_from_db()
    assert keep.phone == "450 555 1234"
    assert result.moved == {"contacts": 1, "calls": 1, "tasks": 1}


def test_merging_contacts_moves_their_meetings_and_keeps_the_kept_partner(agent):
    keep = factories.ContactFactory(first_name="Julie", last_name="Roy", email="")
    remove = factories.ContactFactory(first_name="Julie", last_name="Roy", email="j@roy.ca")
    meeting = factories.MeetingFactory(client=None, contact=remove)
    attended = factories.MeetingFactory()
    attended.contacts_attending.add(remove)

    record_merge(keep=keep, remove=remove, by=agent)

    meeting.refresh_from_db()
    assert meeting.contact == keep
    assert list(attended.contacts_attending.all()) == [keep]
    kept = Contact.objects.get(pk=keep.pk)
    assert (kept.partner_id, kept.email) == (keep.partner_id, "j@roy.ca")


# --- refusals ------------------------------------------------------------------------------


def test_a_record_cannot_be_merged_with_itself(agent, pair):
    keep, _remove = pair
    with pytest.raises(DomainError, match="itself"):
        record_merge(keep=keep, remove=Client.objects.get(pk=keep.pk), by=agent)


def test_two_records_of_different_types_are_refused(agent, pair):
    keep, _remove = pair
    with pytest.raises(DomainError, match="same type"):
        record_merge(keep=keep, remove=factories.PartnerFactory(), by=agent)


def test_other_record_types_are_refused(agent):
    calls = factories.CallFactory(), factories.CallFactory()
    with pytest.raises(DomainError):
        record_merge(keep=calls[0], remove=calls[1], by=agent)


@pytest.mark.parametrize("persona", ["manager", "citizen"])
def test_managers_and_citizens_may_not_merge(request, persona, pair):
    keep, remove = pair
    with pytest.raises(NotAllowed):
        record_merge(keep=keep, remove=remove, by=request.getfixturevalue(persona))
    assert Client.objects.filter(pk=remove.pk).exists()


def test_a_record_merged_meanwhile_is_refused_with_a_message(agent, pair):
    keep, remove = pair
    stale = Client.objects.get(pk=remove.pk)
    record_merge(keep=keep, remove=remove, by=agent)
    with pytest.raises(DomainError, match="no longer exists"):
        record_merge(keep=keep, remove=stale, by=agent)


def test_a_refused_merge_changes_nothing(agent):
    keep = factories.citizen().client
    remove = factories.citizen().client
    call = factories.CallFactory(client=remove)
    with pytest.raises(DomainError):
        record_merge(keep=keep, remove=remove, by=agent)
    call.refresh_from_db()
    assert call.client_id == remove.pk


# --- the merge page ----------------------------------------------------------------------


def test_an_agent_picks_the_other_record_sees_both_and_merges(client, agent, pair):
    keep, remove = pair
    factories.CallFactory(client=remove)
    client.force_login(agent)
    url = reverse("contacts:client_merge", args=[keep.pk])

    # the page suggests the similar record and finds it by search
    page = client.get(url)
    assert page.status_code == 200
    assert f'href="?other={remove.pk}"' in page.content.decode()
    found = client.get(url, {"q": "jodöin"})
    assert f'href="?other={remove.pk}"' in found.content.decode()

    # both side by side, the filled fields marked
    side = client.get(url, {"other": remove.pk})
    body = side.content.decode()
    assert 'data-testid="merge-comparison"' in body and "Laval" in body
    assert 'data-testid="merge-filled"' in body
    assert "Calls: 1" in " ".join(body.split())

    # confirmed
    done = client.post(url, {"other": remove.pk, "keep": keep.pk})
    assert done.status_code == 302 and done.url == keep.get_absolute_url()
    assert not Client.objects.filter(pk=remove.pk).exists()
    followed = client.get(done.url)
    assert "was merged into" in followed.content.decode()


def test_the_other_record_can_be_the_one_kept(client, agent, pair):
    keep, remove = pair
    client.force_login(agent)
    url = reverse("contacts:client_merge", args=[keep.pk])
    done = client.post(url, {"other": remove.pk, "keep": remove.pk})
    assert done.url == remove.get_absolute_url()
    assert not Client.objects.filter(pk=keep.pk).exists()


def test_the_merge_page_refuses_itself_an_unknown_number_and_bad_input(client, agent, pair):
    keep, _remove = pair
    client.force_login(agent)
    url = reverse("contacts:client_merge", args=[keep.pk])
    assert 'data-testid="merge-error"' in client.get(url, {"other": keep.pk}).content.decode()
    assert 'data-testid="merge-error"' in client.get(url, {"other": 999999}).content.decode()
    assert client.get(url, {"other": "a\x00b"}).status_code == 400
    assert client.get(url, {"q": "x" * 1_000_000}).status_code == 400
    assert client.post(url, {"other": "x"}).status_code == 400
    itself = client.post(url, {"other": keep.pk, "keep": keep.pk})
    assert itself.status_code == 302
    assert "itself" in client.get(itself.url).content.decode()


def test_merge_refused_by_the_service_is_shown_as_a_message(client, agent):
    keep, remove = factories.citizen().client, factories.citizen().client
    client.force_login(agent)
    url = reverse("contacts:client_merge", args=[keep.pk])
    answer = client.post(url, {"other": remove.pk, "keep": keep.pk}, follow=True)
    assert "portal account" in answer.content.decode()
    assert Client.objects.filter(pk=remove.pk).exists()


@pytest.mark.parametrize("kind", ["partner", "contact"])
def test_partners_and_contacts_have_a_merge_page(client, agent, kind):
    factory = factories.PartnerFactory if kind == "partner" else factories.ContactFactory
    a, b = factory(), factory()
    client.force_login(agent)
    url = reverse(f"contacts:{kind}_merge", args=[a.pk])
    assert client.get(url, {"other": b.pk}).status_code == 200
    assert client.post(url, {"other": b.pk, "keep": a.pk}).status_code == 302
    assert not type(a).objects.filter(pk=b.pk).exists()


@pytest.mark.parametrize("persona", ["manager", "citizen"])
def test_managers_and_citizens_get_403_on_the_merge_page(client, request, persona, pair):
    keep, remove = pair
    client.force_login(request.getfixturevalue(persona))
    url = reverse("contacts:client_merge", args=[keep.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"other": remove.pk, "keep": keep.pk}).status_code == 403
    assert Client.objects.filter(pk=remove.pk).exists()


def test_anonymous_visitors_go_to_the_login_page(client, pair):
    answer = client.get(reverse("contacts:client_merge", args=[pair[0].pk]))
    assert answer.status_code == 302 and "/accounts/login/" in answer.url


def test_the_merge_page_costs_the_same_queries_whatever_is_linked(client, agent, pair):
    keep, remove = pair
    client.force_login(agent)
    url = reverse("contacts:client_merge", args=[keep.pk])
    client.get(url, {"other": remove.pk})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"other": remove.pk})
    for _ in range(5):
        factories.CallFactory(client=remove)
        factories.ServiceRequestFactory(requester=remove)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url, {"other": remove.pk})
    assert len(many) == len(few)
    assert "Calls: 5" in " ".join(page.content.decode().split())


# --- two merges at once --------------------------------------------------------------------


def _in_threads(functions):
    """Run the functions at the same instant; return what each returned or raised."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # collected for the assertions
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_merges_into_one_record_at_once_keep_every_link():
    agent, colleague = factories.agent(), factories.agent()
    keep = factories.ClientFactory()
    first, second = factories.ClientFactory(), factories.ClientFactory()
    calls = [factories.CallFactory(client=c) for c in (first, first, second, second)]
    meeting = factories.MeetingFactory(client=keep)
    meeting.clients_attending.add(keep, first, second)

    results = _in_threads(
        [
            lambda: record_merge(keep=keep, remove=first, by=agent),
            lambda: record_merge(keep=keep, remove=second, by=colleague),
        ]
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert list(Client.objects.values_list("pk", flat=True)) == [keep.pk]
    assert {c.client_id for c in type(calls[0]).objects.all()} == {keep.pk}
    assert list(meeting.clients_attending.all()) == [keep]
    assert keep.history.filter(history_reason_code="merged").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_agents_merging_the_same_pair_both_ways_lose_nothing():
    agent, colleague = factories.agent(), factories.agent()
    a, b = factories.ClientFactory(), factories.ClientFactory()
    factories.CallFactory(client=a)
    factories.CallFactory(client=b)

    results = _in_threads(
        [
            lambda: record_merge(keep=a, remove=b, by=agent),
            lambda: record_merge(keep=b, remove=a, by=colleague),
        ]
    )

    done = [r for r in results if isinstance(r, merge.MergeResult)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(done) == 1 and len(refused) == 1, results
    survivor = done[0].kept
    assert list(Client.objects.values_list("pk", flat=True)) == [survivor.pk]
    assert survivor.calls.count() == 2
