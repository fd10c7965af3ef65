"""Recurring calls and meetings (RFC 5545): rules checked at the field, series expanded in a
range, one occurrence changed or removed on its own."""

import datetime as dt

import pytest
from dateutil import rrule as dateutil_rrule
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts import calendar as crm_calendar
from contacts import services
from contacts.models import Call, Meeting
from contacts.recurrence import (
    format_exdate,
    is_occurrence,
    occurrences,
    validate_rrule,
)
from crm.errors import DomainError, NotAllowed
from tests import factories

ZONE = timezone.get_default_timezone()
START = dt.datetime(2026, 9, 7, 10, 0, tzinfo=ZONE)  # a Monday, 10:00 in Montreal


# --- The rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("FREQ=WEEKLY;COUNT=10", "FREQ=WEEKLY;COUNT=10"),
        ("rrule:freq=monthly;count=3", "FREQ=MONTHLY;COUNT=3"),
        (
            "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270630",
            "FREQ=WEEKLY;UNTIL=20270701T035959Z;BYDAY=MO,WE",
        ),
        ("FREQ=MONTHLY;UNTIL=20270101T120000Z", "FREQ=MONTHLY;UNTIL=20270101T120000Z"),
        ("", ""),
    ],
)
def test_a_rule_with_an_end_is_kept_normalised(rule, expected):
    assert validate_rrule(rule) == expected


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ("FREQ=WEEKLY", "no_end"),
        ("FREQ=MONTHLY;BYMONTHDAY=1", "no_end"),
        ("FREQ=WEEKLY;COUNT=2;UNTIL=20270101", "two_ends"),
        ("FREQ=HOURLY;COUNT=3", "freq"),
        ("FREQ=WEEKLY;COUNT=0", "count"),
        ("FREQ=WEEKLY;COUNT=100000", "count"),
        ("FREQ=WEEKLY;UNTIL=tomorrow", "until"),
        ("FREQ=WEEKLY;COUNT=2;BYHOUR=1", "unsupported"),
        ("FREQ=WEEKLY;COUNT=2;BYDAY=XX", "invalid"),
        ("nonsense", "invalid"),
    ],
)
def test_a_bad_rule_is_refused_with_a_reason(rule, code):
    with pytest.raises(ValidationError) as refused:
        validate_rrule(rule)
    assert refused.value.code == code
    assert refused.value.messages


@pytest.mark.django_db
def test_a_call_whose_rule_has_no_end_is_refused_at_the_field(agent):
    client = factories.ClientFactory()
    with pytest.raises(ValidationError) as refused:
        services.call_create(
            by=agent, client=client, subject="Suivi", starts_at=START, rrule="FREQ=WEEKLY"
        )
    assert "rrule" in refused.value.message_dict
    assert "must end" in " ".join(refused.value.message_dict["rrule"]) or "doit" in " ".join(
        refused.value.message_dict["rrule"]
    )
    assert not Call.objects.exists()


@pytest.mark.django_db
def test_a_series_is_saved_with_its_rule_normalised(agent):
    call = services.call_create(
        by=agent,
        client=factories.ClientFactory(),
        subject="Suivi",
        starts_at=START,
        rrule="freq=weekly;until=20261231",
    )
    assert call.rrule == "FREQ=WEEKLY;UNTIL=20270101T045959Z"
    assert call.is_series


@pytest.mark.django_db
def test_a_series_longer_than_ten_years_is_refused(agent):
    with pytest.raises(ValidationError) as refused:
        services.call_create(
            by=agent,
            client=factories.ClientFactory(),
            subject="Suivi",
            starts_at=START,
            rrule="FREQ=DAILY;UNTIL=20500101",
        )
    assert "rrule" in refused.value.message_dict


# --- Expansion (property) -------------------------------------------------------------------------

rules = st.builds(
    lambda freq, interval, end: f"FREQ={freq};INTERVAL={interval};{end}",
    st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]),
    st.integers(min_value=1, max_value=3),
    st.one_of(
        st.integers(min_value=1, max_value=40).map(lambda n: f"COUNT={n}"),
        st.dates(dt.date(2026, 9, 8), dt.date(2027, 12, 31)).map(lambda d: f"UNTIL={d:%Y%m%d}"),
    ),
)


