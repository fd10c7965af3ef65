"""The SLA admin: pause statuses ticked in a list, due times previewed on calendar and policy."""

import pytest
from django.urls import reverse
from freezegun import freeze_time

from requests_app.incidents import services as svc
from requests_app.models import BusinessCalendar, Incident, SLAClock, SLAPolicy
from tests import factories
from tests.helpers import text
from tests.sla.conftest import at

pytestmark = pytest.mark.django_db

ADD_POLICY = reverse("admin:requests_app_slapolicy_add")


def _policy_form(form, **overrides) -> dict:
    """The add form as a browser would send it: its initial values, the inline empty."""
    data = {
        "name": "Pannes de salle",
        "active": "on",
        "calendar": str(BusinessCalendar.objects.get(name="Faculté").pk),
        "response_value": "8",
        "response_unit": "hours",
        "resolution_value": "3",
        "resolution_unit": "days",
        "pause_statuses": list(form.initial["pause_statuses"]),
        "levels-TOTAL_FORMS": "0",
        "levels-INITIAL_FORMS": "0",
        "levels-MIN_NUM_FORMS": "0",
        "levels-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_the_add_page_offers_the_incident_statuses_with_awaiting_requester_ticked(
    login, administrator
):
    # when
    response = login(administrator).get(ADD_POLICY)

    # then
    assert response.status_code == 200
    page = text(response)
    for value, label in Incident.Status.choices:
        assert f'value="{value}"' in page
        assert str(label) in page
    assert 'type="checkbox" name="pause_statuses" value="awaiting_requester"' in page
    checked = response.context["adminform"].form["pause_statuses"].value()
    assert checked == ["awaiting_requester"]


def test_a_policy_added_with_the_admin_defaults_pauses_while_awaiting_requester(
    login, administrator, citizen, support_group, helper
):
    # given
    category = factories.IncidentCategoryFactory(name="Salles")
    client = login(administrator)
    form = client.get(ADD_POLICY).context["adminform"].form

    # when
    response = client.post(ADD_POLICY, _policy_form(form, category=str(category.pk)))

    # then
    assert response.status_code == 302
    policy = SLAPolicy.objects.get(name="Pannes de salle")
    assert policy.pause_statuses == ["awaiting_requester"]
    incident = factories.IncidentFactory(
        requester=citizen.client,
        category=category,
        assignment_group=support_group,
        now=at(2026, 11, 23, 9),
    )
    assert incident.sla_policy == policy
    svc.incident_set_status(
        incident=incident, status="awaiting_requester", by=helper, now=at(2026, 11, 23, 10)
    )
    clock = SLAClock.objects.get(incident=incident, kind="resolution")
    assert clock.paused_since == at(2026, 11, 23, 10)


def test_unticking_every_status_leaves_a_policy_that_never_pauses(login, administrator):
    # given
    client = login(administrator)
    form = client.get(ADD_POLICY).context["adminform"].form
    data = _policy_form(form)
    del data["pause_statuses"]

    # when
    response = client.post(ADD_POLICY, data)

    # then
    assert response.status_code == 302
    assert SLAPolicy.objects.get(name="Pannes de salle").pause_statuses == []


def test_an_unknown_pause_status_is_refused_with_the_form_kept(login, administrator):
    # given
    client = login(administrator)
    form = client.get(ADD_POLICY).context["adminform"].form

    # when
    response = client.post(ADD_POLICY, _policy_form(form, pause_statuses=["on_holiday"]))

    # then
    assert response.status_code == 200
    assert "on_holiday" in text(response)
    assert not SLAPolicy.objects.filter(name="Pannes de salle").exists()


def test_the_policy_page_ticks_its_saved_statuses(login, administrator, policy):
    response = login(administrator).get(
        reverse("admin:requests_app_slapolicy_change", args=[policy.pk])
    )

    assert response.context["adminform"].form["pause_statuses"].value() == policy.pause_statuses


# Previews -----------------------------------------------------------------------------------


@freeze_time("2026-11-23 15:00:00")  # Monday 10:00 in Montréal
def test_the_calendar_page_previews_8_hours_and_3_days_from_now_and_from_friday(
    login, administrator
):
    # given
    calendar = BusinessCalendar.objects.get(name="Faculté")

    # when
    response = login(administrator).get(
        reverse("admin:requests_app_businesscalendar_change", args=[calendar.pk])
    )

    # then
    page = text(response)
    assert "8 heures ouvrables" in page
    assert "3 jours ouvrables" in page
    rows = [
        # now: 8 business hours → Tuesday 10:00, 3 business days → Thursday's closing
        (
            "Lundi 23 novembre 2026, 10:00",
            "Mardi 24 novembre 2026, 10:00",
            "Jeudi 26 novembre 2026, 16:30",
        ),
        # Friday 15:00: 1 h 30 on Friday, 6 h 30 on Monday; 3 days → Wednesday's closing
        (
            "Vendredi 27 novembre 2026, 15:00",
            "Lundi 30 novembre 2026, 15:00",
            "Mercredi 2 décembre 2026, 16:30",
        ),
    ]
    for start, hours, days in rows:
        assert f"<td>{start}</td><td>{hours}</td><td>{days}</td>" in page
    assert "America/Montreal" in page


@freeze_time("2026-11-27 20:30:00")  # Friday 15:30 in Montréal: the next Friday is a week later
def test_the_policy_page_previews_its_own_response_and_resolution_targets(login, administrator):
    # given
    policy = factories.SLAPolicyFactory(
        calendar=BusinessCalendar.objects.get(name="Faculté"),
        response_value=2,
        response_unit=SLAPolicy.Unit.HOURS,
        resolution_value=1,
        resolution_unit=SLAPolicy.Unit.DAYS,
    )

    # when
    response = login(administrator).get(
        reverse("admin:requests_app_slapolicy_change", args=[policy.pk])
    )

    # then
    page = text(response)
    assert "Réponse (2 heures ouvrables)" in page
    assert "Résolution (1 jour ouvrable)" in page
    # 2 h from Friday 15:30: 1 h on Friday, 1 h on Monday; 1 day: Monday's closing
    assert (
        "<td>Vendredi 27 novembre 2026, 15:30</td><td>Lundi 30 novembre 2026, 09:30</td>"
        "<td>Lundi 30 novembre 2026, 16:30</td>"
    ) in page
    assert (
        "<td>Vendredi 4 décembre 2026, 15:00</td><td>Lundi 7 décembre 2026, 09:00</td>"
        "<td>Lundi 7 décembre 2026, 16:30</td>"
    ) in page


def test_the_add_pages_say_the_preview_comes_after_saving(login, administrator):
    client = login(administrator)

    assert "Enregistrez la politique" in text(client.get(ADD_POLICY))
    assert "Enregistrez le calendrier" in text(
        client.get(reverse("admin:requests_app_businesscalendar_add"))
    )


def test_a_calendar_without_opening_time_previews_no_due_time(login, administrator):
    # given
    calendar = factories.BusinessCalendarFactory(name="Fermé", slots=[])

    # when
    response = login(administrator).get(
        reverse("admin:requests_app_businesscalendar_change", args=[calendar.pk])
    )

    # then
    assert response.status_code == 200
    assert "Aucune heure d'ouverture" in text(response)
