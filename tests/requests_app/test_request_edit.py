"""Modifying a request: title, description, due date, requester and answers, with a reason kept
in the history. Agents of a group owning a step may; colleagues of other groups, agents in no
group, managers, citizens and anonymous visitors may not. An edit made on a stale form is
refused and keeps what was typed."""

import threading
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from contacts.models import Client
from crm.errors import Conflict, DomainError, NotAllowed
from crm.models import Notification, User
from requests_app.models import JournalEntry, ServiceRequest
from requests_app.requests import selectors
from requests_app.requests import services as request_services
from tasks_app import services as task_services
from tasks_app.models import Task
from tests import factories
from tests.helpers import rows_of, text

pytestmark = pytest.mark.django_db

MODELS = (
    ServiceRequest,
    ServiceRequest.history.model,
    Client,
    Task,
    JournalEntry,
    Notification,
    User,
)
COURSE = {
    "sigle": "MED1001",
    "titre": "Anatomie générale",
    "trimestre": "A2026",
    "departement": "Pathologie",
    "approche": "PERM",
    "presentateurs": [{"name": "Ana Roy", "email": "ana@example.org"}],
}


@pytest.fixture
def request_type(ours):
    return factories.chain_request_type(group=ours)


@pytest.fixture
def service_request(people, request_type):
    return request_services.request_create(
        requester=people["requester"].client,
        request_type=request_type,
        title="MED1001 — Anatomie",
        description="Cours à distance",
        due_date=date(2026, 9, 8),
        form_data=dict(COURSE),
    )


def _form(request: ServiceRequest, **overrides) -> dict:
    """The edit form as the page would post it, unchanged, with a reason."""
    data = {
        "title": request.title,
        "description": request.description,
        "due_date": request.due_date.isoformat() if request.due_date else "",
        "client": request.requester_id,
        "client_q": "",
        "version": request.updated_at.isoformat(),
        "answer__sigle": request.form_data["sigle"],
        "answer__titre": request.form_data["titre"],
        "answer__trimestre": request.form_data["trimestre"],
        "answer__departement": request.form_data["departement"],
        "answer__presentateurs": "Ana Roy <ana@example.org>",
        "reason": "Le responsable a écrit",
    }
    data.update(overrides)
    return data


def _edit_url(request):
    return reverse("requests:edit", args=[request.pk])


# The service ------------------------------------------------------------------------------


def test_an_agent_of_the_owning_group_modifies_the_request_with_a_reason(service_request, people):
    # given
    other = factories.ClientFactory(first_name="Luc", last_name="Roy", email="luc@example.org")
    # when
    request_services.request_update(
        request=service_request,
        by=people["owner"],
        reason="Le cours change de sigle",
        version=service_request.updated_at,
        title="MED1002 — Anatomie",
        description="Cours à distance",  # unchanged
        due_date=date(2026, 9, 15),
        requester=other,
        form_data={**COURSE, "sigle": "MED1002"},
    )
    # then
    service_request.refresh_from_db()
    assert service_request.title == "MED1002 — Anatomie"
    assert service_request.due_date == date(2026, 9, 15)
    assert service_request.requester == other
    assert service_request.form_data["sigle"] == "MED1002"
    record = service_request.history.order_by("-history_date", "-history_id").first()
    assert record.history_reason_code == "edited"
    assert record.history_change_reason == "Le cours change de sigle"
    assert record.history_user == people["owner"]


def test_the_history_row_names_only_the_changed_fields_under_their_labels(service_request, people):
    request_services.request_update(
        request=service_request,
        by=people["owner"],
        reason="Nouveau sigle",
        title=service_request.title,
        description=service_request.description,
        due_date=date(2026, 9, 15),
        form_data={**COURSE, "sigle": "MED1002"},
    )

    with translation.override("fr"):
        entry = selectors.request_history(service_request)[0]

    assert entry.who == people["owner"]
    assert entry.note == "Nouveau sigle"
    assert str(entry.reason) == "modification"  # French, the default language
    assert [(c.field, str(c.old), str(c.new)) for c in entry.changes] == [
        ("échéance", "2026-09-08", "2026-09-15"),
        ("Sigle", "MED1001", "MED1002"),
    ]


@pytest.mark.parametrize("persona", ["colleague", "outsider", "manager", "citizen", "requester"])
def test_who_does_not_work_on_the_request_may_not_modify_it(service_request, people, persona):
    before = rows_of(*MODELS)

    with pytest.raises(NotAllowed):
        request_services.request_update(
            request=service_request, by=people[persona], reason="Pourquoi pas", title="Piraté"
        )

    assert rows_of(*MODELS) == before


