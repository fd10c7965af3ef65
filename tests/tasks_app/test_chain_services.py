"""The chain engine: creating a request opens its first steps; closing opens the next ones."""

import pytest
from django.core import mail

from crm.errors import Conflict, DomainError, NotAllowed
from crm.models import Notification
from requests_app.models import JournalEntry, ServiceRequest
from requests_app.requests.journal import journal_add
from requests_app.requests.services import request_cancel, request_create
from tasks_app import services
from tasks_app.models import Task
from tests.tasks_app.conftest import by_sequence

pytestmark = pytest.mark.django_db


def test_creating_a_request_opens_the_interview_and_leaves_the_rest_pending(
    faculty_request, pedagogue
):
    tasks = by_sequence(faculty_request)
    assert faculty_request.status == ServiceRequest.Status.SUBMITTED
    assert {s: t.status for s, t in tasks.items()} == {
        "1": "open",
        "2.1": "pending",
        "2.2": "pending",
        "3": "pending",
    }
    assert tasks["1"].due_date is not None and tasks["1"].opened_at is not None
    assert faculty_request.number == f"REQ{faculty_request.pk:07d}"
    assert tasks["1"].number == f"TASK{tasks['1'].pk:07d}"


def test_group_members_are_notified_in_app_and_by_mail_after_commit(
    faculty_type, citizen, pedagogue, technologist, django_capture_on_commit_callbacks, settings
):
    from crm.celery import app

    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            request = request_create(requester=citizen.client, request_type=faculty_type, title="X")
    finally:
        app.conf.task_always_eager = False
    interview = by_sequence(request)["1"]
    assert Notification.objects.filter(
        recipient=pedagogue, url=interview.get_absolute_url()
    ).exists()
    assert not Notification.objects.filter(recipient=technologist).exists()
    assert [m.to for m in mail.outbox] == [[pedagogue.email]]


def test_closing_the_interview_opens_planning_and_coaching(faculty_request, pedagogue):
    tasks = by_sequence(faculty_request)
    services.task_take(task=tasks["1"], by=pedagogue)
    services.task_start(task=tasks["1"], by=pedagogue)
    services.task_close(task=tasks["1"], by=pedagogue, note="Entrevue faite")

    tasks = by_sequence(faculty_request)
    assert {s: t.status for s, t in tasks.items()} == {
        "1": "closed",
        "2.1": "open",
        "2.2": "open",
        "3": "pending",
    }
    faculty_request.refresh_from_db()
    assert faculty_request.status == ServiceRequest.Status.IN_PROGRESS
    assert JournalEntry.objects.filter(task=tasks["1"], body="Entrevue faite").exists()


def test_compliance_opens_only_when_both_middle_steps_are_done(
    faculty_request, pedagogue, technologist
):
    tasks = by_sequence(faculty_request)
    services.task_close(task=tasks["1"], by=pedagogue)
    services.task_close(task=tasks["2.2"], by=pedagogue)
    assert by_sequence(faculty_request)["3"].status == "pending"

    services.task_cancel(task=tasks["2.1"], by=technologist, reason="Pas de présentateur")
    assert by_sequence(faculty_request)["3"].status == "open"


def test_closing_the_last_task_resolves_the_request(faculty_request, pedagogue, technologist):
    tasks = by_sequence(faculty_request)
    services.task_close(task=tasks["1"], by=pedagogue)
    services.task_close(task=tasks["2.1"], by=technologist)
    services.task_close(task=tasks["2.2"], by=pedagogue)
    services.task_close(task=tasks["3"], by=technologist)

    faculty_request.refresh_from_db()
    assert faculty_request.status == ServiceRequest.Status.RESOLVED
    assert faculty_request.resolved_at is not None


def test_a_pending_task_cannot_be_started_or_closed(faculty_request, technologist):
    planning = by_sequence(faculty_request)["2.1"]
    with pytest.raises(DomainError):
        services.task_start(task=planning, by=technologist)
    with pytest.raises(DomainError):
        services.task_close(task=planning, by=technologist)
    planning.refresh_from_db()
    assert planning.status == "pending"


def test_an_agent_outside_the_group_can_neither_take_nor_close(faculty_request, outsider_agent):
    interview = by_sequence(faculty_request)["1"]
    with pytest.raises(NotAllowed):
        services.task_take(task=interview, by=outsider_agent)
    with pytest.raises(NotAllowed):
        services.task_close(task=interview, by=outsider_agent)
    interview.refresh_from_db()
    assert (interview.status, interview.assignee) == ("open", None)


