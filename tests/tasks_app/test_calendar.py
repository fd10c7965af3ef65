"""The calendar page, its event feed and its drag-to-reschedule endpoint: who sees whose
calendar, what a week shows, constant query counts, refusals that send the event back."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts import calendar as crm_calendar
from contacts.models import CalendarSettings, Call, Meeting
from tasks_app.models import BookableResource, Task
from tests import factories

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 11, 2, 0, 0, tzinfo=timezone.get_default_timezone())


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A time of the week of 2 November 2026 (``day`` 0 is Monday), in the body's zone."""
    return MONDAY + dt.timedelta(days=day, hours=hour, minutes=minute)


def week_params(**extra) -> dict:
    return {
        "start": MONDAY.isoformat(),
        "end": (MONDAY + dt.timedelta(days=7)).isoformat(),
        **extra,
    }


def events(client, **params) -> list[dict]:
    response = client.get(reverse("activities:calendar_events"), week_params(**params))
    assert response.status_code == 200, response.content
    return response.json()


def share(user, shared=True):
    CalendarSettings.objects.update_or_create(user=user, defaults={"shared": shared})


@pytest.fixture
def week(agent):
    """One of each kind in the agent's week."""
    group = factories.AssignmentGroupFactory()
    group.members.add(agent)
    call = factories.CallFactory(assigned_to=agent, starts_at=at(0, 9), subject="Appel Jodoin")
    meeting = factories.MeetingFactory(
        assigned_to=agent, starts_at=at(1, 10), ends_at=at(1, 11), subject="Rencontre"
    )
    todo = factories.TaskFactory(
        assignee=agent, assignment_group=None, due_date=at(2, 0).date(), title="Rappeler"
    )
    parent = factories.TaskFactory(kind=Task.Kind.SERVICE, client=None, assignment_group=group)
    support = factories.TaskFactory(
        kind=Task.Kind.SUPPORT,
        client=None,
        parent=parent,
        assignment_group=group,
        assignee=agent,
        title="Soutien cubicule",
        scheduled_start=at(3, 13),
        scheduled_end=at(3, 14),
        resource=BookableResource.objects.create(name="Cubicule 1", kind="cubicle"),
    )
    return {"call": call, "meeting": meeting, "todo": todo, "support": support}


def test_the_week_shows_calls_meetings_todos_and_support_tasks_one_class_per_kind(
    client, agent, week
):
    # given
    client.force_login(agent)
    # when
    found = {e["extendedProps"]["kind"]: e for e in events(client)}
    # then
    assert set(found) == {"call", "meeting", "todo", "support"}
    assert found["call"]["classNames"] == ["ev-call"]
    assert found["call"]["title"].startswith("Appel Jodoin · ")
    assert dt.datetime.fromisoformat(found["call"]["start"]) == at(0, 9)
    assert found["todo"]["allDay"] is True
    assert found["todo"]["start"] == "2026-11-04"
    assert found["todo"]["end"] == "2026-11-05"
    assert found["support"]["title"] == "Soutien cubicule · Cubicule 1"
    assert found["support"]["editable"] is False
    assert found["meeting"]["url"] == "" or found["meeting"]["url"].startswith("/agent/")


def test_nothing_outside_the_range_nor_of_someone_else(client, agent, colleague, week):
    factories.CallFactory(assigned_to=agent, starts_at=at(8, 9))  # next week
    factories.CallFactory(assigned_to=colleague, starts_at=at(0, 10))
    client.force_login(agent)
    found = events(client)
    assert len(found) == 4


def test_the_page_lets_fullcalendar_style_itself_with_a_nonce_only(client, agent, settings):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = False
    client.force_login(agent)
    response = client.get(reverse("activities:calendar"))
    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    style = next(d for d in header.split(";") if d.strip().startswith("style-src"))
    nonce = style.split("'nonce-")[1].split("'")[0]
    assert f'<meta name="csp-nonce" content="{nonce}">' in response.content.decode()
    assert "unsafe-inline" not in header
    script = next(d for d in header.split(";") if d.strip().startswith("script-src"))
    assert script.strip() == "script-src 'self'"
    # its icon font is a data: URL (a font runs no code)
    assert "font-src 'self' data:" in header
    assert "vendor/fullcalendar/index.global.min.js" in response.content.decode()


