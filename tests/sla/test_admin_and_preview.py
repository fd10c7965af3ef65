"""Administrators set calendars and policies; sla_preview lets them check a calendar."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from requests_app.models import BusinessCalendar
from tests.helpers import text

pytestmark = pytest.mark.django_db


def test_sla_preview_prints_iso_due_time_with_offset():
    out = StringIO()
    call_command("sla_preview", calendar="Faculté", start="2026-12-24T10:00", hours=8, stdout=out)
    assert out.getvalue().strip() == "2026-12-28T10:00:00-05:00"
    out = StringIO()
    call_command("sla_preview", calendar="Faculté", start="2026-11-27T17:00", days=3, stdout=out)
    assert out.getvalue().strip() == "2026-12-03T16:30:00-05:00"


def test_sla_preview_rejects_unknown_calendar_and_bad_start():
    with pytest.raises(CommandError, match="Faculté"):
        call_command("sla_preview", calendar="Mairie", start="2026-12-24T10:00", hours=8)
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("sla_preview", calendar="Faculté", start="demain", hours=8)


def _calendar_form(name, slots):
    data = {
        "name": name,
        "time_zone": "America/Montreal",
        "country": "CA",
        "subdivision": "QC",
        "slots-TOTAL_FORMS": str(len(slots)),
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "1000",
        "closures-TOTAL_FORMS": "0",
        "closures-INITIAL_FORMS": "0",
        "closures-MIN_NUM_FORMS": "0",
        "closures-MAX_NUM_FORMS": "1000",
    }
    for i, (weekday, opens, closes) in enumerate(slots):
        data.update(
            {f"slots-{i}-weekday": weekday, f"slots-{i}-opens": opens, f"slots-{i}-closes": closes}
        )
    return data


def test_a_calendar_without_opening_time_is_refused(login, administrator):
    response = login(administrator).post(
        reverse("admin:requests_app_businesscalendar_add"), _calendar_form("Vide", [])
    )
    assert response.status_code == 200
    assert "au moins une plage d'ouverture" in text(response)
    assert not BusinessCalendar.objects.filter(name="Vide").exists()


def test_a_split_day_calendar_is_saved(login, administrator):
    response = login(administrator).post(
        reverse("admin:requests_app_businesscalendar_add"),
        _calendar_form("Mairie", [(0, "08:30", "12:00"), (0, "13:00", "16:30")]),
    )
    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get(name="Mairie")
    assert calendar.slots.count() == 2


def test_overlapping_slots_are_refused(login, administrator):
    response = login(administrator).post(
        reverse("admin:requests_app_businesscalendar_add"),
        _calendar_form("Chevauche", [(0, "08:30", "12:00"), (0, "11:00", "16:30")]),
    )
    assert response.status_code == 200
    assert not BusinessCalendar.objects.filter(name="Chevauche").exists()


def test_agents_cannot_edit_sla_policies(login, agent):
    response = login(agent).get(reverse("admin:requests_app_slapolicy_changelist"))
    assert response.status_code == 302
