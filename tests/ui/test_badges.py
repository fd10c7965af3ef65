"""Status badges: every status of requests, tasks and incidents has its colour, among the six
that the browser test (tests/e2e/test_layout.py) measures in both themes; the bell's count."""

import pytest
from django.urls import reverse

from crm.models import Notification
from crm.templatetags.guichet import STATUS_CLASSES, status_class
from requests_app.models import Incident, ServiceRequest
from tasks_app.models import Task
from tests.helpers import text

# The colours of Task.Status, each shown in the request page's legend and measured there.
MEASURED = {status_class(status) for status in Task.Status.values}


@pytest.mark.parametrize("model", [ServiceRequest, Task, Incident])
def test_every_status_has_one_of_the_measured_colours(model):
    for status in model.Status.values:
        assert status in STATUS_CLASSES, f"{model.__name__}.{status} has no colour"
        assert status_class(status) in MEASURED


def test_the_measured_colours_are_the_six_of_the_legend():
    assert {"secondary", "primary", "warning", "info", "success", "dark"} == MEASURED


@pytest.mark.django_db
@pytest.mark.parametrize(("unread", "shown"), [(7, "7"), (99, "99"), (100, "99+")])
def test_the_bell_shows_at_most_99_plus(client, agent, unread, shown):
    # given
    Notification.objects.bulk_create(
        Notification(recipient=agent, title=f"Avis {n}") for n in range(unread)
    )
    client.force_login(agent)
    # when
    page = text(client.get(reverse("agent:home")))
    # then
    start = page.index('data-testid="unread-count">')
    assert page[start:].split(">", 1)[1].split("<", 1)[0].strip() == shown
