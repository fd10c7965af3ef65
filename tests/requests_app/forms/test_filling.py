"""Filling a form on the portal with an account: steps validated on the server, what was typed
kept, drafts, the filed page, a double submission, and bad input."""

import re

import pytest
from django.urls import reverse

from requests_app.forms.models import FormDocument, FormDraft
from requests_app.forms.services import form_load
from requests_app.requests.models import ServiceRequest
from tests import factories
from tests.helpers import text

from .conftest import PNG, answers_step, permit_form, upload

pytestmark = pytest.mark.django_db

TOKEN = "c" * 32


def step_url(number: int) -> str:
    return reverse("portal:request_step", kwargs={"slug": "permit", "number": number})


def start_url() -> str:
    return reverse("portal:request_start", kwargs={"slug": "permit"})


def fill_to_last_step(client):
    """Steps 1 and 2 answered (the tree is healthy: the disease step is skipped)."""
    response = client.post(
        step_url(1), answers_step(1, nom="Ana Roy", courriel="ana@example.org", token=TOKEN)
    )
    assert response.status_code == 302, text(response)
    response = client.post(
        step_url(2), answers_step(2, essence="erable", diametre="40", token=TOKEN)
    )
    assert response.status_code == 302, text(response)
    assert response.url == step_url(4)
    return response


def test_the_start_url_opens_the_first_step_prefilled(login, citizen, permit):
    client = login(citizen)

    response = client.get(start_url(), follow=True)

    page = text(response)
    assert response.redirect_chain[-1][0] == step_url(1)
    assert 'data-testid="form-trail"' in page
    assert f'value="{citizen.client.email}"' in page
    assert "Vos coordonnées." in page  # the step's help


def test_a_step_with_errors_keeps_what_was_typed_and_sums_the_errors_up(login, citizen, permit):
    client = login(citizen)
    client.post(step_url(1), answers_step(1, nom="Ana", courriel="ana@example.org"))

    response = client.post(
        step_url(2), answers_step(2, essence="autre", autre_essence="", diametre="4")
    )

    page = text(response)
    assert response.status_code == 400
    assert 'data-testid="error-summary"' in page
    assert 'href="#id_f_autre_essence"' in page
    assert 'href="#id_f_diametre"' in page
    assert 'value="4"' in page  # what was typed is kept
    assert re.search(r'value="autre"[^>]*checked', page)
    assert 'aria-describedby="f_diametre-error"' in page


def test_a_hidden_step_is_skipped_and_a_later_one_cannot_be_opened_early(login, citizen, permit):
    client = login(citizen)
    assert client.get(step_url(2)).url == step_url(1)  # not reached yet

    fill_to_last_step(client)

    assert client.get(step_url(3)).url == step_url(4)  # the disease step is hidden
    assert client.get(step_url(4)).status_code == 200


def test_bogus_step_numbers_are_not_found(login, citizen, permit):
    client = login(citizen)
    assert client.get(step_url(0)).status_code == 404
    assert client.get(step_url(99)).status_code == 404
    unknown = reverse("portal:request_step", kwargs={"slug": "nope", "number": 1})
    assert client.get(unknown).status_code == 404


@pytest.mark.parametrize(
    "values",
    [
        {"nom": "Ana\x00Roy", "courriel": "ana@example.org"},
        {"nom": "x" * 1_000_000, "courriel": "ana@example.org"},
    ],
)
def test_bad_input_is_refused_with_a_message(login, citizen, permit, values):
    response = login(citizen).post(step_url(1), answers_step(1, **values))
    assert response.status_code == 400
    assert not FormDraft.objects.filter(data__nom__isnull=False).exists()


def test_a_forged_token_or_action_is_refused(login, citizen, permit):
    client = login(citizen)
    for data in (
        answers_step(1, nom="Ana", courriel="a@b.org", token="../../etc"),
        answers_step(1, nom="Ana", courriel="a@b.org", action="delete"),
    ):
        assert client.post(step_url(1), data).status_code == 400


def test_a_draft_is_saved_and_resumed_from_the_start_url(login, citizen, permit):
    client = login(citizen)
    client.post(step_url(1), answers_step(1, nom="Ana Roy", courriel="ana@example.org"))

    # half of step 2 typed, with an error elsewhere: the valid answers are kept
    response = client.post(
        step_url(2), answers_step(2, essence="frene", diametre="deux", action="save")
    )

    assert response.status_code == 302 and response.url == reverse("portal:my_requests")
    draft = FormDraft.objects.get(client=citizen.client)
    assert draft.data["nom"] == "Ana Roy" and draft.data["essence"] == "frene"
    assert "diametre" not in draft.data
    my_requests = text(client.get(reverse("portal:my_requests")))
    assert 'data-testid="my-drafts"' in my_requests and start_url() in my_requests
    resumed = client.get(start_url())
    assert resumed.url == step_url(2)
    assert re.search(r'value="frene"[^>]*checked', text(client.get(step_url(2))))


