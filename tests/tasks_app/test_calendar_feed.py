"""The private iCalendar feed: read back with the icalendar library, renewed, secret."""

import datetime as dt

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from contacts import calendar as crm_calendar
from contacts.models import CalendarSettings
from tasks_app.models import Task
from tests import factories

pytestmark = pytest.mark.django_db

ZONE = timezone.get_default_timezone()
START = dt.datetime(2026, 11, 2, 10, 0, tzinfo=ZONE)


@pytest.fixture
def feed_url(client, agent):
    client.force_login(agent)
    response = client.post(reverse("activities:calendar_feed_renew"))
    assert response.status_code == 302
    token = CalendarSettings.objects.get(user=agent).feed_token
    client.logout()
    return reverse("activities:calendar_feed", args=[token])


def read(client, url) -> icalendar.Calendar:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def test_the_feed_holds_series_exdates_overrides_todos_and_support_tasks(client, agent, feed_url):
    # given a weekly call with one occurrence removed and one moved, a meeting, a to-do
    series = factories.CallFactory(
        assigned_to=agent, starts_at=START, rrule="FREQ=WEEKLY;COUNT=5", subject="Suivi"
    )
    crm_calendar.occurrence_remove(
        series=series, recurrence_id=START + dt.timedelta(weeks=1), by=agent
    )
    crm_calendar.occurrence_edit(
        series=series,
        recurrence_id=START + dt.timedelta(weeks=2),
        by=agent,
        starts_at=START + dt.timedelta(weeks=2, hours=4),
    )
    meeting = factories.MeetingFactory(
        assigned_to=agent,
        starts_at=timezone.now() + dt.timedelta(days=1),
        location="Salle 3",
        subject="Rencontre",
    )
    todo = factories.TaskFactory(
        assignee=agent, due_date=dt.date.today() + dt.timedelta(days=3), priority="high"
    )
    group = factories.AssignmentGroupFactory()
    parent = factories.TaskFactory(kind=Task.Kind.SERVICE, client=None, assignment_group=group)
    support = factories.TaskFactory(
        kind=Task.Kind.SUPPORT,
        client=None,
        parent=parent,
        assignment_group=group,
        assignee=agent,
        scheduled_start=timezone.now() + dt.timedelta(days=2),
        scheduled_end=timezone.now() + dt.timedelta(days=2, hours=1),
        place="Cubicule 2",
    )
    factories.CallFactory(assigned_to=factories.agent(), starts_at=START)  # someone else's
    # when read without a session, with the secret only
    feed = read(client, feed_url)
    # then
    events = feed.walk("VEVENT")
    by_uid: dict[str, list] = {}
    for event in events:
        by_uid.setdefault(str(event["UID"]), []).append(event)
    calls = by_uid[f"call-{series.pk}@guichet"]
    assert len(calls) == 2  # the series and its moved occurrence, one UID
    main = next(e for e in calls if "RECURRENCE-ID" not in e)
    moved = next(e for e in calls if "RECURRENCE-ID" in e)
    assert main["RRULE"]["FREQ"] == ["WEEKLY"] and main["RRULE"]["COUNT"] == [5]
    assert main.decoded("DTSTART") == START
    assert main.decoded("DTSTART").utcoffset() is not None
    assert str(main.decoded("DTSTART").tzinfo) in ("UTC", "UTC+00:00")
    exdates = (
        [d.dt for d in main["EXDATE"].dts]
        if not isinstance(main["EXDATE"], list)
        else [d.dt for x in main["EXDATE"] for d in x.dts]
    )
    assert exdates == [START + dt.timedelta(weeks=1)]
    assert moved.decoded("RECURRENCE-ID") == START + dt.timedelta(weeks=2)
    assert moved.decoded("DTSTART") == START + dt.timedelta(weeks=2, hours=4)
    assert str(by_uid[f"meeting-{meeting.pk}@guichet"][0]["LOCATION"]) == "Salle 3"
    assert by_uid[f"support-{support.pk}@guichet"][0]["LOCATION"] == "Cubicule 2"
    todos = feed.walk("VTODO")
    assert [str(t["UID"]) for t in todos] == [f"todo-{todo.pk}@guichet"]
    assert todos[0].decoded("DUE") == todo.due_date and todos[0]["PRIORITY"] == 1
    assert len(events) == 4


def test_the_uids_are_stable_between_two_reads(client, agent, feed_url):
    factories.CallFactory(assigned_to=agent, starts_at=timezone.now())
    first = [str(e["UID"]) for e in read(client, feed_url).walk("VEVENT")]
    second = [str(e["UID"]) for e in read(client, feed_url).walk("VEVENT")]
    assert first == second and len(first) == 1


def test_renewing_the_address_makes_the_old_one_answer_404(client, agent, feed_url):
    client.force_login(agent)
    client.post(reverse("activities:calendar_feed_renew"))
    client.logout()
    assert client.get(feed_url).status_code == 404
    token = CalendarSettings.objects.get(user=agent).feed_token
    assert client.get(reverse("activities:calendar_feed", args=[token])).status_code == 200


def test_the_page_shows_the_address_with_a_copy_button(client, agent, feed_url):
    client.force_login(agent)
    page = client.get(reverse("activities:calendar")).content.decode()
    assert f"http://testserver{feed_url}" in page
    assert "data-copy" in page


@pytest.mark.parametrize("token", ["nope", "a" * 64, "x" * 300, "abc%00def", "..%2F..%2Fetc"])
def test_a_wrong_or_odd_secret_answers_404(client, agent, feed_url, token):
    expected = 400 if "%00" in token else 404  # a NUL byte is refused before any view
    assert client.get(f"/agent/calendar/feed/{token}.ics").status_code == expected


def test_an_inactive_owner_has_no_feed(client, agent, feed_url):
    agent.is_active = False
    agent.save()
    assert client.get(feed_url).status_code == 404


def test_the_feed_costs_the_same_queries_for_few_or_many_activities(
    client, agent, feed_url, django_assert_max_num_queries
):
    for _ in range(3):
        factories.CallFactory(assigned_to=agent, starts_at=timezone.now())
        factories.TaskFactory(assignee=agent, due_date=dt.date.today())
    with django_assert_max_num_queries(12) as few:
        read(client, feed_url)
    for _ in range(20):
        factories.MeetingFactory(assigned_to=agent, starts_at=timezone.now())
        factories.TaskFactory(assignee=agent, due_date=dt.date.today())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(read(client, feed_url).walk("VEVENT")) == 23


def test_only_its_owner_renews_a_feed(client, citizen, manager):
    client.force_login(citizen)
    assert client.post(reverse("activities:calendar_feed_renew")).status_code == 403
    client.force_login(manager)
    assert client.post(reverse("activities:calendar_feed_renew")).status_code == 302
    assert CalendarSettings.objects.get(user=manager).feed_token
