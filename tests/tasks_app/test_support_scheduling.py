"""Support tasks on the calendar (seed 001): from a template, scheduled in a room, a cubicle or a
virtual room with the request's people; a resource never booked twice at once, also when two
agents book it at the same instant (PostgreSQL's exclusion constraint)."""

import threading
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from crm.errors import DomainError, NotAllowed
from requests_app.requests.services import request_create
from tasks_app import selectors, services
from tasks_app.models import BookableResource, SupportTaskTemplate, Task
from tests import factories
from tests.tasks_app.conftest import by_sequence

MONTREAL = ZoneInfo("America/Montreal")


def at(hour: int, minute: int = 0, day: int = 16) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=MONTREAL)


@pytest.fixture
def planning(faculty_request, pedagogue):
    """The open "Planification" service task, where support tasks are created."""
    services.task_close(task=by_sequence(faculty_request)["1"], by=pedagogue)
    return by_sequence(faculty_request)["2.1"]


@pytest.fixture
def cubicle(db):
    return BookableResource.objects.create(
        name="Cubicule 1", kind=BookableResource.Kind.CUBICLE, location="Bibliothèque, 2e"
    )


@pytest.fixture
def recording(groups):
    return SupportTaskTemplate.objects.create(
        name="Soutien à l'enregistrement — cubicule",
        instructions="Accueillir le présentateur.",
        assignment_group=groups[1],
        default_duration_minutes=45,
        resource_kind=BookableResource.Kind.CUBICLE,
    )


def support(planning, technologist, **fields):
    fields.setdefault("title", "Soutien")
    fields.setdefault("assignment_group", planning.assignment_group)
    return services.support_task_create(parent=planning, by=technologist, **fields)


# --- from a template ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_support_task_from_a_template_takes_its_name_group_instructions_and_duration(
    planning, technologist, recording, cubicle, groups
):
    # when
    task = services.support_task_create(
        parent=planning,
        by=technologist,
        support_template=recording,
        description="Présentateur : Dre Roy",
        start=at(10),
        resource=cubicle,
    )

    # then
    task.refresh_from_db()
    assert task.title == "Soutien à l'enregistrement — cubicule"
    assert task.assignment_group == groups[1]
    assert task.description == "Accueillir le présentateur.\n\nPrésentateur : Dre Roy"
    assert (task.scheduled_start, task.scheduled_end) == (at(10), at(10, 45))
    assert task.resource == cubicle and task.place == "Bibliothèque, 2e"
    assert task.support_template == recording
    assert task.due_date == at(10).date()
    assert (task.kind, task.status, task.parent) == ("support", "open", planning)


@pytest.mark.django_db
def test_a_typed_title_and_group_win_over_the_template(planning, technologist, recording, groups):
    task = services.support_task_create(
        parent=planning,
        by=technologist,
        support_template=recording,
        title="Enregistrement MED1001",
        assignment_group=groups[0],
    )
    assert (task.title, task.assignment_group) == ("Enregistrement MED1001", groups[0])
    assert task.scheduled_start is None


@pytest.mark.django_db
def test_an_inactive_template_is_refused(planning, technologist, recording):
    recording.active = False
    recording.save()
    with pytest.raises(ValidationError) as raised:
        services.support_task_create(parent=planning, by=technologist, support_template=recording)
    assert "support_template" in raised.value.message_dict
    assert not planning.support_tasks.exists()


@pytest.mark.django_db
def test_without_a_template_title_and_group_are_required(planning, technologist):
    with pytest.raises(DomainError):
        services.support_task_create(parent=planning, by=technologist, title="Soutien")
    with pytest.raises(DomainError):
        services.support_task_create(
            parent=planning, by=technologist, title=" ", assignment_group=planning.assignment_group
        )


# --- attendees from the request --------------------------------------------------------------