def test_submitting_shows_the_number_and_the_expected_date(login, citizen, permit):
    client = login(citizen)
    fill_to_last_step(client)

    response = client.post(step_url(4), answers_step(4, accord="on", token=TOKEN), follow=True)

    request = ServiceRequest.objects.get()
    page = text(response)
    assert request.number in page
    assert 'data-testid="expected-date"' in page
    expected = max(t.due_date for t in request.tasks.all())
    assert str(expected.year) in page
    assert request.channel == ServiceRequest.Channel.PORTAL
    assert request.form_data["nom"] == "Ana Roy"
    assert not FormDraft.objects.exists()


def test_a_double_click_files_one_request(login, citizen, permit):
    client = login(citizen)
    fill_to_last_step(client)
    last = answers_step(4, accord="on", token=TOKEN)

    first = client.post(step_url(4), last)
    second = client.post(step_url(4), last)

    assert ServiceRequest.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first.url == second.url


def test_a_file_is_stored_as_a_request_document_and_guarded(login, citizen, permit, media):
    client = login(citizen)
    fill_to_last_step(client)

    response = client.post(
        step_url(4), {**answers_step(4, accord="on", token=TOKEN), "f_photo": upload("a.png", PNG)}
    )

    assert response.status_code == 302
    request = ServiceRequest.objects.get()
    document = FormDocument.objects.get()
    assert document.request == request and document.content_type == "image/png"
    assert request.form_data["photo"] == {"document": document.pk, "name": "a.png"}
    url = reverse("portal:form_document", args=[document.pk])
    assert client.get(url).status_code == 200
    agent = factories.agent()
    assert login(agent).get(url).status_code == 200
    assert login(factories.citizen()).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


def test_a_disguised_file_is_refused(login, citizen, permit, media):
    client = login(citizen)
    fill_to_last_step(client)

    response = client.post(
        step_url(4),
        {
            **answers_step(4, accord="on", token=TOKEN),
            "f_photo": upload("photo.png", b"MZ\x90\x00 not an image"),
        },
    )

    assert response.status_code == 400
    assert not ServiceRequest.objects.exists() and not FormDocument.objects.exists()


def test_the_filed_page_and_drafts_are_the_persons_own(login, citizen, other_citizen, permit):
    client = login(citizen)
    fill_to_last_step(client)
    client.post(step_url(4), answers_step(4, accord="on", token=TOKEN))
    request = ServiceRequest.objects.get()
    filed = reverse("portal:request_filed", kwargs={"slug": "permit", "pk": request.pk})

    outsider = login(other_citizen)

    assert outsider.get(filed).status_code == 404
    # the outsider's start shows their own empty filling, never the other person's answers
    outsider_page = text(outsider.get(step_url(1)))
    assert "Ana Roy" not in outsider_page
    discard = reverse("portal:request_draft_discard", kwargs={"slug": "permit"})
    assert outsider.post(discard).status_code == 404


def test_without_an_account_a_form_that_requires_one_asks_to_log_in(client, permit):
    response = client.get(start_url())
    assert response.status_code == 302
    assert reverse("login") in response.url
    assert client.get(step_url(1)).status_code == 302


def test_a_type_without_a_published_form_says_so(login, citizen, permit_type):
    response = login(citizen).get(start_url())
    assert response.status_code == 404
    assert 'data-testid="step-form"' not in text(response)


def test_a_step_costs_the_same_queries_whatever_its_number_of_fields(
    login, citizen, permit, django_assert_max_num_queries
):
    client = login(citizen)
    client.get(step_url(1))  # the client is linked to the account on the first visit
    with django_assert_max_num_queries(12):
        first = client.get(step_url(1))
    form = permit_form()
    form["steps"][0]["fields"] += [
        {"key": f"extra_{n}", "kind": "text", "label": f"Extra {n}"} for n in range(30)
    ]
    form_load(data=form)
    FormDraft.objects.all().delete()
    with django_assert_max_num_queries(12):
        many = client.get(step_url(1))
    assert first.status_code == many.status_code == 200
    assert "Extra 29" in text(many)


def test_the_agents_request_page_reads_answers_under_the_forms_labels(
    login, citizen, permit, group
):
    client = login(citizen)
    fill_to_last_step(client)
    client.post(step_url(4), answers_step(4, accord="on", token=TOKEN))
    request = ServiceRequest.objects.get()
    agent = factories.agent()
    group.members.add(agent)

    page = text(login(agent).get(request.get_absolute_url()))

    assert "Diamètre (cm)" in page and "Érable" in page
    assert "diametre" not in page and "erable" not in page