def test_other_pages_keep_style_src_self_only(client, agent, settings):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = False
    client.force_login(agent)
    header = client.get(reverse("activities:todo_list"))["Content-Security-Policy"]
    assert "style-src 'self';" in header + ";"


# --- Whose calendars -------------------------------------------------------------------------


def test_a_shared_calendar_is_seen_by_a_colleague(client, agent, colleague, week):
    share(agent)
    client.force_login(colleague)
    found = events(client, users=str(agent.pk))
    assert len(found) == 4
    assert all(e["extendedProps"]["mine"] is False for e in found)


def test_a_calendar_not_shared_is_refused_to_a_colleague(client, agent, colleague, week):
    share(agent, shared=False)
    client.force_login(colleague)
    response = client.get(reverse("activities:calendar_events"), week_params(users=str(agent.pk)))
    assert response.status_code == 403
    assert "ne partage pas" in response.json()["message"] or "share" in response.json()["message"]


def test_a_manager_reads_a_shared_calendar_but_cannot_drag(client, agent, manager, week):
    share(agent)
    client.force_login(manager)
    found = events(client, users=str(agent.pk))
    assert {e["extendedProps"]["kind"] for e in found} == {"call", "meeting", "todo", "support"}
    assert not any(e["editable"] for e in found)


@pytest.mark.parametrize("url_name", ["activities:calendar", "activities:calendar_events"])
def test_citizens_get_403_and_visitors_the_login_page(client, citizen, url_name):
    url = reverse(url_name)
    response = client.get(url, week_params())
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(citizen)
    assert client.get(url, week_params()).status_code == 403


def test_shown_colleagues_are_remembered_and_dropped_when_they_stop_sharing(
    client, agent, colleague, week
):
    # given the colleague shows the agent's shared calendar
    share(agent)
    client.force_login(colleague)
    response = client.post(
        reverse("activities:calendar_settings"), {"shared": "on", "shown": [agent.pk]}
    )
    assert response.status_code == 302
    assert crm_calendar.shown_ids(colleague) == [agent.pk]
    assert CalendarSettings.objects.get(user=colleague).shared is True
    assert len(events(client)) == 4
    # when the agent stops sharing
    share(agent, shared=False)
    # then the colleague's default calendar no longer shows it
    assert events(client) == []


def test_showing_a_calendar_not_shared_is_refused_at_the_field(client, agent, colleague):
    client.force_login(colleague)
    client.post(reverse("activities:calendar_settings"), {"shown": [agent.pk]})
    assert crm_calendar.shown_ids(colleague) == []


# --- Query counts ----------------------------------------------------------------------------


def _fill(agent, n: int):
    for i in range(n):
        factories.CallFactory(assigned_to=agent, starts_at=at(i % 5, 8 + i % 8))
        factories.MeetingFactory(
            assigned_to=agent, starts_at=at(i % 5, 9), ends_at=at(i % 5, 10)
        ).attendees.add(agent)
        factories.TaskFactory(assignee=agent, due_date=at(i % 5, 0).date())
        series = factories.MeetingFactory(
            assigned_to=agent,
            starts_at=at(0, 15) - dt.timedelta(weeks=2),
            rrule="FREQ=WEEKLY;COUNT=10",
        )
        factories.MeetingFactory(
            assigned_to=agent,
            recurrence_of=series,
            recurrence_id=series.starts_at + dt.timedelta(weeks=2),
            starts_at=at(1, 16),
            ends_at=at(1, 17),
        )


