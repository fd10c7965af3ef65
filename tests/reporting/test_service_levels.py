"""SLA compliance and business-hours durations against incidents worked by hand, across a
weekend and the spring change of time (Montréal moves to daylight time on Sunday 8 March
2026): Friday 16:00 to Monday 09:30 is 1.5 business hours (16:00–16:30, 08:30–09:30)."""

from datetime import date

import pytest

from reporting import dashboards, selectors
from reporting.forms import Filters
from reporting.models import ClockOutcome
from requests_app.incidents import services as incident_services
from requests_app.models import SLAPolicy
from tests import factories

from .conftest import at, refresh

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MARCH = Filters(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))


@pytest.fixture
def worked(group_a):
    SLAPolicy.objects.update(active=False)
    factories.SLAPolicyFactory(levels=[])  # 8 business hours, 3 business days, Mon–Fri 8:30–16:30
    agent = factories.agent(email="tech@example.org")
    group_a.members.add(agent)
    category = factories.IncidentCategoryFactory(name="Audiovisuel")

    def incident(created, responded, resolved):
        inc = factories.IncidentFactory(assignment_group=group_a, category=category, now=created)
        incident_services.incident_journal_add(
            incident=inc, by=agent, kind="comment", body="On regarde.", now=responded
        )
        incident_services.incident_set_status(
            incident=inc, status="resolved", by=agent, now=resolved
        )
        return inc

    # Friday 16:00 → Monday 09:30 (after the change of time): 1.5 h, met. Resolved Wednesday
    # 12:00: 0.5 + 8 + 8 + 3.5 = 20 h, within three business days.
    fast = incident(at(2026, 3, 6, 16), at(2026, 3, 9, 9, 30), at(2026, 3, 11, 12))
    # Monday 09:00 → Tuesday 10:00: 7.5 + 1.5 = 9 h, breached. Resolved Friday 20 March 16:00:
    # 7.5 + 4 × 8 + 4 × 8 + 7.5 = 79 h, breached.
    slow = incident(at(2026, 3, 9, 9), at(2026, 3, 10, 10), at(2026, 3, 20, 16))
    # Still running, past due: a breach in the making.
    factories.IncidentFactory(assignment_group=group_a, now=at(2026, 3, 2, 9))
    refresh()
    return {"fast": fast, "slow": slow, "category": category}


def test_business_durations_are_stored_per_clock(worked):
    seconds = {(o.incident_id, o.kind): o.business_seconds for o in ClockOutcome.objects.all()}
    fast, slow = worked["fast"].pk, worked["slow"].pk

    assert seconds[(fast, "response")] == pytest.approx(1.5 * 3600)
    assert seconds[(fast, "resolution")] == pytest.approx(20 * 3600)
    assert seconds[(slow, "response")] == pytest.approx(9 * 3600)
    assert seconds[(slow, "resolution")] == pytest.approx(79 * 3600)


def test_compliance_median_and_90th_percentile(worked):
    summary = selectors.sla_summary(MARCH)

    assert summary["response"]["total"] == 2 and summary["response"]["met_count"] == 1
    assert summary["response"]["median"] == pytest.approx(5.25 * 3600)
    assert summary["response"]["p90"] == pytest.approx(8.25 * 3600)
    assert summary["resolution"]["median"] == pytest.approx(49.5 * 3600)
    assert summary["resolution"]["p90"] == pytest.approx(73.1 * 3600)


def test_the_document_shows_hours_percent_and_breaches_by_group(worked, group_a):
    document = dashboards.service_levels(MARCH)
    compliance, _over_time, by_group = document.sections

    response, resolution = compliance.table.rows
    # 5.25 h and 8.25 h, rounded half to even.
    assert response[1:7] == [2, 1, 1, 50.0, 5.2, 8.2]
    assert resolution[1:7] == [2, 1, 1, 50.0, 49.5, 73.1]
    # The running incident: both its clocks were past due at the refresh.
    assert response[7] == 1 and resolution[7] == 1
    assert by_group.table.rows == [["Accueil", 1, 1, 50.0, 2]]


def test_a_period_without_the_stops_has_no_clock(worked):
    april = selectors.sla_summary(Filters(date_from=date(2026, 4, 1), date_to=date(2026, 4, 30)))

    assert april == {}


def test_the_category_filter(worked):
    other = factories.IncidentCategoryFactory(name="Réseau")
    none = selectors.sla_summary(
        Filters(date_from=MARCH.date_from, date_to=MARCH.date_to, category_id=other.pk)
    )
    mine = selectors.sla_summary(
        Filters(date_from=MARCH.date_from, date_to=MARCH.date_to, category_id=worked["category"].pk)
    )

    assert none == {} and mine["response"]["total"] == 2


