"""The request page: comments and work notes written on the request itself (a comment reaches
the requester, a work note never does); form answers under their labels, never their keys; the
history in the reader's language, with choices translated."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from django.utils import translation

from crm.models import Notification
from requests_app.incidents import services as incident_services
from requests_app.models import JournalEntry
from requests_app.requests import answers
from requests_app.requests import services as request_services
from tasks_app import services as task_services
from tests import factories
from tests.helpers import rows_of, text

pytestmark = pytest.mark.django_db

COURSE = {
    "sigle": "MED1001",
    "titre": "Anatomie générale",
    "trimestre": "A2026",
    "departement": "Pathologie",
    "approche": "PERM",
    "presentateurs": [{"name": "Ana Roy", "email": "ana@example.org"}],
    "salle_souhaitee": "B-204",
}


@pytest.fixture
def service_request(people, ours):
    return request_services.request_create(
        requester=people["requester"].client,
        request_type=factories.chain_request_type(group=ours),
        title="MED1001 — Anatomie",
        due_date=date(2026, 9, 8),
        form_data=dict(COURSE),
    )


def _journal_url(request):
    return reverse("requests:journal", args=[request.pk])


def _portal_url(request):
    return reverse("portal:my_request_detail", args=[request.pk])


# Comments and work notes on the request ------------------------------------------------------


def test_a_comment_written_on_the_request_reaches_the_requester(
    service_request, people, login, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = login(people["owner"]).post(
            _journal_url(service_request), {"kind": "comment", "body": "Votre salle est prête."}
        )
    # then
    assert response.status_code == 302
    entry = JournalEntry.objects.get(request=service_request)
    assert entry.kind == JournalEntry.Kind.COMMENT and entry.task is None
    notice = Notification.objects.get(recipient=people["requester"])
    assert notice.url == _portal_url(service_request)
    assert "Votre salle est prête." in notice.body
    portal = login(people["requester"]).get(_portal_url(service_request))
    assert "Votre salle est prête." in text(portal)


def test_a_work_note_on_the_request_is_never_shown_on_the_portal(service_request, people, login):
    # when
    response = login(people["owner"]).post(
        _journal_url(service_request), {"kind": "work_note", "body": "Note interne confidentielle"}
    )
    # then
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=people["requester"]).exists()
    agent_page = login(people["owner"]).get(service_request.get_absolute_url())
    assert "Note interne confidentielle" in text(agent_page)
    portal = login(people["requester"]).get(_portal_url(service_request))
    assert portal.status_code == 200
    assert "Note interne confidentielle" not in text(portal)


def test_the_request_page_offers_the_journal_form_only_to_its_agents(
    service_request, people, login
):
    form = 'data-testid="request-journal-form"'
    assert form in text(login(people["owner"]).get(service_request.get_absolute_url()))
    for persona in ("colleague", "outsider", "manager"):
        page = login(people[persona]).get(service_request.get_absolute_url())
        assert form not in text(page), persona


@pytest.mark.parametrize("persona", ["colleague", "outsider", "manager", "citizen", "requester"])
@pytest.mark.parametrize("kind", ["comment", "work_note"])
def test_a_forged_journal_post_is_refused_and_writes_nothing(
    service_request, people, login, persona, kind
):
    before = rows_of(JournalEntry, Notification)

    response = login(people[persona]).post(
        _journal_url(service_request), {"kind": kind, "body": "Intrus"}
    )

    assert response.status_code == 403
    assert rows_of(JournalEntry, Notification) == before


def test_an_empty_or_unknown_entry_is_a_form_error(service_request, people, login):
    client = login(people["owner"])

    empty = client.post(_journal_url(service_request), {"kind": "comment", "body": "  "})
    unknown = client.post(_journal_url(service_request), {"kind": "call", "body": "Allô"})

    assert empty.status_code == 400 and unknown.status_code == 400
    assert "Allô" in text(unknown)  # what was typed is kept
    assert not JournalEntry.objects.filter(request=service_request).exists()


# Answers under their labels ----------------------------------------------------------------


def test_answers_are_shown_under_their_labels_on_the_request_page(service_request, people, login):
    body = text(login(people["owner"]).get(service_request.get_absolute_url()))

    for label in ("Sigle", "Titre du cours", "Trimestre", "Département", "Approche"):
        assert f'<dt class="col-4">{label}</dt>' in body
    # each presenter's address kept whole (the .email class never cuts it)
    assert "Présentateurs" in body
    assert 'Ana Roy <span class="email"><ana@example.org></span>' in body
    assert '<dt class="col-4">Salle souhaitee</dt>' in body  # an unknown key, humanised
    assert "Démarche PERM" in body  # the approach by its type's name
    for key in ("sigle", "departement", "presentateurs", "salle_souhaitee"):
        assert f">{key}<" not in body


def test_answers_are_shown_under_their_labels_on_the_portal(service_request, people, login):
    body = text(login(people["requester"]).get(_portal_url(service_request)))

    assert '<dt class="col-sm-3">Sigle</dt>' in body
    assert '<dt class="col-sm-3">Présentateurs</dt>' in body
    assert ">sigle<" not in body and ">presentateurs<" not in body


def test_answer_labels_are_english_for_an_english_reader(service_request, people, login):
    people["owner"].language = "en"
    people["owner"].save()

    body = text(login(people["owner"]).get(service_request.get_absolute_url()))

    assert '<dt class="col-4">Course code</dt>' in body
    assert '<dt class="col-4">Presenters</dt>' in body


def test_answer_rows_give_label_and_value_pairs(service_request):
    with translation.override("fr"):
        rows = {row.key: (row.label, row.value) for row in answers.answer_rows(service_request)}

    assert rows["sigle"] == ("Sigle", "MED1001")
    assert rows["presentateurs"] == ("Présentateurs", "Ana Roy <ana@example.org>")
    assert rows["salle_souhaitee"] == ("Salle souhaitee", "B-204")
    assert [key for key in rows][:2] == ["sigle", "titre"]  # the form's order, unknown keys last


# History in the reader's language -----------------------------------------------------------


def _history_text(response) -> str:
    body = text(response)
    return body[body.find('id="history"') :]


def _worked(service_request, people):
    step = service_request.tasks.get(template__sequence="1")
    task_services.task_take(task=step, by=people["owner"])
    task_services.task_start(task=step, by=people["owner"])
    request_services.request_update(
        request=service_request,
        by=people["owner"],
        reason="Sigle corrigé",
        form_data={**COURSE, "sigle": "MED1002"},
    )


def test_history_shows_statuses_reasons_and_answers_translated_in_french(
    service_request, people, login
):
    _worked(service_request, people)

    history = _history_text(login(people["owner"]).get(service_request.get_absolute_url()))

    assert "soumise" in history and "en cours" in history  # statuses
    assert "soumission" in history and "début du travail" in history  # reasons
    assert "modification" in history and "Sigle corrigé" in history
    assert "Sigle" in history and "MED1002" in history
    for raw in ("submitted", "in_progress", "work_started", "edited", "form_data", "sigle"):
        assert raw not in history, raw


def test_history_shows_statuses_and_reasons_in_english_for_an_english_reader(
    service_request, people, login
):
    _worked(service_request, people)
    people["owner"].language = "en"
    people["owner"].save()

    history = _history_text(login(people["owner"]).get(service_request.get_absolute_url()))

    assert "submitted" in history and "in progress" in history
    assert "work started" in history and "edited" in history
    assert "Course code" in history
    for raw in ("in_progress", "work_started", "form_data", "soumise", "modification"):
        assert raw not in history, raw


def test_a_creation_row_says_created_once_in_the_readers_language(service_request, people, login):
    # A task's first row has the reason "created": it was shown as "créé · création".
    step = service_request.tasks.get(template__sequence="1")

    history = _history_text(login(people["owner"]).get(step.get_absolute_url()))

    assert 'data-testid="history-reason">création</span>' in history
    assert "créé" not in history and "created" not in history


def test_incident_history_shows_its_statuses_translated(people, login, ours):
    # given an incident awaiting the requester
    incident = factories.IncidentFactory(assignment_group=ours, taken_by=people["owner"])
    incident_services.incident_set_status(
        incident=incident, status="awaiting_requester", by=people["owner"]
    )

    client = login(people["owner"])
    # the page loads its history when it is scrolled to (htmx)...
    page = text(client.get(incident.get_absolute_url()))
    history_url = reverse("incidents:history", args=[incident.pk])
    assert f'hx-get="{history_url}"' in page[page.find('id="history"') :]
    assert "en attente du demandeur" not in page[page.find('id="history"') :]
    fragment = text(client.get(history_url, headers={"HX-Request": "true"}))
    assert "en attente du demandeur" in fragment
    assert "awaiting_requester" not in fragment and "await_requester" not in fragment
    # ...and without JavaScript, its link asks for the page with it
    response = client.get(history_url)
    assert response.status_code == 302
    assert response["Location"] == f"{incident.get_absolute_url()}?history=1#history"
    history = _history_text(client.get(f"{incident.get_absolute_url()}?history=1"))
    assert "en attente du demandeur" in history


def test_the_request_list_shows_types_and_channels_in_words(service_request, people, login):
    body = text(login(people["owner"]).get(reverse("requests:list")))

    assert "Démarche PERM" in body
    assert "portail" in body.lower()


def test_journal_and_history_times_are_shown_in_the_bodys_time_zone(service_request, people, login):
    # given: an entry and a history row written at 21:30 UTC, 16:30 in Montréal
    when = datetime(2026, 11, 23, 21, 30, tzinfo=UTC)
    entry = JournalEntry.objects.create(
        request=service_request, kind="work_note", author=people["owner"], body="À l'heure"
    )
    JournalEntry.objects.filter(pk=entry.pk).update(created_at=when)
    service_request.history.filter(history_type="+").update(history_date=when)
    # when
    body = text(login(people["owner"]).get(service_request.get_absolute_url()))
    # then
    assert body.count("23/11/2026 16:30") >= 2
    assert "21:30" not in body