def test_a_reason_is_required(service_request, people):
    before = rows_of(*MODELS)

    with pytest.raises(DomainError):
        request_services.request_update(
            request=service_request, by=people["owner"], reason="  ", title="Autre titre"
        )

    assert rows_of(*MODELS) == before


def test_saving_nothing_new_is_refused_and_writes_no_history(service_request, people):
    before = rows_of(*MODELS)

    with pytest.raises(DomainError):
        request_services.request_update(
            request=service_request,
            by=people["owner"],
            reason="Rien",
            title=service_request.title,
            form_data=dict(COURSE),
        )

    assert rows_of(*MODELS) == before


@pytest.mark.parametrize("end", ["close", "cancel"])
def test_a_closed_or_cancelled_request_is_no_longer_modified(service_request, people, login, end):
    # given
    owner = people["owner"]
    if end == "close":
        for task in service_request.tasks.order_by("template__sequence"):
            task_services.task_close(task=task, by=owner)
        request_services.request_close(request=service_request, by=owner)
    else:
        request_services.request_cancel(request=service_request, by=owner)
    before = rows_of(*MODELS)
    # when / then
    with pytest.raises(DomainError) as refusal:
        request_services.request_update(
            request=service_request, by=owner, reason="Trop tard", title="Autre titre"
        )
    assert not isinstance(refusal.value, NotAllowed)
    assert rows_of(*MODELS) == before
    page = login(owner).get(service_request.get_absolute_url())
    assert _edit_url(service_request) not in text(page)


def test_a_stale_version_is_refused_and_keeps_the_other_agents_change(service_request, people):
    # given: two agents opened the form at the same version; the first one saved
    version = service_request.updated_at
    request_services.request_update(
        request=service_request,
        by=people["owner"],
        reason="Premier",
        version=version,
        title="Titre du premier",
    )
    before = rows_of(*MODELS)
    # when / then
    with pytest.raises(Conflict):
        request_services.request_update(
            request=service_request,
            by=people["owner"],
            reason="Second",
            version=version,
            title="Titre du second",
        )
    assert rows_of(*MODELS) == before
    service_request.refresh_from_db()
    assert service_request.title == "Titre du premier"