@pytest.mark.django_db
def test_attendees_default_to_the_requester_and_the_presenters_who_are_clients(
    faculty_type, citizen, pedagogue, technologist, cubicle
):
    # given a course whose presenters are in the answers, one of them a client
    presenter = factories.ClientFactory(email="ana.roy@example.org", last_name="Roy")
    request = request_create(
        requester=citizen.client,
        request_type=faculty_type,
        title="MED1002",
        form_data={
            "presentateurs": [
                {"name": "Ana Roy", "email": "Ana.Roy@example.org"},
                {"name": "Inconnu", "email": "inconnu@example.org"},
            ]
        },
    )
    services.task_close(task=by_sequence(request)["1"], by=pedagogue)
    planning = by_sequence(request)["2.1"]

    # when
    task = support(planning, technologist, start=at(9), end=at(10), resource=cubicle)

    # then
    assert set(task.attendees.all()) == {citizen.client, presenter}


@pytest.mark.django_db
def test_attendees_given_are_kept(planning, technologist):
    someone = factories.ClientFactory()
    task = support(planning, technologist, start=at(9), end=at(10), attendees=[someone])
    assert list(task.attendees.all()) == [someone]


# --- scheduling and double booking ----------------------------------------------------------


@pytest.mark.django_db
def test_schedule_a_support_task_in_a_cubicle(planning, technologist, cubicle):
    task = support(planning, technologist)

    services.support_task_schedule(
        task=task, by=technologist, start=at(13), end=at(14), resource=cubicle
    )

    task.refresh_from_db()
    assert (task.scheduled_start, task.scheduled_end, task.resource) == (at(13), at(14), cubicle)
    assert task.history.first().history_user == technologist


@pytest.mark.django_db
def test_an_overlapping_booking_is_refused_with_the_slot_taken(planning, technologist, cubicle):
    # given
    support(planning, technologist, start=at(10), end=at(11), resource=cubicle)
    other = support(planning, technologist)

    # when
    with pytest.raises(ValidationError) as raised:
        services.support_task_schedule(
            task=other, by=technologist, start=at(10, 30), end=at(11, 30), resource=cubicle
        )

    # then
    message = raised.value.message_dict["resource"][0]
    assert "Cubicule 1" in message and "10:00" in message and "11:00" in message
    other.refresh_from_db()
    assert other.scheduled_start is None and other.resource is None


@pytest.mark.django_db
def test_adjacent_slots_and_other_resources_are_allowed(planning, technologist, cubicle):
    support(planning, technologist, start=at(10), end=at(11), resource=cubicle)
    room = BookableResource.objects.create(name="Salle A", kind=BookableResource.Kind.ROOM)

    after = support(planning, technologist, start=at(11), end=at(12), resource=cubicle)
    before = support(planning, technologist, start=at(9), end=at(10), resource=cubicle)
    elsewhere = support(planning, technologist, start=at(10), end=at(11), resource=room)
    unbooked = support(planning, technologist, start=at(10), end=at(11), place="Salle B")

    assert all(t.scheduled_start for t in (after, before, elsewhere, unbooked))


@pytest.mark.django_db
def test_a_cancelled_support_task_frees_its_slot(planning, technologist, cubicle):
    first = support(planning, technologist, start=at(10), end=at(11), resource=cubicle)
    services.task_cancel(task=first, by=technologist, reason="Reporté")

    second = support(planning, technologist, start=at(10), end=at(11), resource=cubicle)

    assert second.resource == cubicle


@pytest.mark.django_db
def test_rescheduling_a_task_over_its_own_slot_is_allowed(planning, technologist, cubicle):
    task = support(planning, technologist, start=at(10), end=at(11), resource=cubicle)
    services.support_task_schedule(
        task=task, by=technologist, start=at(10, 30), end=at(11, 30), resource=cubicle
    )
    task.refresh_from_db()
    assert task.scheduled_start == at(10, 30)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(at(11), at(10), "end"), (at(11), at(11), "end"), (None, at(11), "start")],
)
def test_an_end_before_the_start_is_refused_at_the_field(planning, technologist, start, end, field):
    task = support(planning, technologist)
    with pytest.raises(ValidationError) as raised:
        services.support_task_schedule(task=task, by=technologist, start=start, end=end)
    assert field in raised.value.message_dict


