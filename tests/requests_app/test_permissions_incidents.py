"""Who may act on an incident: the agents of its group (or holders of
requests_app.change_incident); any agent when it has no group; never a manager."""

import pytest
from django.urls import reverse

from crm.errors import NotAllowed
from crm.models import Notification, User
from requests_app.incidents import permissions
from requests_app.incidents import services as incident_services
from requests_app.models import Incident, JournalEntry, SLAClock
from tests.helpers import rows_of, text

pytestmark = pytest.mark.django_db

REFUSED = ["colleague", "outsider", "manager", "citizen"]
MODELS = (Incident, Incident.history.model, JournalEntry, Notification, SLAClock, User)


@pytest.fixture
def incident(people, ours):
    return incident_services.incident_create(
        requester=people["requester"].client, title="Le son ne passe pas", assignment_group=ours
    )


@pytest.fixture
def unrouted(people):
    return incident_services.incident_create(
        requester=people["requester"].client, title="Sans groupe"
    )


# action: (the service call, the HTTP call as (url name, data))
ACTIONS = {
    "take": (lambda i, u: incident_services.incident_take(incident=i, by=u), ("take", {})),
    "start": (
        lambda i, u: incident_services.incident_set_status(incident=i, status="in_progress", by=u),
        ("status", {"status": "in_progress"}),
    ),
    "await_requester": (
        lambda i, u: incident_services.incident_set_status(
            incident=i, status="awaiting_requester", by=u
        ),
        ("status", {"status": "awaiting_requester"}),
    ),
    "resolve": (
        lambda i, u: incident_services.incident_set_status(incident=i, status="resolved", by=u),
        ("status", {"status": "resolved"}),
    ),
    "priority": (
        lambda i, u: incident_services.incident_change_priority(incident=i, priority=1, by=u),
        ("priority", {"priority": "1"}),
    ),
    "assign": (
        lambda i, u: incident_services.incident_assign(
            incident=i, by=u, assignment_group=None, assignee=None
        ),
        ("assign", {"assignment_group": "", "assignee": ""}),
    ),
    "comment": (
        lambda i, u: incident_services.incident_journal_add(
            incident=i, by=u, kind="comment", body="Bonjour"
        ),
        ("journal", {"kind": "comment", "body": "Bonjour"}),
    ),
    "work_note": (
        lambda i, u: incident_services.incident_journal_add(
            incident=i, by=u, kind="work_note", body="Note"
        ),
        ("journal", {"kind": "work_note", "body": "Note"}),
    ),
}


def _post(client, incident, action):
    name, data = ACTIONS[action][1]
    if name in ("assign", "journal"):
        url = reverse(f"incidents:{name}", args=[incident.pk])
    else:
        url = reverse("incidents:action", args=[incident.pk, name])
    return client.post(url, data)


@pytest.mark.parametrize("persona", REFUSED)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_only_the_incidents_group_may_act_on_it_in_the_services(incident, people, action, persona):
    before = rows_of(*MODELS)

    with pytest.raises(NotAllowed):
        ACTIONS[action][0](incident, people[persona])

    assert rows_of(*MODELS) == before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_an_agent_of_the_incidents_group_acts_on_it(incident, people, action):
    before = rows_of(*MODELS)

    ACTIONS[action][0](incident, people["owner"])

    assert rows_of(*MODELS) != before


@pytest.mark.parametrize("persona", ["colleague", "outsider", "manager", "citizen"])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_forged_post_is_answered_403_and_changes_nothing(
    incident, people, login, action, persona
):
    before = rows_of(*MODELS)

    response = _post(login(people[persona]), incident, action)

    assert response.status_code == 403
    assert rows_of(*MODELS) == before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_anonymous_posts_are_sent_to_login(incident, client, action):
    before = rows_of(*MODELS)

    response = _post(client, incident, action)

    assert response.status_code == 302 and "login" in response["Location"]
    assert rows_of(*MODELS) == before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_an_agent_of_the_group_acts_over_http(incident, people, login, action):
    before = rows_of(*MODELS)

    response = _post(login(people["owner"]), incident, action)

    assert response.status_code == 302
    assert rows_of(*MODELS) != before


# An incident with no group ---------------------------------------------------------------


@pytest.mark.parametrize("action", ["take", "assign"])
@pytest.mark.parametrize("persona", ["outsider", "colleague"])
def test_any_agent_takes_or_assigns_an_incident_with_no_group(unrouted, people, action, persona):
    before = rows_of(*MODELS)

    ACTIONS[action][0](unrouted, people[persona])

    assert rows_of(*MODELS) != before


@pytest.mark.parametrize("action", ["take", "assign"])
@pytest.mark.parametrize("persona", ["manager", "citizen"])
def test_a_manager_neither_takes_nor_assigns_an_incident_with_no_group(
    unrouted, people, login, action, persona
):
    before = rows_of(*MODELS)

    with pytest.raises(NotAllowed):
        ACTIONS[action][0](unrouted, people[persona])
    response = _post(login(people[persona]), unrouted, action)

    assert response.status_code == 403
    assert rows_of(*MODELS) == before