@pytest.mark.django_db(transaction=True)
def test_two_edits_at_the_same_instant_from_the_same_version_save_one_and_refuse_the_other(
    people, request_type
):
    # given
    request = request_services.request_create(
        requester=people["requester"].client, request_type=request_type, title="Départ"
    )
    version = request.updated_at
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def edit(index: int, title: str):
        try:
            barrier.wait()
            results[index] = request_services.request_update(
                request=request, by=people["owner"], reason=title, version=version, title=title
            )
        except Exception as error:  # collected for the assertions
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(i, f"Titre {i}")) for i in range(2)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then
    saved = [r for r in results if isinstance(r, ServiceRequest)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(saved) == 1 and len(refused) == 1, results
    request.refresh_from_db()
    assert request.title == saved[0].title
    assert request.history.filter(history_reason_code="edited").count() == 1


# Over HTTP --------------------------------------------------------------------------------


def test_the_owner_opens_the_form_filled_in_and_saves_it(service_request, people, login):
    client = login(people["owner"])
    page = client.get(_edit_url(service_request))
    assert page.status_code == 200
    body = text(page)
    assert 'value="MED1001 — Anatomie"' in body
    assert "Sigle" in body and "Ana Roy <ana@example.org>" in body
    assert "Nom <adresse courriel>" in body  # the help text's brackets are text
    assert 'name="answer__approche"' not in body and "Démarche PERM" in body  # the type's
    assert str(service_request.requester) in body  # the current requester, picked

    response = client.post(
        _edit_url(service_request),
        _form(
            service_request,
            title="MED1001 — Anatomie humaine",
            answer__presentateurs="Ana Roy <ana@example.org>\r\nLuc Roy <luc@example.org>",
            description="Cours à distance",
        ),
    )

    assert response.status_code == 302
    service_request.refresh_from_db()
    assert service_request.title == "MED1001 — Anatomie humaine"
    assert service_request.form_data["presentateurs"] == [
        {"name": "Ana Roy", "email": "ana@example.org"},
        {"name": "Luc Roy", "email": "luc@example.org"},
    ]
    entry = selectors.request_history(service_request)[0]
    assert {c.name for c in entry.changes} == {"title", "form_data"}  # CRLF is not a change


def test_the_owner_gives_the_request_to_a_new_client_typed_in_the_picker(
    service_request, people, login
):
    response = login(people["owner"]).post(
        _edit_url(service_request),
        _form(
            service_request,
            client="",
            new_first_name="Nora",
            new_last_name="Lima",
            new_email="nora@example.org",
        ),
    )

    assert response.status_code == 302
    service_request.refresh_from_db()
    assert service_request.requester.email == "nora@example.org"


def test_the_request_page_links_to_the_form_only_for_who_may_edit(service_request, people, login):
    url = _edit_url(service_request)
    assert url in text(login(people["owner"]).get(service_request.get_absolute_url()))
    for persona in ("colleague", "outsider", "manager"):
        page = login(people[persona]).get(service_request.get_absolute_url())
        assert page.status_code == 200
        assert url not in text(page), persona


@pytest.mark.parametrize("persona", ["colleague", "outsider", "manager", "citizen", "requester"])
def test_the_form_is_refused_over_http_and_changes_nothing(service_request, people, login, persona):
    client = login(people[persona])
    before = rows_of(*MODELS)

    assert client.get(_edit_url(service_request)).status_code == 403
    response = client.post(_edit_url(service_request), _form(service_request, title="Piraté"))

    assert response.status_code == 403
    assert rows_of(*MODELS) == before


def test_anonymous_visitors_are_sent_to_login(service_request, client):
    before = rows_of(*MODELS)

    response = client.post(_edit_url(service_request), _form(service_request, title="Piraté"))

    assert response.status_code == 302 and "login" in response["Location"]
    assert rows_of(*MODELS) == before


def test_a_form_error_keeps_what_was_typed(service_request, people, login):
    before = rows_of(*MODELS)

    response = login(people["owner"]).post(
        _edit_url(service_request),
        _form(
            service_request,
            title="Un titre tapé avec soin",
            answer__sigle="MED9999",
            answer__presentateurs="pas une adresse",
            reason="",
        ),
    )

    assert response.status_code == 400
    body = text(response)
    assert 'value="Un titre tapé avec soin"' in body
    assert 'value="MED9999"' in body
    assert "pas une adresse" in body and "Non compris" in body
    assert "Ce champ est obligatoire." in body  # the reason
    assert rows_of(*MODELS) == before


def test_a_stale_form_says_so_keeps_what_was_typed_and_shows_the_value_saved_meanwhile(
    service_request, people, login
):
    # given: the form is opened, then someone else saves a new title
    client = login(people["owner"])
    stale = _form(
        service_request, title="Mon titre", answer__departement="Biologie", reason="Ma raison"
    )
    request_services.request_update(
        request=service_request, by=people["owner"], reason="Autre agent", title="Leur titre"
    )
    before = rows_of(*MODELS)
    # when
    response = client.post(_edit_url(service_request), stale)
    # then
    assert response.status_code == 409
    body = text(response)
    assert "Quelqu'un d'autre a enregistré cette demande" in body
    assert 'value="Mon titre"' in body and "Ma raison" in body
    assert "Enregistré entre-temps" in body and "Leur titre" in body
    assert body.count('data-testid="saved-meanwhile"') == 1  # not the department, ours alone
    assert rows_of(*MODELS) == before
    # and saving again, knowingly, goes through
    service_request.refresh_from_db()
    again = client.post(
        _edit_url(service_request),
        {**stale, "version": service_request.updated_at.isoformat()},
    )
    assert again.status_code == 302
    service_request.refresh_from_db()
    assert service_request.title == "Mon titre"


def test_a_forged_version_is_a_form_error_not_a_500(service_request, people, login):
    response = login(people["owner"]).post(
        _edit_url(service_request), _form(service_request, version="hier", title="X")
    )
    assert response.status_code == 400


def test_the_form_of_a_cancelled_request_sends_back_to_its_page(service_request, people, login):
    request_services.request_cancel(request=service_request, by=people["owner"])

    response = login(people["owner"]).get(_edit_url(service_request), follow=True)

    assert response.redirect_chain[-1][0] == service_request.get_absolute_url()
    assert "ne peut plus être modifiée" in text(response)


def test_an_empty_answer_left_empty_is_not_a_change(service_request, people, login):
    # given a request whose salle answer was stored empty (None)
    service_request.form_data = {**service_request.form_data, "salle": None}
    service_request.save()
    client = login(people["owner"])

    # when the owner changes the title only, leaving the empty answer empty
    response = client.post(
        _edit_url(service_request),
        _form(service_request, title="MED1001 — Anatomie II", answer__salle=""),
    )

    # then the answer is still None, and history names the title alone
    assert response.status_code == 302
    service_request.refresh_from_db()
    assert service_request.form_data["salle"] is None
    entry = selectors.request_history(service_request)[0]
    assert {c.name for c in entry.changes} == {"title"}
