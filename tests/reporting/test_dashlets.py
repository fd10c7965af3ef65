"""The agent's home as dashlets: each user's choice and order kept, each dashlet's content, the
home's cost, who may arrange what."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts import services as contact_services
from reporting import dashlets
from reporting.models import DashletLayout
from requests_app.models import Incident
from tests import factories
from tests.helpers import text

pytestmark = pytest.mark.django_db

HOME = reverse("agent:home")
ARRANGE = reverse("agent:dashlet_arrange")


def _shown(body: str) -> list[str]:
    return re.findall(r'data-dashlet="([a-z_]+)"', body)


def test_a_new_agent_sees_the_default_dashlets_in_order(login, agent):
    body = text(login(agent).get(HOME))
    assert _shown(body) == list(dashlets.DEFAULT_LAYOUT)
    assert f'hx-get="{reverse("agent:dashlet", args=["my_tasks"])}"' in body


def test_moving_hiding_and_adding_dashlets_is_kept_for_the_next_visit(login, agent):
    client = login(agent)
    client.post(ARRANGE, {"key": "queue", "action": "up"})
    client.post(ARRANGE, {"key": "counts", "action": "remove"})
    client.post(ARRANGE, {"key": "favourites", "action": "remove"})
    response = client.post(ARRANGE, {"key": "favourites", "action": "add"})
    assert response.status_code == 302
    assert response["Location"].endswith("?arrange=1&focus=arrange-summary")
    expected = [
        "queue",
        "my_tasks",
        "sla_at_risk",
        "calendar_today",
        "week_chart",
        "recent",
        "groups",
        "notifications",
        "favourites",
    ]
    assert DashletLayout.objects.get(user=agent).dashlets == expected
    assert _shown(text(client.get(HOME))) == expected
    # another user's home is untouched
    assert _shown(text(login(factories.agent()).get(HOME))) == list(dashlets.DEFAULT_LAYOUT)


def test_arranging_with_htmx_returns_the_region_with_focus_on_the_moved_button(login, agent):
    response = login(agent).post(
        ARRANGE, {"key": "sla_at_risk", "action": "down"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = text(response)
    assert body.startswith('<div id="home-region">')
    assert re.search(r'id="down-sla_at_risk"[^>]*autofocus', body)
    assert "<html" not in body


def test_a_plain_arranging_form_comes_back_with_focus_on_the_moved_button(login, agent):
    # a keyboard user whose press reached the server before htmx took the new buttons over
    client = login(agent)
    response = client.post(ARRANGE, {"key": "queue", "action": "down"})
    assert response.status_code == 302
    body = text(client.get(response["Location"]))
    assert re.search(r'id="down-queue"[^>]*autofocus', body)
    assert len(re.findall(r"\bautofocus\b", body)) == 1


@pytest.mark.parametrize("focus", ["down-nope", "sideways-queue", "x" * 10_000, ""])
def test_an_unknown_focus_on_the_home_is_ignored(login, agent, focus):
    response = login(agent).get(HOME, {"arrange": "1", "focus": focus})
    assert response.status_code == 200
    assert "autofocus" not in text(response)


@pytest.mark.parametrize(
    "data",
    [
        {"key": "nope", "action": "up"},
        {"key": "queue", "action": "explode"},
        {"key": "queue"},
        {},
        {"key": "queue\x00", "action": "up"},
    ],
)
def test_a_bad_arranging_request_is_a_400_and_changes_nothing(login, agent, data):
    response = login(agent).post(ARRANGE, data)
    assert response.status_code == 400
    assert not DashletLayout.objects.exists()


def test_an_unknown_dashlet_is_a_404(login, agent):
    assert login(agent).get(reverse("agent:dashlet", args=["nope"])).status_code == 404


@pytest.mark.parametrize("persona", ["citizen"])
def test_citizens_have_no_dashlets(login, request, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("agent:dashlet", args=["my_tasks"])).status_code == 403
    assert client.post(ARRANGE, {"key": "queue", "action": "up"}).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("agent:dashlet", args=["my_tasks"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_manager_arranges_their_own_home_too(login, manager):
    assert login(manager).post(ARRANGE, {"key": "queue", "action": "remove"}).status_code == 302
    assert "queue" not in DashletLayout.objects.get(user=manager).dashlets


def test_the_dashlets_show_the_agents_own_things(login, agent, ours):
    # given an agent with a task, a queue, a call today, a favourite and a recent record
    ours.members.add(agent)
    mine = factories.TaskFactory(assignment_group=ours, assignee=agent, title="Rappeler Mme Roy")
    factories.TaskFactory(assignment_group=ours, title="En attente dans la file")
    factories.TaskFactory(title="Autre groupe")
    now = timezone.localtime()
    factories.CallFactory(assigned_to=agent, subject="Appel de suivi", starts_at=now)
    client_record = factories.ClientFactory(first_name="Léa", last_name="Favorite")
    contact_services.favourite_toggle(user=agent, obj=client_record)
    client = login(agent)

    def dashlet(key):
        response = client.get(reverse("agent:dashlet", args=[key]), HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        return text(response)

    assert "Rappeler Mme Roy" in dashlet("my_tasks")
    queue = dashlet("queue")
    assert "En attente dans la file" in queue and "Autre groupe" not in queue
    assert "Appel de suivi" in dashlet("calendar_today")
    assert "Léa Favorite" in dashlet("favourites")
    week = dashlet("week_chart")
    assert "<svg" in week and 'data-testid="week-figures"' in week
    assert mine.pk


def test_the_week_chart_counts_per_day_in_the_body_time_zone(agent):
    monday = dt.date(2026, 11, 16)
    # Tuesday 23:30 in Montréal is Wednesday in UTC: it counts for Tuesday
    late = timezone.make_aware(dt.datetime(2026, 11, 17, 23, 30))
    factories.CallFactory(assigned_to=agent, starts_at=late)
    factories.CallFactory(assigned_to=agent, starts_at=late - dt.timedelta(hours=2))
    factories.MeetingFactory(
        assigned_to=agent, starts_at=timezone.make_aware(dt.datetime(2026, 11, 20, 9))
    )
    factories.CallFactory(assigned_to=agent, starts_at=late - dt.timedelta(days=7))
    figures = dashlets.week_figures(agent, today=monday + dt.timedelta(days=3))
    series = dict(figures["series"])
    assert series["Appels"] == [0, 2, 0, 0, 0, 0, 0]
    assert series["Meetings"] == [0, 0, 0, 0, 1, 0, 0]


def test_sla_at_risk_lists_only_mine_and_my_groups_incidents_past_three_quarters(agent, ours):
    ours.members.add(agent)
    now = timezone.now()
    risky = factories.IncidentFactory(assignment_group=ours, title="Urgent")
    calm = factories.IncidentFactory(assignment_group=ours, title="Tranquille")
    elsewhere = factories.IncidentFactory(title="Ailleurs")
    # the clocks of "Urgent" and "Ailleurs" are nearly spent; that of "Tranquille" is fresh
    from requests_app.models import SLAClock

    for incident in (risky, elsewhere):
        SLAClock.objects.filter(incident=incident).update(
            started_at=now - dt.timedelta(days=30), due_at=now + dt.timedelta(minutes=5)
        )
        Incident.objects.filter(pk=incident.pk).update(
            resolution_due_at=now + dt.timedelta(minutes=5)
        )
    rows = dashlets.DASHLETS["sla_at_risk"].read(agent)["incidents"]
    titles = [row.title for row in rows]
    assert "Urgent" in titles and "Tranquille" not in titles and "Ailleurs" not in titles
    assert calm.pk


def test_the_home_costs_the_same_queries_however_busy_the_agent(login, agent):
    client = login(agent)
    client.get(HOME)
    with CaptureQueriesContext(connection) as quiet:
        client.get(HOME)
    for _ in range(3):
        group = factories.AssignmentGroupFactory()
        group.members.add(agent)
        factories.TaskFactory(assignment_group=group, assignee=agent)
        factories.NotificationFactory(recipient=agent)
    with CaptureQueriesContext(connection) as busy:
        client.get(HOME)
    assert len(busy) == len(quiet)


@pytest.mark.parametrize("key", list(dashlets.DASHLETS))
def test_each_dashlet_costs_the_same_queries_with_more_rows(login, agent, ours, key):
    ours.members.add(agent)
    client = login(agent)
    url = reverse("agent:dashlet", args=[key])

    def add_one_of_each():
        factories.TaskFactory(assignment_group=ours, assignee=agent)
        factories.TaskFactory(assignment_group=ours)
        factories.CallFactory(assigned_to=agent)
        factories.IncidentFactory(assignment_group=ours)
        contact_services.favourite_toggle(user=agent, obj=factories.ClientFactory())

    add_one_of_each()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(3):
        add_one_of_each()
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few), key


@pytest.mark.parametrize(
    ("key", "action", "expected"),
    [
        ("b", "up", ["b", "a", "c"]),
        ("a", "up", ["a", "b", "c"]),
        ("c", "down", ["a", "b", "c"]),
        ("a", "bottom", ["b", "c", "a"]),
        ("c", "top", ["c", "a", "b"]),
        ("b", "remove", ["a", "c"]),
        ("d", "add", ["a", "b", "c", "d"]),
        ("a", "add", ["a", "b", "c"]),
        ("d", "up", ["a", "b", "c"]),
    ],
)
def test_each_arranging_action_moves_one_dashlet(key, action, expected):
    assert dashlets.moved(["a", "b", "c"], key, action) == expected
