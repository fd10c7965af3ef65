"""Data built by hand for the dashboards: the moments are local times of the body's zone
(America/Montreal), written into the rows directly, then the summaries rebuilt."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from reporting import summaries
from requests_app.models import ServiceRequest
from tasks_app.models import Task
from tests import factories

MONTREAL = ZoneInfo("America/Montreal")


def at(year, month, day, hour=12, minute=0) -> datetime:
    """A local moment in Montréal."""
    return datetime(year, month, day, hour, minute, tzinfo=MONTREAL)


def refresh(*, full: bool = True):
    result = summaries.summaries_refresh(full=full)
    assert result.ran
    return result


def filed(request_type, *, created, channel="portal", status=None, resolved=None, closed=None):
    """A request of ``request_type`` (its tasks with it) received at ``created``; ``status``
    and its times written directly, as the chain would have left them."""
    request = factories.ServiceRequestFactory(request_type=request_type, channel=channel)
    ServiceRequest.objects.filter(pk=request.pk).update(created_at=created)
    Task.objects.filter(request=request).update(created_at=created, opened_at=created)
    changes = {}
    if status:
        changes["status"] = status
    if resolved:
        changes["resolved_at"] = resolved
    if closed:
        changes["closed_at"] = closed
    if changes:
        ServiceRequest.objects.filter(pk=request.pk).update(**changes)
    if status in ("resolved", "closed"):
        Task.objects.filter(request=request).update(status="closed", closed_at=resolved)
    if status == "cancelled":
        Task.objects.filter(request=request).update(status="cancelled", closed_at=closed)
    request.refresh_from_db()
    return request


@pytest.fixture
def group_a(db):
    return factories.AssignmentGroupFactory(name="Accueil")


@pytest.fixture
def group_b(db):
    return factories.AssignmentGroupFactory(name="Bureau technique")


@pytest.fixture
def english():
    """The figures' headings in English, as the assertions read them."""
    with translation.override("en"):
        yield


@pytest.fixture
def reader(db):
    """A manager who reads the back office in English."""
    return factories.manager(email="gestion-en@example.org", language="en")
