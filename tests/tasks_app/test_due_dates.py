"""Due dates of tasks count working days of a calendar: the request type's, else the body's
default one, else Monday to Friday with no public holidays."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from freezegun import freeze_time

from crm.errors import DomainError
from requests_app.models import BusinessCalendar
from tests import factories

pytestmark = pytest.mark.django_db

# Monday 22 June 2026. Québec is closed on Wednesday 24 June (Fête nationale) and Wednesday
# 1 July (Canada Day), France on Tuesday 14 July.
MONDAY = "2026-06-22 10:00:00-04:00"


def _due_dates(request_type) -> dict[str, date]:
    with freeze_time(MONDAY):
        request = factories.ServiceRequestFactory(request_type=request_type)
    return {t.template.sequence: t.due_date for t in request.tasks.select_related("template")}


def _two_steps(**type_fields):
    """Two steps that wait for nothing, due in 2 and in 16 working days."""
    request_type = factories.chain(["short", "long"], **type_fields)
    steps = request_type.chain_template.steps
    steps.filter(sequence="short").update(due_offset_days=2)
    steps.filter(sequence="long").update(due_offset_days=16)
    return request_type


def test_a_type_on_a_french_calendar_skips_french_holidays_and_not_quebec_ones():
    # given
    france = factories.BusinessCalendarFactory(country="FR", time_zone="Europe/Paris")
    request_type = _two_steps(calendar=france)

    # when
    due = _due_dates(request_type)

    # then: 24 June and 1 July are working days in France, 14 July is not
    assert due == {"short": date(2026, 6, 24), "long": date(2026, 7, 15)}


def test_a_type_on_a_quebec_calendar_skips_quebec_holidays():
    quebec = factories.BusinessCalendarFactory(country="CA", subdivision="QC")
    request_type = _two_steps(calendar=quebec)

    due = _due_dates(request_type)

    assert due == {"short": date(2026, 6, 25), "long": date(2026, 7, 16)}


def test_the_default_calendar_applies_when_the_type_names_none():
    # given: the body's default calendar is a French one
    BusinessCalendar.objects.update(is_default=False)
    factories.BusinessCalendarFactory(country="FR", is_default=True)
    request_type = _two_steps()

    # when
    due = _due_dates(request_type)

    # then
    assert due == {"short": date(2026, 6, 24), "long": date(2026, 7, 15)}


def test_the_seeded_faculty_calendar_is_the_default():
    assert BusinessCalendar.objects.get(is_default=True).name == "Faculté"
    assert _due_dates(_two_steps()) == {"short": date(2026, 6, 25), "long": date(2026, 7, 16)}


def test_with_no_calendar_at_all_every_weekday_is_a_working_day():
    BusinessCalendar.objects.update(is_default=False)

    due = _due_dates(_two_steps())

    assert due == {"short": date(2026, 6, 24), "long": date(2026, 7, 14)}


def test_a_closure_day_is_skipped():
    # given: the body closes on Tuesday 23 June
    calendar = factories.BusinessCalendarFactory(country="", closed=[date(2026, 6, 23)])
    request_type = _two_steps(calendar=calendar)

    due = _due_dates(request_type)

    assert due["short"] == date(2026, 6, 25)


def test_a_weekday_without_opening_slot_is_not_a_working_day():
    # given: open Monday to Thursday only
    calendar = factories.BusinessCalendarFactory(country="", weekdays=[0, 1, 2, 3])
    request_type = _two_steps(calendar=calendar)

    due = _due_dates(request_type)

    # Tuesday 23, Wednesday 24: the short step; the long one skips every Friday
    assert due["short"] == date(2026, 6, 24)
    assert due["long"] == date(2026, 7, 20)


def test_a_calendar_without_opening_slot_is_refused_with_a_message():
    calendar = factories.BusinessCalendarFactory(weekdays=[], name="Vide")
    request_type = _two_steps(calendar=calendar)

    with pytest.raises(DomainError, match="Vide"):
        _due_dates(request_type)


def test_one_calendar_at_most_is_the_default():
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.BusinessCalendarFactory(country="", is_default=True)
