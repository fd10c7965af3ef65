"""Filing without an account: the person confirms their e-mail through a signed link, then the
request is filed (once) for the client with that address, and they follow it through another
signed link."""

import re

import pytest
from django.core import mail
from django.core.signing import dumps
from django.test import Client as BrowserClient
from django.urls import reverse

from contacts.models import Client
from crm.celery import app
from requests_app.forms import tokens
from requests_app.forms.models import FormSubmission
from requests_app.forms.services import anonymous_submission_create, form_load
from requests_app.requests.models import ServiceRequest
from tests import factories
from tests.helpers import text

from .conftest import answers_step, permit_form

pytestmark = pytest.mark.django_db

TOKEN = "b" * 32


@pytest.fixture
def open_permit(permit_type):
    """A form filed without an account; its mails are sent by the worker at once."""
    app.conf.task_always_eager = True
    yield form_load(data=permit_form(allows_anonymous=True))
    app.conf.task_always_eager = False


def url(name: str, **kwargs) -> str:
    return reverse(f"portal:{name}", kwargs=kwargs)


@pytest.fixture
def fill_anonymously(client, open_permit, django_capture_on_commit_callbacks):
    """Fill the form without an account (the mail goes out after each commit)."""

    def fill(email="nouvelle@example.org"):
        return _fill(client, django_capture_on_commit_callbacks, email)

    return fill


def _fill(client, commits, email):
    response = client.post(url("request_start", slug="permit"), {"email": email})
    assert response.status_code == 302
    session_token = next(iter(client.session["guichet_forms"].values()))["token"]
    steps = [
        (1, {"nom": "Nina Nouvelle", "courriel": email}),
        (2, {"essence": "frene", "diametre": "30"}),
        (4, {"accord": "on"}),
    ]
    for number, values in steps:
        with commits(execute=True):
            response = client.post(
                url("request_step", slug="permit", number=number),
                answers_step(number, token=session_token, **values),
            )
        assert response.status_code == 302, text(response)
    return response, session_token


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_the_person_confirms_their_address_then_the_request_is_filed(client, fill_anonymously):
    # when the form is filled without an account
    response, _token = fill_anonymously()

    # then nothing is filed yet: a link is mailed
    assert response.url == url("request_check_email", slug="permit")
    assert not ServiceRequest.objects.exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nouvelle@example.org"]
    link = link_in(mail.outbox[0])

    # opening the link shows a button, and files nothing (mail scanners open links too)
    page = client.get(link)
    assert page.status_code == 200 and 'data-testid="confirm-submit"' in text(page)
    assert not ServiceRequest.objects.exists()

    # pressing it files the request for a new client with that address
    followed = client.post(link, follow=True)
    request = ServiceRequest.objects.get()
    assert request.requester.email == "nouvelle@example.org"
    assert request.requester.first_name == ""
    assert request.tasks.count() == 2
    assert request.number in text(followed)
    assert 'data-testid="expected-date"' in text(followed)

    # the link works again and files nothing more
    client.post(link)
    assert ServiceRequest.objects.count() == 1

    # the follow link shows the request read only, in another browser
    follow = followed.redirect_chain[-1][0]
    other_browser = BrowserClient()
    assert request.number in text(other_browser.get(follow))


def test_a_known_address_files_for_its_client(client, fill_anonymously):
    known = Client.objects.create(first_name="Nina", last_name="Connue", email="connue@x.org")
    fill_anonymously(email="Connue@X.org")
    client.post(link_in(mail.outbox[0]))
    assert ServiceRequest.objects.get().requester == known


def test_a_retried_submission_mails_once(client, fill_anonymously):
    _response, token = fill_anonymously()
    # the last step posted again (a double click): the mail is on its way, no second one
    again = client.post(
        url("request_step", slug="permit", number=4), answers_step(4, token=token, accord="on")
    )
    assert again.status_code == 302 and again.url == url("request_check_email", slug="permit")
    # the service itself, called again with the same token, keeps the first one
    submission = FormSubmission.objects.get()
    same, created = anonymous_submission_create(
        token=token,
        version=submission.version,
        data=submission.data,
        email="autre@example.org",
        language="fr",
        base_url="http://testserver/",
    )
    assert same == submission and not created
    assert FormSubmission.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "forged",
    [
        "nimportequoi",
        dumps(1, salt="another.salt"),
        tokens.follow_token(1),  # a follow token is no confirmation token
        "x" * 5000,
    ],
    # Named, not shown: a signed token holds the time, and every worker must collect the same.
    ids=["garbage", "other-salt", "follow-token", "huge"],
)
def test_a_forged_confirmation_link_is_refused(client, fill_anonymously, forged):
    fill_anonymously()
    response = client.post(url("form_confirm", token=forged))
    assert response.status_code == 404
    assert not ServiceRequest.objects.exists()


def test_a_forged_follow_link_is_refused(client, fill_anonymously):
    fill_anonymously()
    client.post(link_in(mail.outbox[0]))
    request = ServiceRequest.objects.get()
    for forged in (tokens.confirm_token(request.pk), dumps(request.pk), "abc"):
        assert client.get(url("request_follow", token=forged)).status_code == 404


def test_a_request_filed_without_a_form_is_not_followed_by_link(client, fill_anonymously):
    other = factories.ServiceRequestFactory()
    response = client.get(url("request_follow", token=tokens.follow_token(other.pk)))
    assert response.status_code == 404


def test_the_start_page_asks_for_a_valid_address(client, fill_anonymously):
    response = client.post(url("request_start", slug="permit"), {"email": "pas une adresse"})
    assert response.status_code == 400
    assert client.get(url("request_step", slug="permit", number=1)).status_code == 302