def test_the_event_feed_costs_the_same_queries_for_3_or_30_events(
    client, agent, django_assert_max_num_queries
):
    client.force_login(agent)
    _fill(agent, 3)
    with django_assert_max_num_queries(20) as few:
        small = events(client)
    _fill(agent, 27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        large = events(client)
    assert len(large) > len(small) * 5


# --- Drag and resize -------------------------------------------------------------------------


def reschedule(client, **data):
    return client.post(reverse("activities:calendar_reschedule"), data)


def test_dragging_a_call_to_another_day_moves_it_through_its_service(client, agent, week):
    client.force_login(agent)
    call = week["call"]
    response = reschedule(
        client,
        kind="call",
        pk=call.pk,
        start=at(2, 14).isoformat(),
        end=at(2, 14, 30).isoformat(),
    )
    assert response.status_code == 200, response.content
    assert response.json()["ok"] is True
    call.refresh_from_db()
    assert call.starts_at == at(2, 14)
    assert call.duration_minutes == 30
    assert call.history.first().history_user == agent


def test_resizing_a_meeting_to_end_before_it_starts_is_refused_with_a_message(client, agent, week):
    client.force_login(agent)
    meeting = week["meeting"]
    response = reschedule(
        client, kind="meeting", pk=meeting.pk, start=at(1, 10).isoformat(), end=at(1, 9).isoformat()
    )
    assert response.status_code == 400
    assert response.json()["ok"] is False and response.json()["message"]
    meeting.refresh_from_db()
    assert meeting.ends_at == at(1, 11)


def test_dragging_a_todo_moves_its_due_date(client, agent, week):
    client.force_login(agent)
    todo = week["todo"]
    response = reschedule(client, kind="todo", pk=todo.pk, start="2026-11-06", all_day="on")
    assert response.status_code == 200, response.content
    todo.refresh_from_db()
    assert todo.due_date == dt.date(2026, 11, 6)


def test_a_todo_dropped_on_an_hour_is_refused(client, agent, week):
    client.force_login(agent)
    response = reschedule(client, kind="todo", pk=week["todo"].pk, start=at(2, 9).isoformat())
    assert response.status_code == 400


def test_a_manager_may_not_drag(client, manager, week):
    client.force_login(manager)
    response = reschedule(client, kind="call", pk=week["call"].pk, start=at(2, 9).isoformat())
    assert response.status_code == 403
    week["call"].refresh_from_db()
    assert week["call"].starts_at == at(0, 9)


def test_dragging_one_occurrence_of_a_series_overrides_only_it(client, agent):
    series = factories.CallFactory(
        assigned_to=agent, starts_at=at(0, 9) - dt.timedelta(weeks=1), rrule="FREQ=WEEKLY;COUNT=5"
    )
    client.force_login(agent)
    original = at(0, 9)
    response = reschedule(
        client,
        kind="call",
        pk=series.pk,
        start=at(0, 11).isoformat(),
        recurrence_id=original.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ"),
        scope="occurrence",
    )
    assert response.status_code == 200, response.content
    override = Call.objects.get(recurrence_of=series)
    assert override.recurrence_id == original and override.starts_at == at(0, 11)
    starts = sorted(dt.datetime.fromisoformat(e["start"]) for e in events(client))
    assert starts == [at(0, 11)]


def test_dragging_the_whole_series_moves_every_occurrence(client, agent):
    series = factories.MeetingFactory(
        assigned_to=agent,
        starts_at=at(0, 9) - dt.timedelta(weeks=1),
        ends_at=at(0, 10) - dt.timedelta(weeks=1),
        rrule="FREQ=WEEKLY;COUNT=5",
    )
    client.force_login(agent)
    response = reschedule(
        client,
        kind="meeting",
        pk=series.pk,
        start=at(1, 9).isoformat(),
        end=at(1, 10).isoformat(),
        recurrence_id=at(0, 9).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ"),
        scope="series",
    )
    assert response.status_code == 200, response.content
    series.refresh_from_db()
    assert series.starts_at == at(1, 9) - dt.timedelta(weeks=1)
    assert [dt.datetime.fromisoformat(e["start"]) for e in events(client)] == [at(1, 9)]


def test_a_recurrence_id_that_is_no_occurrence_is_refused(client, agent):
    series = factories.CallFactory(
        assigned_to=agent, starts_at=at(0, 9), rrule="FREQ=WEEKLY;COUNT=3"
    )
    client.force_login(agent)
    response = reschedule(
        client,
        kind="call",
        pk=series.pk,
        start=at(0, 11).isoformat(),
        recurrence_id="20261103T000000Z",
    )
    assert response.status_code == 409
    assert not Call.objects.filter(recurrence_of=series).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "call", "pk": "1", "start": "a\x00b"},
        {"kind": "call", "pk": "1", "start": "x" * 1_000_000},
        {"kind": "call", "pk": "1", "start": "2026-13-45T99:00"},
        {"kind": "rocket", "pk": "1", "start": "2026-11-02T10:00:00Z"},
        {"kind": "call", "pk": "99999999999999999999", "start": "2026-11-02T10:00:00Z"},
    ],
)
def test_bad_reschedule_input_is_a_4xx(client, agent, data):
    client.force_login(agent)
    response = reschedule(client, **data)
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    "params",
    [
        {"start": "a\x00b", "end": "2026-11-09"},
        {"start": "x" * 1_000_000, "end": "2026-11-09"},
        {"start": "2026-11-09", "end": "2026-11-02"},
        {"start": "2026-01-01", "end": "2027-01-01"},
        {"start": "2026-11-02", "end": "2026-11-09", "users": "1,a"},
        {"start": "not a date", "end": "2026-11-09"},
    ],
)
def test_bad_event_ranges_are_a_400(client, agent, params):
    client.force_login(agent)
    response = client.get(reverse("activities:calendar_events"), params)
    assert response.status_code == 400
    if "\x00" not in params["start"]:  # a NUL byte is refused before the view, as text
        assert json.loads(response.content)["message"]