# The requester ------------------------------------------------------------------------------


def test_the_requester_comments_but_writes_no_work_note(incident, people):
    entry = incident_services.incident_journal_add(
        incident=incident, by=people["requester"], kind="comment", body="Toujours en panne"
    )
    assert entry.is_public
    with pytest.raises(NotAllowed):
        incident_services.incident_journal_add(
            incident=incident, by=people["requester"], kind="work_note", body="x"
        )


# Creating an incident ----------------------------------------------------------------------


def _incident_form():
    return {
        "new_first_name": "Nouvelle",
        "new_last_name": "Personne",
        "new_email": "nouveau@example.org",
        "channel": "phone",
        "title": "Micro muet",
        "priority": "3",
    }


@pytest.mark.parametrize("persona", ["manager", "citizen"])
def test_only_agents_create_incidents(people, login, persona):
    before = rows_of(*MODELS)

    with pytest.raises(NotAllowed):
        incident_services.incident_create(
            requester=people["requester"].client, title="X", by=people[persona]
        )
    client = login(people[persona])
    assert client.get(reverse("incidents:create")).status_code == 403
    response = client.post(reverse("incidents:create"), _incident_form())

    assert response.status_code == 403
    assert rows_of(*MODELS) == before


def test_anonymous_is_sent_to_login_from_the_incident_form(client):
    response = client.post(reverse("incidents:create"), _incident_form())

    assert response.status_code == 302 and "login" in response["Location"]
    assert not Incident.objects.exists()


@pytest.mark.parametrize("persona", ["owner", "outsider"])
def test_any_agent_creates_an_incident(people, login, persona):
    response = login(people[persona]).post(reverse("incidents:create"), _incident_form())

    assert response.status_code == 302
    assert Incident.objects.get().created_by == people[persona]


# Pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner", "outsider", "manager"])
def test_back_office_users_read_the_incident_pages(incident, people, login, persona):
    client = login(people[persona])
    for url in (
        reverse("incidents:queue"),
        reverse("incidents:mine"),
        reverse("incidents:all"),
        incident.get_absolute_url(),
    ):
        assert client.get(url).status_code == 200, url


def test_citizens_are_refused_the_incident_pages(incident, people, login):
    client = login(people["requester"])
    for url in (reverse("incidents:queue"), incident.get_absolute_url()):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitor_is_sent_to_login_from_the_incident_pages(incident, client):
    for url in (reverse("incidents:queue"), incident.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_a_manager_sees_no_action_on_an_incident_with_no_group(unrouted, people, login):
    client = login(people["manager"])
    page = text(client.get(unrouted.get_absolute_url()))

    assert 'data-testid="take"' not in page
    assert reverse("incidents:assign", args=[unrouted.pk]) not in page
    assert reverse("incidents:create") not in text(client.get(reverse("incidents:queue")))


def test_permission_functions_answer_for_the_views(incident, unrouted, people):
    assert permissions.can_work_on_incident(people["owner"], incident)
    assert permissions.can_work_on_incident(people["outsider"], unrouted)
    for persona in REFUSED:
        assert not permissions.can_work_on_incident(people[persona], incident)
    assert not permissions.can_work_on_incident(people["manager"], unrouted)


def test_a_manager_member_of_the_group_cannot_be_made_the_assignee(people, ours):
    # given: a manager who is also listed in the group
    from crm.errors import DomainError
    from requests_app.models import Incident

    ours.members.add(people["manager"])
    incident = incident_services.incident_create(
        requester=people["requester"].client, title="Micro", assignment_group=ours
    )

    # when / then
    with pytest.raises(DomainError):
        incident_services.incident_assign(
            incident=incident, by=people["owner"], assignment_group=ours, assignee=people["manager"]
        )
    assert Incident.objects.get(pk=incident.pk).assignee is None


def test_the_incident_history_is_read_by_the_back_office_only(login, request):
    from django.urls import reverse

    from tests import factories

    incident = factories.IncidentFactory()
    url = reverse("incidents:history", args=[incident.pk])
    htmx = {"HX-Request": "true"}
    assert (
        login(factories.agent(email="lecteur@example.org")).get(url, headers=htmx).status_code
        == 200
    )
    assert (
        login(factories.manager(email="gestion2@example.org")).get(url, headers=htmx).status_code
        == 200
    )
    assert (
        login(factories.citizen(email="curieux@example.org")).get(url, headers=htmx).status_code
        == 403
    )
    unknown = reverse("incidents:history", args=[999_999_999])
    assert (
        login(factories.agent(email="autre@example.org")).get(unknown, headers=htmx).status_code
        == 404
    )
