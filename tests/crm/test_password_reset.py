"""Password reset: rate-limited per address and per account, the same answer whatever happens,
and the mail leaves after commit from the worker, retried when SMTP fails."""

import contextlib
import re
import threading

import pytest
from django.core import mail
from django.core.cache import caches
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import reverse

from crm import throttle
from crm.celery import app
from crm.forms import PasswordResetForm
from crm.tasks import password_reset_mail_send
from tests import factories
from tests.helpers import smtp_failing_once, text

pytestmark = pytest.mark.django_db

RESET = "/accounts/password_reset/"


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``with commit():`` ends the block as a commit would: its on-commit callbacks run, and the
    Celery tasks they queue run as a worker would."""

    @contextlib.contextmanager
    def _commit():
        app.conf.task_always_eager = True
        try:
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                yield callbacks
        finally:
            app.conf.task_always_eager = False

    return _commit


def _reset(client, email, ip="10.0.0.1"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=ip, follow=True)


def _answer(response) -> tuple:
    """What a visitor sees of a reset request: where it lands and the card's text."""
    body = text(response)
    card = body[body.index('<div class="card-body') : body.index("</main>")]
    return tuple(response.redirect_chain), response.status_code, card


def test_twenty_resets_for_one_account_send_three_mails_and_the_same_answer(commit, agent):
    # when
    with commit():
        answers = {_answer(_reset(Client(), agent.email)) for _ in range(20)}
    # then
    assert len(mail.outbox) == 3
    assert {m.to[0] for m in mail.outbox} == {agent.email}
    assert len(answers) == 1
    assert "Si un compte utilise cette adresse" in next(iter(answers))[2]


def test_twenty_addresses_asking_for_one_account_send_three_mails(commit, agent):
    with commit():
        for i in range(20):
            _reset(Client(), agent.email, ip=f"198.51.100.{i}")
    assert len(mail.outbox) == 3


def test_one_address_asking_for_twenty_accounts_sends_five_mails(commit):
    # given
    users = [factories.citizen(email=f"oubli{i}@example.org") for i in range(20)]
    # when
    with commit():
        for user in users:
            _reset(Client(), user.email, ip="192.0.2.66")
    # then
    assert len(mail.outbox) == 5
    assert [m.to[0] for m in mail.outbox] == [u.email for u in users[:5]]


def test_unknown_known_and_over_the_limit_get_the_same_answer(commit, agent, colleague):
    # given
    for _ in range(3):
        _reset(Client(), agent.email, ip="10.0.0.2")
    # when
    with commit():
        over_the_limit = _answer(_reset(Client(), agent.email, ip="10.0.0.3"))
        unknown = _answer(_reset(Client(), "personne@example.org", ip="10.0.0.3"))
        known = _answer(_reset(Client(), colleague.email, ip="10.0.0.4"))
    # then
    assert over_the_limit == unknown == known
    assert [m.to for m in mail.outbox] == [[colleague.email]]


def test_concurrent_resets_never_pass_the_limit_together(settings):
    # given: 20 requests at once for one account, from 20 threads, on real Redis
    prefix = settings.CACHES["throttle"]["KEY_PREFIX"]
    request = RequestFactory().post(RESET, REMOTE_ADDR="10.0.0.1")
    allowed, barrier = [], threading.Barrier(20)

    def ask(i):
        caches["throttle"].key_prefix = prefix
        barrier.wait()
        request.META["REMOTE_ADDR"] = f"198.51.100.{i}"
        allowed.append(throttle.password_reset_allowed(request=request, email="a@example.org"))

    # when
    threads = [threading.Thread(target=ask, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert allowed.count(True) == 3


def test_the_mail_leaves_after_commit_from_the_worker(commit, agent):
    with commit() as callbacks:
        # when
        response = Client().post(RESET, {"email": agent.email}, REMOTE_ADDR="10.0.0.1")
        # then: answered, nothing sent yet
        assert response.status_code == 302
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1


def test_a_rolled_back_transaction_sends_nothing(commit, agent):
    # given
    form = PasswordResetForm({"email": agent.email})
    assert form.is_valid()
    request = RequestFactory().post(RESET, REMOTE_ADDR="10.0.0.1")
    # when
    with commit() as callbacks, contextlib.suppress(RuntimeError), transaction.atomic():
        form.save(request=request)
        raise RuntimeError("the request failed after the form")
    # then
    assert callbacks == []
    assert mail.outbox == []


def test_the_mailed_link_made_by_the_worker_sets_a_new_password(commit, client, agent):
    # given
    with commit():
        _reset(client, agent.email)
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    # when
    form_page = client.get(link, follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "reinitialise-2026!", "new_password2": "reinitialise-2026!"},
    )
    # then
    assert done.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password("reinitialise-2026!")


def test_the_mail_is_in_the_accounts_language(commit):
    user = factories.citizen(email="reader@example.org", language="en")
    with commit():
        _reset(Client(), user.email)
    assert mail.outbox[0].subject == "Guichet: reset your password"
    assert "Choose a new password at this address:" in mail.outbox[0].body


def test_an_smtp_failure_is_retried_until_the_mail_leaves(agent):
    # given: the mail server drops the first connection
    # when
    with smtp_failing_once() as calls:
        result = password_reset_mail_send.apply(
            args=[agent.pk], kwargs={"domain": "testserver", "site_name": "x", "protocol": "https"}
        )
    # then
    assert result.successful()
    assert len(calls) == 2
    assert [m.to for m in mail.outbox] == [[agent.email]]


def test_the_reset_task_is_retried_with_backoff():
    assert password_reset_mail_send.autoretry_for == (OSError,)
    assert password_reset_mail_send.retry_backoff is True
    assert password_reset_mail_send.max_retries == 5


def test_an_account_disabled_before_the_worker_runs_gets_no_mail(agent):
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    password_reset_mail_send.apply(
        args=[agent.pk], kwargs={"domain": "testserver", "site_name": "x", "protocol": "https"}
    )
    assert mail.outbox == []


def test_the_reset_page_still_answers_a_bad_address_with_a_form_error(client):
    response = client.post(reverse("password_reset"), {"email": "pas-une-adresse"})
    assert response.status_code == 200
    assert 'value="pas-une-adresse"' in text(response)
    assert mail.outbox == []