@pytest.mark.django_db
def test_an_inactive_resource_is_refused(planning, technologist, cubicle):
    cubicle.active = False
    cubicle.save()
    task = support(planning, technologist)
    with pytest.raises(ValidationError) as raised:
        services.support_task_schedule(
            task=task, by=technologist, start=at(10), end=at(11), resource=cubicle
        )
    assert "resource" in raised.value.message_dict


@pytest.mark.django_db
def test_only_support_tasks_that_are_not_done_are_scheduled(planning, technologist):
    with pytest.raises(DomainError):
        services.support_task_schedule(task=planning, by=technologist, start=at(9), end=at(10))
    task = support(planning, technologist)
    services.task_close(task=task, by=technologist)
    with pytest.raises(DomainError):
        services.support_task_schedule(task=task, by=technologist, start=at(9), end=at(10))


@pytest.mark.django_db
def test_only_the_groups_members_schedule(planning, technologist, pedagogue, manager, cubicle):
    task = support(planning, technologist)
    for person in (pedagogue, manager):  # another group's agent, a manager
        with pytest.raises(NotAllowed):
            services.support_task_schedule(
                task=task, by=person, start=at(10), end=at(11), resource=cubicle
            )
    task.refresh_from_db()
    assert task.scheduled_start is None


@pytest.mark.django_db(transaction=True)
def test_two_agents_booking_one_cubicle_at_once_get_one_success_and_one_refusal(
    planning, technologist, groups, cubicle
):
    # given two support tasks and two agents of the group
    colleague = factories.agent(email="techno2@example.org")
    groups[1].members.add(colleague)
    first, second = support(planning, technologist), support(planning, technologist)
    barrier = threading.Barrier(2)
    results = [None, None]
    real_schedule = services._schedule

    def held_schedule(task, **kwargs):
        # Both have passed the overlap check in Python before either writes: the race that
        # only the exclusion constraint settles.
        barrier.wait(timeout=10)
        return real_schedule(task, **kwargs)

    def book(index, task, agent):
        try:
            results[index] = services.support_task_schedule(
                task=task, by=agent, start=at(10), end=at(11), resource=cubicle
            )
        except Exception as error:  # collected for the assertions
            results[index] = error
        finally:
            connection.close()

    services._schedule = held_schedule
    try:
        threads = [
            threading.Thread(target=book, args=(0, first, technologist)),
            threading.Thread(target=book, args=(1, second, colleague)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        services._schedule = real_schedule

    # then
    successes = [r for r in results if isinstance(r, Task)]
    refusals = [r for r in results if isinstance(r, ValidationError)]
    assert len(successes) == 1, results
    assert len(refusals) == 1, results
    message = refusals[0].message_dict["resource"][0]
    assert "Cubicule 1" in message and "10:00" in message and "11:00" in message
    assert Task.objects.filter(resource=cubicle).count() == 1


# --- the calendar's selector ----------------------------------------------------------------


@pytest.mark.django_db
def test_scheduled_support_tasks_overlapping_a_week_by_assignee_or_group(
    planning, technologist, groups, cubicle, django_assert_num_queries
):
    # given
    mine = support(
        planning, technologist, start=at(10), end=at(11), resource=cubicle, assignee=technologist
    )
    groups_task = support(planning, technologist, start=at(13), end=at(14))
    support(planning, technologist, start=at(10, day=30), end=at(11, day=30))  # another week
    cancelled = support(planning, technologist, start=at(15), end=at(16))
    services.task_cancel(task=cancelled, by=technologist)
    support(planning, technologist)  # not scheduled
    week = (at(0, day=16), at(0, day=23))

    # when / then
    with django_assert_num_queries(2):
        found = selectors.scheduled_support_tasks(start=week[0], end=week[1])
        [(t.resource, t.assignee, t.parent, list(t.attendees.all())) for t in found]
    assert found == [mine, groups_task]
    assert selectors.scheduled_support_tasks(users=[technologist], start=week[0], end=week[1]) == [
        mine
    ]
    assert selectors.scheduled_support_tasks(
        group_ids=[groups[1].pk], start=week[0], end=week[1]
    ) == [mine, groups_task]
    assert selectors.scheduled_support_tasks(group_ids=[], start=week[0], end=week[1]) == []
    # a task that started before the window and ends inside it overlaps
    assert selectors.scheduled_support_tasks(start=at(10, 30), end=at(10, 45)) == [mine]
    # [start, end): a task ending at the window's start does not
    assert selectors.scheduled_support_tasks(start=at(11), end=at(12)) == []


@pytest.mark.django_db
def test_the_selectors_query_count_does_not_grow_with_tasks(
    planning, technologist, django_assert_num_queries
):
    for hour in range(8, 16):
        task = support(planning, technologist, start=at(hour), end=at(hour, 30))
        task.attendees.add(factories.ClientFactory(), factories.ClientFactory())
    with django_assert_num_queries(2):
        found = selectors.scheduled_support_tasks(start=at(0), end=at(23))
        [list(t.attendees.all()) for t in found]
    assert len(found) == 8


# --- pages ----------------------------------------------------------------------------------


def text(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_the_support_form_offers_templates_and_scheduling(
    login, technologist, planning, recording, cubicle
):
    form = text(
        login(technologist).get(
            reverse("tasks:support", args=[planning.pk]), HTTP_HX_REQUEST="true"
        )
    )
    for name in (
        "support_template",
        "title",
        "start",
        "end",
        "resource",
        "place",
        "virtual_room_url",
    ):
        assert f'name="support-{name}"' in form, name
    assert recording.name in form.replace("&#x27;", "'") and "Cubicule 1" in form


@pytest.mark.django_db
def test_an_agent_creates_a_scheduled_support_task_in_a_cubicle_from_a_template(
    login, technologist, planning, recording, cubicle
):
    client = login(technologist)

    response = client.post(
        reverse("tasks:support", args=[planning.pk]),
        {
            "support-support_template": recording.pk,
            "support-start": "2026-03-16T10:00",
            "support-resource": cubicle.pk,
        },
    )

    assert response.status_code == 302
    task = planning.support_tasks.get()
    assert (task.title, task.scheduled_start, task.scheduled_end, task.resource) == (
        recording.name,
        at(10),
        at(10, 45),
        cubicle,
    )
    page = text(client.get(task.get_absolute_url()))
    assert 'data-testid="schedule-when"' in page and "Cubicule 1" in page
    assert 'data-testid="schedule-form"' in page


@pytest.mark.django_db
def test_a_double_booking_on_the_page_is_refused_at_the_field_and_what_was_typed_is_kept(
    login, technologist, planning, cubicle
):
    support(planning, technologist, start=at(10), end=at(11), resource=cubicle)
    client = login(technologist)

    response = client.post(
        reverse("tasks:support", args=[planning.pk]),
        {
            "support-title": "Deuxième réservation",
            "support-assignment_group": planning.assignment_group_id,
            "support-start": "2026-03-16T10:30",
            "support-end": "2026-03-16T11:30",
            "support-resource": cubicle.pk,
        },
    )

    assert response.status_code == 400
    page = text(response)
    resource_field = page.split('data-testid="resource-field"')[1][:3000]
    assert "invalid-feedback" in resource_field and "10:00" in resource_field
    assert 'value="Deuxième réservation"' in page
    assert 'value="2026-03-16T10:30"' in page
    assert planning.support_tasks.count() == 1


@pytest.mark.django_db
def test_the_group_reschedules_from_the_support_tasks_page(
    login, technologist, pedagogue, planning, cubicle
):
    task = support(planning, technologist, start=at(10), end=at(11))
    url = reverse("tasks:schedule", args=[task.pk])
    data = {
        "schedule-start": "2026-03-17T14:00",
        "schedule-end": "2026-03-17T15:00",
        "schedule-resource": cubicle.pk,
        "schedule-place": "",
    }

    # another group's agent may not
    assert login(pedagogue).post(url, data).status_code == 403
    response = login(technologist).post(url, data)

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.scheduled_start, task.resource) == (at(14, day=17), cubicle)
    assert task.place == "Bibliothèque, 2e"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"schedule-start": "2026-03-17T14:00", "schedule-end": "2026-03-17T13:00"}, "end"),
        ({"schedule-start": "hier", "schedule-end": "2026-03-17T13:00"}, "start"),
        ({"schedule-start": "2026-03-17T14:00", "schedule-end": ""}, "end"),
        (
            {
                "schedule-start": "2026-03-17T14:00",
                "schedule-end": "2026-03-17T15:00",
                "schedule-virtual_room_url": "javascript:alert(1)",
            },
            "virtual_room_url",
        ),
        (
            {
                "schedule-start": "2026-03-17T14:00",
                "schedule-end": "2026-03-17T15:00",
                "schedule-place": "x" * 1_000_000,
            },
            "place",
        ),
    ],
)
def test_bad_schedules_are_refused_with_a_message(login, technologist, planning, data, field):
    task = support(planning, technologist)
    response = login(technologist).post(reverse("tasks:schedule", args=[task.pk]), data)
    assert response.status_code == 400
    assert "invalid-feedback" in text(response)
    task.refresh_from_db()
    assert task.scheduled_start is None


