"""The portal's "My requests": a citizen sees what is filed for their client, and only that."""

import pytest
from django.urls import reverse

from contacts.models import Client
from crm.models import Notification, User
from requests_app.incidents.services import incident_create, incident_journal_add
from requests_app.requests.journal import journal_add
from requests_app.requests.services import request_create
from tests import factories
from tests.helpers import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_type(faculty):
    return faculty["SYNC"]


@pytest.fixture
def agent_of_faculty(faculty):
    return User.objects.get(email="agent@demo.guichet.test")


def test_a_citizen_sees_their_requests_and_help_requests(login, citizen, request_type):
    # given
    mine = request_create(requester=citizen.client, request_type=request_type, title="Ma demande")
    help_request = incident_create(requester=citizen.client, title="Mon micro")
    other = request_create(
        requester=factories.ClientFactory(), request_type=request_type, title="Pas la mienne"
    )

    # when
    response = login(citizen).get(reverse("portal:my_requests"))

    # then
    page = text(response)
    assert response.status_code == 200
    assert mine.number in page and "Ma demande" in page
    assert help_request.number in page and "Mon micro" in page
    assert other.title not in page and other.number not in page
    assert reverse("portal:my_request_detail", args=[mine.pk]) in page


def test_the_portal_menu_links_to_my_requests(login, citizen):
    response = login(citizen).get(reverse("portal:home"))
    assert reverse("portal:my_requests") in response.content.decode()


def test_a_citizen_reads_comments_but_never_work_notes(
    login, citizen, request_type, agent_of_faculty
):
    # given
    mine = request_create(requester=citizen.client, request_type=request_type, title="Ma demande")
    journal_add(by=agent_of_faculty, request=mine, kind="comment", body="Bonjour, c'est noté.")
    journal_add(by=agent_of_faculty, request=mine, kind="work_note", body="NOTE INTERNE secrète")

    # when
    response = login(citizen).get(reverse("portal:my_request_detail", args=[mine.pk]))

    # then
    page = text(response)
    assert response.status_code == 200
    assert "Ma demande" in page and mine.number in page
    assert "Bonjour, c'est noté." in page
    assert "NOTE INTERNE" not in page


def test_another_citizens_request_answers_404(login, citizen, other_citizen, request_type):
    theirs = request_create(requester=other_citizen.client, request_type=request_type, title="X")
    response = login(citizen).get(reverse("portal:my_request_detail", args=[theirs.pk]))
    assert response.status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("portal:my_requests"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_account_without_client_gets_one_and_sees_what_an_import_filed_for_its_email(
    login, request_type
):
    # given a teacher known only as a client (import), then an account with that address
    teacher = factories.ClientFactory(email="prof@example.org")
    filed = request_create(requester=teacher, request_type=request_type, title="Cours MED1")
    account = factories.UserFactory(email="prof@example.org", role="Citizen")

    # when
    response = login(account).get(reverse("portal:my_requests"))

    # then
    assert "Cours MED1" in text(response)
    assert Client.objects.get(user=account) == teacher
    assert filed.requester.pk == teacher.pk


def test_a_comment_to_a_client_without_account_notifies_no_one(request_type, agent_of_faculty):
    # given
    walk_in = factories.ClientFactory()
    filed = request_create(requester=walk_in, request_type=request_type, title="Guichet")
    incident = incident_create(requester=walk_in, title="Aide")
    before = Notification.objects.count()

    # when
    journal_add(by=agent_of_faculty, request=filed, kind="comment", body="Réponse")
    incident_journal_add(incident=incident, by=agent_of_faculty, kind="comment", body="Réponse")

    # then
    assert Notification.objects.count() == before


def test_a_comment_reaches_the_portal_account_of_the_client(
    citizen, request_type, agent_of_faculty
):
    filed = request_create(requester=citizen.client, request_type=request_type, title="Portail")
    journal_add(by=agent_of_faculty, request=filed, kind="comment", body="Réponse")
    assert Notification.objects.filter(recipient=citizen).count() == 1


# The citizen's own actions on a request --------------------------------------------------------


def test_a_citizen_writes_to_the_agents_from_their_request_page(
    login, citizen, request_type, agent_of_faculty
):
    # given
    mine = request_create(requester=citizen.client, request_type=request_type, title="Ma demande")
    client = login(citizen)

    # when
    response = client.post(
        reverse("portal:my_request_message", args=[mine.pk]), {"body": "J'ai une question."}
    )

    # then: the message is in the thread, on the portal and on the agents' page
    assert response.status_code == 302
    assert "J'ai une question." in text(
        client.get(reverse("portal:my_request_detail", args=[mine.pk]))
    )
    entry = mine.journal.get()
    assert entry.kind == "comment" and entry.author == citizen
    assert "J'ai une question." in text(login(agent_of_faculty).get(mine.get_absolute_url()))


def test_an_empty_or_oversized_message_is_refused_and_nothing_is_written(
    login, citizen, request_type
):
    mine = request_create(requester=citizen.client, request_type=request_type, title="Ma demande")
    client = login(citizen)
    url = reverse("portal:my_request_message", args=[mine.pk])

    assert client.post(url, {"body": ""}).status_code == 400
    assert client.post(url, {"body": "x" * 1_000_000}).status_code == 400
    assert client.post(url, {"body": "nul\x00"}).status_code == 400
    assert not mine.journal.exists()


def test_a_citizen_cannot_write_on_or_cancel_another_persons_request(login, citizen, request_type):
    other = request_create(
        requester=factories.ClientFactory(), request_type=request_type, title="Pas la mienne"
    )
    client = login(citizen)

    assert (
        client.post(
            reverse("portal:my_request_message", args=[other.pk]), {"body": "Coucou"}
        ).status_code
        == 404
    )
    assert client.post(reverse("portal:my_request_cancel", args=[other.pk]), {}).status_code == 404
    other.refresh_from_db()
    assert other.status == "submitted" and not other.journal.exists()


def test_a_citizen_cancels_their_request_before_work_starts(login, citizen, request_type):
    # given
    mine = request_create(requester=citizen.client, request_type=request_type, title="Ma demande")
    client = login(citizen)
    assert "Annuler cette demande" in text(
        client.get(reverse("portal:my_request_detail", args=[mine.pk]))
    )

    # when
    response = client.post(
        reverse("portal:my_request_cancel", args=[mine.pk]), {"reason": "Plus besoin."}
    )

    # then: the request and its open tasks are cancelled
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "cancelled"
    assert not mine.tasks.exclude(status__in=["closed", "cancelled"]).exists()


def test_a_request_being_worked_cannot_be_cancelled_by_the_citizen(
    login, citizen, request_type, agent_of_faculty
):
    # given: an agent started its first step
    from tasks_app.services import task_start

    mine = request_create(requester=citizen.client, request_type=request_type, title="Ma demande")
    task_start(task=mine.tasks.get(status="open"), by=agent_of_faculty)
    client = login(citizen)

    # then: no cancel offered, and a forged POST is refused
    page = text(client.get(reverse("portal:my_request_detail", args=[mine.pk])))
    assert "Annuler cette demande" not in page
    assert client.post(reverse("portal:my_request_cancel", args=[mine.pk]), {}).status_code == 403
    mine.refresh_from_db()
    assert mine.status == "in_progress"


def test_anonymous_visitors_go_to_login(client, citizen, request_type):
    mine = request_create(requester=citizen.client, request_type=request_type, title="Ma demande")
    response = client.post(reverse("portal:my_request_message", args=[mine.pk]), {"body": "x"})
    assert response.status_code == 302 and "login" in response["Location"]