@settings(max_examples=150, deadline=None)
@given(
    rule=rules,
    offset_days=st.integers(min_value=-30, max_value=400),
    span_days=st.integers(min_value=1, max_value=62),
    minutes=st.integers(min_value=0, max_value=180),
    removed=st.sets(st.integers(min_value=0, max_value=39), max_size=5),
)
def test_every_expanded_occurrence_is_in_range_matches_the_rule_and_is_not_removed(
    rule, offset_days, span_days, minutes, removed
):
    rule = validate_rrule(rule)
    duration = dt.timedelta(minutes=minutes)
    every = [
        m.astimezone(dt.UTC) for m in dateutil_rrule.rrulestr(rule, dtstart=START.astimezone(ZONE))
    ]
    exdates = [format_exdate(every[i]) for i in removed if i < len(every)]
    start = START + dt.timedelta(days=offset_days)
    end = start + dt.timedelta(days=span_days)
    # when
    found = occurrences(
        rule=rule, dtstart=START, start=start, end=end, duration=duration, exdates=exdates
    )
    # then: each is in range, is one of the rule's, is not removed; none is missed
    removed_moments = {every[i] for i in removed if i < len(every)}
    expected = [
        m
        for m in every
        if m not in removed_moments
        and (m < end and m + duration > start if duration else start <= m < end)
    ]
    assert found == expected
    for moment in found:
        assert is_occurrence(rule=rule, dtstart=START, moment=moment)
        local = moment.astimezone(ZONE)
        assert (local.hour, local.minute) == (10, 0)  # daylight saving changes nothing


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    count=st.integers(min_value=2, max_value=12),
    edited=st.sets(st.integers(min_value=0, max_value=11), max_size=3),
    removed=st.sets(st.integers(min_value=0, max_value=11), max_size=3),
)
def test_overrides_replace_their_occurrence_and_removed_ones_disappear(
    agent, count, edited, removed
):
    # given a weekly meeting series, some occurrences edited on their own, some removed
    Meeting.objects.all().delete()
    series = factories.MeetingFactory(
        assigned_to=agent,
        starts_at=START,
        ends_at=START + dt.timedelta(hours=1),
        rrule=f"FREQ=WEEKLY;COUNT={count}",
    )
    weeks = [START + dt.timedelta(weeks=i) for i in range(count)]
    edited = {i for i in edited if i < count} - removed
    removed = {i for i in removed if i < count}
    for i in sorted(edited):
        crm_calendar.occurrence_edit(
            series=series,
            recurrence_id=weeks[i],
            by=agent,
            subject=f"Déplacée {i}",
            starts_at=weeks[i] + dt.timedelta(hours=3),
            ends_at=weeks[i] + dt.timedelta(hours=4),
        )
    for i in sorted(removed):
        crm_calendar.occurrence_remove(series=series, recurrence_id=weeks[i], by=agent)
    # when
    found = crm_calendar.occurrences_in_range(
        owner_ids=[agent.pk],
        start=START - dt.timedelta(days=1),
        end=weeks[-1] + dt.timedelta(days=1),
    )
    # then
    by_start = {o.start: o for o in found}
    assert len(found) == count - len(removed)
    for i, moment in enumerate(weeks):
        if i in removed:
            assert moment not in by_start and moment + dt.timedelta(hours=3) not in by_start
        elif i in edited:
            item = by_start[moment + dt.timedelta(hours=3)]
            assert item.obj.subject == f"Déplacée {i}" and item.recurrence_id == moment
            assert moment not in by_start
        else:
            assert by_start[moment].obj.pk == series.pk


# --- Services -------------------------------------------------------------------------------------


@pytest.fixture
def series(agent):
    return factories.CallFactory(
        assigned_to=agent, starts_at=START, rrule="FREQ=WEEKLY;COUNT=4", duration_minutes=20
    )