def _exact(f: Filters) -> dict:
    """The figures as sorting every outcome gives them."""
    from django.db.models import Count, Q

    rows = (
        ClockOutcome.objects.filter(day__gte=f.date_from, day__lte=f.date_to)
        .values("kind")
        .annotate(
            total=Count("pk"),
            met_count=Count("pk", filter=Q(met=True)),
            median=selectors.Percentile("business_seconds", 0.5),
            p90=selectors.Percentile("business_seconds", 0.9),
        )
        .order_by()
    )
    return {row["kind"]: row for row in rows}


def test_a_long_period_reads_its_percentiles_from_the_histogram(worked, monkeypatch):
    # given more clocks than are sorted (here: any)
    monkeypatch.setattr(selectors, "EXACT_PERCENTILES_MAX", 0)
    summary = selectors.sla_summary(MARCH)
    # then the figures are those of the outcomes: durations on whole minutes under a day and
    # on quarters of an hour beyond fall on their buckets' bounds
    exact = _exact(MARCH)
    for kind in ("response", "resolution"):
        for figure in ("total", "met_count", "median", "p90"):
            assert summary[kind][figure] == pytest.approx(exact[kind][figure]), (kind, figure)
    document = dashboards.service_levels(MARCH)
    response, resolution = document.sections[0].table.rows
    assert response[1:7] == [2, 1, 1, 50.0, 5.2, 8.2]
    assert resolution[1:7] == [2, 1, 1, 50.0, 49.5, 73.1]
    # March read from the monthly histogram; a period across months from both tables, and the
    # days around March from the daily one alone: the same figures
    across = selectors.sla_summary(Filters(date_from=date(2026, 2, 15), date_to=date(2026, 4, 10)))
    days_only = selectors.sla_summary(
        Filters(date_from=date(2026, 3, 2), date_to=date(2026, 3, 30))
    )
    for kind in ("response", "resolution"):
        assert across[kind]["median"] == pytest.approx(summary[kind]["median"])
        assert across[kind]["p90"] == pytest.approx(summary[kind]["p90"])
        assert days_only[kind]["total"] == 2
        assert days_only[kind]["median"] == pytest.approx(summary[kind]["median"])


def test_a_group_s_figures_are_its_own(worked, group_a, group_b):
    mine = selectors.sla_summary(
        Filters(date_from=MARCH.date_from, date_to=MARCH.date_to, group_id=group_a.pk)
    )
    theirs = selectors.sla_summary(
        Filters(date_from=MARCH.date_from, date_to=MARCH.date_to, group_id=group_b.pk)
    )
    assert mine["response"]["total"] == 2 and mine["response"]["median"] == pytest.approx(
        5.25 * 3600
    )
    assert theirs == {}
    rows = sorted(selectors.sla_by_group(MARCH), key=lambda row: row["kind"])
    assert rows == [
        {"group_key": group_a.pk, "kind": kind, "total": 2, "met_count": 1, "breached": 1}
        for kind in ("resolution", "response")
    ]


def test_an_incremental_refresh_moves_a_reopened_clock_out_of_its_day(worked, group_a):
    from reporting.models import ClockDaily, ClockHistogram

    agent = group_a.members.get()
    # the slow incident is reopened: its resolution clock runs again, so it is no outcome
    incident_services.incident_set_status(
        incident=worked["slow"], status="in_progress", by=agent, now=at(2026, 3, 23, 10)
    )
    refresh(full=False)
    days = ClockDaily.objects.filter(kind="resolution").values_list("day", "total")
    assert sorted(days) == [(date(2026, 3, 11), 1)]
    assert sum(ClockHistogram.objects.filter(kind="resolution").values_list("n", flat=True)) == 1
    # and the counts still agree with the outcomes, day by day
    for kind in ("response", "resolution"):
        by_day = {
            row["day"]: row["total"] for row in selectors.sla_days(MARCH) if row["kind"] == kind
        }
        outcomes = ClockOutcome.objects.filter(kind=kind)
        assert sum(by_day.values()) == outcomes.count()


def test_the_histogram_counts_each_outcome_in_its_bucket(worked):
    from collections import Counter

    from reporting.models import ClockHistogram
    from reporting.summaries import bucket_of

    expected = Counter(
        (o.day, o.kind, bucket_of(o.business_seconds)) for o in ClockOutcome.objects.all()
    )
    stored = {(h.day, h.kind, h.bucket): h.n for h in ClockHistogram.objects.all()}
    assert stored == dict(expected) and len(stored) == 4