@pytest.mark.django_db
def test_a_service_task_has_no_schedule_page(login, technologist, planning):
    response = login(technologist).post(
        reverse("tasks:schedule", args=[planning.pk]),
        {"schedule-start": "2026-03-17T14:00", "schedule-end": "2026-03-17T15:00"},
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_managers_read_the_schedule_without_the_form(login, technologist, manager, planning):
    task = support(planning, technologist, start=at(10), end=at(11), place="Salle B")
    page = text(login(manager).get(task.get_absolute_url()))
    assert 'data-testid="schedule-when"' in page and "Salle B" in page
    assert 'data-testid="schedule-form"' not in page


# --- admin and demo data --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_seeds_the_three_templates_and_resources_once():
    call_command("seed_demo", "--no-samples", stdout=StringIO())
    names = set(SupportTaskTemplate.objects.values_list("name_fr", flat=True))
    assert names == {
        "Soutien technique — classe virtuelle en salle",
        "Soutien à l'enregistrement — cubicule",
        "Formation du super-utilisateur",
    }
    kinds = set(BookableResource.objects.values_list("kind", flat=True))
    assert kinds >= {"room", "cubicle", "virtual"}
    out = StringIO()
    call_command("seed_support", stdout=out)
    assert "created" not in out.getvalue()
    assert SupportTaskTemplate.objects.count() == 3


@pytest.mark.django_db
def test_administrators_manage_templates_and_resources_in_the_admin(
    client, administrator, recording, cubicle
):
    client.force_login(administrator)
    for url in (
        reverse("admin:tasks_app_supporttasktemplate_changelist"),
        reverse("admin:tasks_app_supporttasktemplate_change", args=[recording.pk]),
        reverse("admin:tasks_app_bookableresource_changelist"),
        reverse("admin:tasks_app_bookableresource_add"),
    ):
        assert client.get(url).status_code == 200, url
    page = text(
        client.get(reverse("admin:tasks_app_supporttasktemplate_change", args=[recording.pk]))
    )
    assert 'name="name_fr"' in page and 'name="name_en"' in page
    response = client.post(
        reverse("admin:tasks_app_bookableresource_add"),
        {"name": "Cubicule 3", "kind": "cubicle", "location": "", "url": "", "active": "on"},
    )
    assert response.status_code == 302
    assert BookableResource.objects.filter(name="Cubicule 3").exists()