def test_a_second_agent_is_told_who_has_the_task(faculty_request, pedagogue, groups):
    from tests import factories

    colleague = factories.agent(email="collegue.tp@example.org")
    groups[0].members.add(colleague)
    interview = by_sequence(faculty_request)["1"]
    services.task_take(task=interview, by=pedagogue)
    with pytest.raises(Conflict, match=str(pedagogue)):
        services.task_take(task=interview, by=colleague)


def test_hold_and_resume(faculty_request, pedagogue):
    interview = by_sequence(faculty_request)["1"]
    services.task_start(task=interview, by=pedagogue)
    services.task_hold(task=interview, by=pedagogue, reason="En attente du plan de cours")
    interview.refresh_from_db()
    assert interview.status == "on_hold"
    services.task_resume(task=interview, by=pedagogue)
    interview.refresh_from_db()
    assert interview.status == "in_progress"


def test_assign_only_to_a_member_of_the_group(faculty_request, pedagogue, technologist):
    interview = by_sequence(faculty_request)["1"]
    with pytest.raises(DomainError):
        services.task_assign(task=interview, assignee=technologist, by=pedagogue)
    services.task_assign(task=interview, assignee=pedagogue, by=pedagogue)
    interview.refresh_from_db()
    assert interview.assignee == pedagogue


def test_support_tasks_must_be_done_before_their_service_task_closes(
    faculty_request, pedagogue, technologist, groups
):
    tasks = by_sequence(faculty_request)
    services.task_close(task=tasks["1"], by=pedagogue)
    planning = by_sequence(faculty_request)["2.1"]
    support = services.support_task_create(
        parent=planning,
        by=technologist,
        title="Soutien Zoom en salle",
        assignment_group=groups[1],
    )
    assert (support.kind, support.status, support.request_id) == (
        "support",
        "open",
        faculty_request.pk,
    )
    with pytest.raises(DomainError):
        services.task_close(task=planning, by=technologist)

    services.task_close(task=support, by=technologist)
    services.task_close(task=planning, by=technologist)
    planning.refresh_from_db()
    assert planning.status == "closed"


def test_cancelling_a_request_cancels_what_is_not_done(faculty_request, pedagogue):
    tasks = by_sequence(faculty_request)
    services.task_close(task=tasks["1"], by=pedagogue)
    request_cancel(request=faculty_request, by=pedagogue, reason="Cours annulé")

    faculty_request.refresh_from_db()
    assert faculty_request.status == "cancelled"
    assert {s: t.status for s, t in by_sequence(faculty_request).items()} == {
        "1": "closed",
        "2.1": "cancelled",
        "2.2": "cancelled",
        "3": "cancelled",
    }


def test_work_notes_stay_internal_and_comments_notify_the_requester(
    faculty_request, pedagogue, citizen
):
    interview = by_sequence(faculty_request)["1"]
    journal_add(by=pedagogue, task=interview, kind="work_note", body="Appel laissé")
    assert not Notification.objects.filter(recipient=citizen).exists()

    journal_add(
        by=pedagogue, task=interview, kind="comment", body="Bonjour, quand êtes-vous libre ?"
    )
    assert Notification.objects.filter(recipient=citizen).count() == 1
    with pytest.raises(DomainError):
        journal_add(by=pedagogue, task=interview, kind="comment", body="   ")


def test_a_citizen_cannot_write_work_notes(faculty_request, citizen, other_citizen):
    with pytest.raises(NotAllowed):
        journal_add(by=citizen, request=faculty_request, kind="work_note", body="x")
    with pytest.raises(NotAllowed):
        journal_add(by=other_citizen, request=faculty_request, kind="comment", body="x")
    entry = journal_add(by=citizen, request=faculty_request, kind="comment", body="Merci")
    assert entry.is_public


def test_every_transition_is_in_the_history_with_its_author(faculty_request, pedagogue):
    interview = by_sequence(faculty_request)["1"]
    services.task_take(task=interview, by=pedagogue)
    services.task_start(task=interview, by=pedagogue)
    services.task_close(task=interview, by=pedagogue)
    statuses = list(
        Task.history.filter(id=interview.pk)
        .order_by("history_date")
        .values_list("status", "history_user")
    )
    assert [s for s, _u in statuses] == ["open", "open", "in_progress", "closed"]
    assert {u for _s, u in statuses[1:]} == {pedagogue.pk}
