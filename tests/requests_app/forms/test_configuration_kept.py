"""The configuration every filing reads (calendars, chain steps, e-services and their published
forms) is kept in the process (crm.config_cache): read once, read again as soon as an
administrator changes it here, and within a second when another process changed it."""

from datetime import date, time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm import config_cache
from requests_app.catalogue.selectors import schedule_of
from requests_app.forms import selectors
from requests_app.forms.services import form_load, form_publish
from requests_app.requests.services import request_create
from requests_app.sla.models import Closure, OpeningSlot
from tasks_app.chain import chain_steps
from tests import factories

from .conftest import permit_form

pytestmark = pytest.mark.django_db


def queries(function, *args):
    with CaptureQueriesContext(connection) as captured:
        result = function(*args)
    return result, len(captured)


def test_a_calendar_is_read_once_then_again_when_it_changes():
    calendar = factories.BusinessCalendarFactory()
    request_type = factories.RequestTypeFactory(calendar=calendar)
    first, read = queries(schedule_of, request_type)
    again, read_again = queries(schedule_of, request_type)
    assert read == 3 and read_again == 0 and again is first

    # a closed day added in the admin counts at once
    Closure.objects.create(calendar=calendar, day=date(2026, 12, 24))
    changed, read = queries(schedule_of, request_type)
    assert read == 3 and date(2026, 12, 24) in changed.closures

    # and a slot removed
    OpeningSlot.objects.filter(calendar=calendar, weekday=4).first().delete()
    assert schedule_of(request_type).slots[4] == ()
    OpeningSlot.objects.create(calendar=calendar, weekday=5, opens=time(9), closes=time(12))
    assert schedule_of(request_type).slots[5] == ((time(9), time(12)),)


def test_a_new_step_of_the_chain_is_given_to_the_next_request(citizen):
    request_type = factories.chain(["1", "2<1"])
    chain_id = request_type.chain_template_id
    assert [t.sequence for t in chain_steps(chain_id)] == ["1", "2"]
    assert queries(chain_steps, chain_id)[1] == 0

    first = factories.TaskTemplateFactory(chain_id=chain_id, sequence="3")
    first.prerequisites.set(chain_steps(chain_id)[1:2])
    steps = chain_steps(chain_id)
    assert [t.sequence for t in steps] == ["1", "2", "3"]
    assert [p.pk for p in steps[2].prerequisites.all()] == [steps[1].pk]

    request = request_create(
        requester=citizen.client, request_type=request_type, title="Demande", by=citizen
    )
    assert sorted(request.tasks.values_list("template__sequence", "status")) == [
        ("1", "open"),
        ("2", "pending"),
        ("3", "pending"),
    ]


def test_a_new_version_of_a_form_is_filled_at_once(permit_type):
    request_type = permit_type
    definition = form_load(data=permit_form())
    version = selectors.published_version(request_type)
    assert selectors.request_type_by_slug("permit") == request_type
    assert queries(selectors.published_version, request_type)[1] == 0

    definition.intro = "Nouvelle introduction"
    definition.save()
    newer = form_publish(form=definition, by=None)
    assert selectors.published_version(request_type) == newer != version

    # unpublished from the catalogue: its address no longer opens it
    request_type.published = False
    request_type.save()
    assert selectors.request_type_by_slug("permit") is None


def test_another_process_change_is_seen_within_a_second(monkeypatch):
    calendar = factories.BusinessCalendarFactory()
    request_type = factories.RequestTypeFactory(calendar=calendar)
    clock = [1000.0]
    monkeypatch.setattr(config_cache.time, "monotonic", lambda: clock[0])
    config_cache.forget()
    first = schedule_of(request_type)

    # another process saved a calendar: the generation in the shared cache changed, and the
    # row with it (written here without this process's signals)
    cache.set(config_cache.GENERATION_KEY, "another process")
    Closure.objects.bulk_create([Closure(calendar=calendar, day=date(2026, 12, 31))])
    clock[0] += config_cache.CHECK_EVERY / 2
    assert schedule_of(request_type) is first
    clock[0] += config_cache.CHECK_EVERY
    assert date(2026, 12, 31) in schedule_of(request_type).closures


def test_a_result_expires_even_without_a_change(monkeypatch):
    request_type = factories.RequestTypeFactory(calendar=factories.BusinessCalendarFactory())
    clock = [1000.0]
    monkeypatch.setattr(config_cache.time, "monotonic", lambda: clock[0])
    config_cache.forget()
    first = schedule_of(request_type)
    clock[0] += config_cache.TTL + 1
    assert queries(schedule_of, request_type)[1] == 3
    assert schedule_of(request_type) == first


def test_the_generation_changes_again_when_the_change_commits(django_capture_on_commit_callbacks):
    calendar = factories.BusinessCalendarFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        calendar.name = "Calendrier d'été"
        calendar.save()
        during = cache.get(config_cache.GENERATION_KEY)
    # A process that read between the change and its commit kept the rows of before: it
    # reads again after the commit.
    assert callbacks
    for callback in callbacks:
        callback()
    assert cache.get(config_cache.GENERATION_KEY) != during
