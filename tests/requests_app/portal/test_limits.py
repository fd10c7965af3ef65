"""The portal's limits per account or address (crm/throttle.py), as the form submission uses
them."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from crm import throttle
from tests import factories


def _request(user=None, ip="10.1.2.3"):
    request = RequestFactory().post("/", REMOTE_ADDR=ip)
    request.user = user or AnonymousUser()
    return request


def test_submissions_are_counted_per_address_for_visitors(settings):
    settings.PORTAL_SUBMISSION_LIMIT_PER_HOUR = 2
    assert [throttle.submission_allowed(_request()) for _n in range(3)] == [True, True, False]
    # another address has its own allowance
    assert throttle.submission_allowed(_request(ip="10.9.9.9"))


@pytest.mark.django_db
def test_submissions_are_counted_per_account(settings):
    settings.PORTAL_SUBMISSION_LIMIT_PER_HOUR = 1
    first, second = factories.citizen(), factories.citizen()
    assert throttle.submission_allowed(_request(first))
    assert not throttle.submission_allowed(_request(first, ip="10.0.0.8"))
    assert throttle.submission_allowed(_request(second))


def test_the_refusal_is_a_429_with_retry_after(rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    response = throttle.too_many_response(request)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