@pytest.mark.django_db
def test_editing_an_occurrence_twice_keeps_one_override(agent, series):
    second = START + dt.timedelta(weeks=1)
    first = crm_calendar.occurrence_edit(series=series, recurrence_id=second, by=agent, subject="A")
    again = crm_calendar.occurrence_edit(series=series, recurrence_id=second, by=agent, subject="B")
    assert first.pk == again.pk
    override = Call.objects.get(recurrence_of=series)
    assert override.subject == "B" and override.duration_minutes == 20
    assert override.client_id == series.client_id and override.rrule == ""


@pytest.mark.django_db
def test_removing_an_edited_occurrence_deletes_its_override(agent, series):
    second = START + dt.timedelta(weeks=1)
    crm_calendar.occurrence_edit(series=series, recurrence_id=second, by=agent, subject="A")
    crm_calendar.occurrence_remove(series=series, recurrence_id=second, by=agent)
    series.refresh_from_db()
    assert not Call.objects.filter(recurrence_of=series).exists()
    assert series.exdates == [format_exdate(second)]
    with pytest.raises(DomainError):
        crm_calendar.occurrence_edit(series=series, recurrence_id=second, by=agent, subject="C")


@pytest.mark.django_db
def test_a_time_that_is_no_occurrence_is_refused(agent, series):
    with pytest.raises(DomainError):
        crm_calendar.occurrence_remove(
            series=series, recurrence_id=START + dt.timedelta(days=1), by=agent
        )


@pytest.mark.django_db
def test_a_manager_may_not_edit_an_occurrence(manager, series):
    with pytest.raises(NotAllowed):
        crm_calendar.occurrence_edit(series=series, recurrence_id=START, by=manager, subject="X")


@pytest.mark.django_db
def test_an_override_may_not_repeat(agent, series):
    override = crm_calendar.occurrence_edit(series=series, recurrence_id=START, by=agent)
    with pytest.raises(ValidationError) as refused:
        services.call_update(call=override, by=agent, rrule="FREQ=WEEKLY;COUNT=2")
    assert "rrule" in refused.value.message_dict


@pytest.mark.django_db
def test_moving_the_series_moves_its_removed_and_edited_occurrences(agent, series):
    crm_calendar.occurrence_remove(series=series, recurrence_id=START, by=agent)
    crm_calendar.occurrence_edit(
        series=series, recurrence_id=START + dt.timedelta(weeks=1), by=agent, subject="A"
    )
    crm_calendar.series_move(series=series, by=agent, delta=dt.timedelta(days=1))
    series.refresh_from_db()
    assert series.starts_at == START + dt.timedelta(days=1)
    assert series.exdates == [format_exdate(START + dt.timedelta(days=1))]
    override = Call.objects.get(recurrence_of=series)
    assert override.recurrence_id == START + dt.timedelta(weeks=1, days=1)


@pytest.mark.django_db
def test_the_call_form_refuses_a_rule_with_no_end_at_the_field_and_keeps_it(client, agent):
    # given the call form of a client, with a recurrence rule that never ends
    target = factories.ClientFactory()
    client.force_login(agent)
    data = {
        "client": target.pk,
        "subject": "Suivi hebdomadaire",
        "starts_at": "2026-11-02 10:00",
        "direction": "outbound",
        "status": "planned",
        "duration_minutes": "15",
        "rrule": "FREQ=WEEKLY",
        "assigned_to": agent.pk,
    }
    # when
    response = client.post(reverse("contacts:call_create") + f"?client={target.pk}", data)
    # then
    assert response.status_code == 400
    form = response.context["form"]
    assert "rrule" in form.errors
    assert form["rrule"].value() == "FREQ=WEEKLY"
    assert not Call.objects.exists()
    # and with an end, the series is created
    data["rrule"] = "FREQ=WEEKLY;COUNT=6"
    response = client.post(reverse("contacts:call_create") + f"?client={target.pk}", data)
    assert response.status_code == 302
    assert Call.objects.get().rrule == "FREQ=WEEKLY;COUNT=6"
