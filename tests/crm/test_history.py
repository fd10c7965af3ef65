"""Audit: every change of an assignment group is kept and shown on its page and in the admin."""

import pytest
from django.urls import reverse

from crm.selectors import record_history
from tests import factories
from tests.helpers import text

pytestmark = pytest.mark.django_db


def test_changes_made_in_the_admin_are_recorded_with_who_old_and_new(
    login, administrator, agent, colleague
):
    group = factories.AssignmentGroupFactory(name="Technologues", lead=agent)
    client = login(administrator)

    response = client.post(
        reverse("admin:crm_assignmentgroup_change", args=[group.pk]),
        {
            "name": "Technologues FMed",
            "description": "",
            "members": [agent.pk, colleague.pk],
            "lead": colleague.pk,
            "escalation_group": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302

    history = record_history(group)
    by_admin = [entry for entry in history if entry.who == administrator]
    assert by_admin
    changes = {c.name: (c.old, c.new) for entry in by_admin for c in entry.changes}
    assert changes["name"] == ("Technologues", "Technologues FMed")
    assert changes["lead"] == (str(agent), str(colleague))
    assert str(colleague) in changes["members"][1]
    assert history[-1].kind == "created"

    admin_history = client.get(reverse("admin:crm_assignmentgroup_history", args=[group.pk]))
    assert admin_history.status_code == 200
    assert "Technologues FMed" in text(admin_history)

    page = login(agent).get(group.get_absolute_url())
    assert "Technologues FMed" in text(page)
    assert "Historique" in text(page)
    assert str(administrator) in text(page)


def test_member_changes_are_listed_by_name(agent, colleague):
    group = factories.AssignmentGroupFactory()
    group.members.add(agent)
    group.members.add(colleague)

    latest = record_history(group)[0]
    members = next(c for c in latest.changes if c.name == "members")
    assert str(colleague) in members.new
    assert str(colleague) not in members.old


def test_history_costs_a_bounded_number_of_queries(agent, django_assert_max_num_queries):
    group = factories.AssignmentGroupFactory(lead=agent)
    for i in range(20):
        group.description = f"version {i}"
        group.save()
    with django_assert_max_num_queries(5 + 2 * 21):
        record_history(group)


def test_after_205_saves_the_newest_change_is_shown_first(agent):
    # given
    group = factories.AssignmentGroupFactory(lead=agent)
    for i in range(205):
        group.description = f"version {i}"
        group.save()

    # when
    history = record_history(group, limit=200)

    # then
    assert len(history) == 200
    newest = {c.name: (c.old, c.new) for c in history[0].changes}
    assert newest["description"] == ("version 203", "version 204")
    oldest_shown = {c.name: (c.old, c.new) for c in history[-1].changes}
    assert oldest_shown["description"] == ("version 4", "version 5")


def test_a_reason_code_is_translated_and_the_typed_text_kept_apart(agent):
    # given
    from django.utils import translation

    from crm.workflow import save_recorded

    group = factories.AssignmentGroupFactory(lead=agent)
    group.description = "autre"

    # when
    save_recorded(group, by=agent, reason="reopened", note="Le demandeur a rappelé.")

    # then
    with translation.override("fr"):
        entry = record_history(group)[0]
    assert entry.reason == "réouverture"
    assert entry.note == "Le demandeur a rappelé."
    with translation.override("en"):
        assert record_history(group)[0].reason == "reopened"


def test_an_unknown_reason_code_is_refused(agent):
    from crm.workflow import save_recorded

    group = factories.AssignmentGroupFactory(lead=agent)
    with pytest.raises(ValueError):
        save_recorded(group, by=agent, reason="whatever I typed")


def test_the_next_save_does_not_inherit_the_reason(agent):
    from crm.workflow import save_recorded

    group = factories.AssignmentGroupFactory(lead=agent)
    save_recorded(group, by=agent, reason="edited", note="première")
    group.description = "plain save"
    group.save()

    latest = group.history.order_by("-history_id").first()
    assert latest.history_reason_code == ""
    assert latest.history_change_reason in ("", None)


def test_history_times_are_shown_in_the_body_time_zone(login, agent, settings):
    # given: a change made at 15:00 UTC, which is 10:00 in Montréal
    from datetime import UTC, datetime

    from freezegun import freeze_time

    settings.TIME_ZONE = "America/Montreal"
    with freeze_time(datetime(2026, 11, 23, 15, 0, tzinfo=UTC)):
        group = factories.AssignmentGroupFactory(lead=agent, name="Groupe horaire")

    # when
    page = text(login(agent).get(group.get_absolute_url()))

    # then
    assert "10:00" in page or "10 h 00" in page
    assert "15:00" not in page