def test_reschedule_needs_a_post_with_csrf(agent, week):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(agent)
    response = strict.post(
        reverse("activities:calendar_reschedule"),
        {"kind": "call", "pk": week["call"].pk, "start": at(2, 9).isoformat()},
    )
    assert response.status_code == 403
    assert strict.get(reverse("activities:calendar_reschedule")).status_code == 405


def test_meeting_attendees_see_it_on_their_calendar(client, agent, colleague):
    meeting = factories.MeetingFactory(assigned_to=agent, starts_at=at(2, 9), ends_at=at(2, 10))
    meeting.attendees.add(colleague)
    factories.MeetingFactory(
        assigned_to=colleague,
        starts_at=at(2, 11),
        ends_at=at(2, 12),
        status=Meeting.Status.CANCELLED,
    )
    client.force_login(colleague)
    assert [e["extendedProps"]["pk"] for e in events(client)] == [meeting.pk]


def test_a_todo_with_a_due_date_only_keeps_no_start_date_when_dragged(client, agent, week):
    client.force_login(agent)
    todo = week["todo"]
    response = reschedule(
        client, kind="todo", pk=todo.pk, start="2026-11-05", end="2026-11-06", all_day="on"
    )
    assert response.status_code == 200, response.content
    todo.refresh_from_db()
    assert (todo.start_date, todo.due_date) == (None, dt.date(2026, 11, 5))


def test_stretching_a_todo_over_three_days_gives_it_a_start_date(client, agent, week):
    client.force_login(agent)
    todo = week["todo"]
    response = reschedule(
        client, kind="todo", pk=todo.pk, start="2026-11-04", end="2026-11-07", all_day="on"
    )
    assert response.status_code == 200, response.content
    todo.refresh_from_db()
    assert (todo.start_date, todo.due_date) == (dt.date(2026, 11, 4), dt.date(2026, 11, 6))
