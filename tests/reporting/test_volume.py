"""The volume dashboard's figures against requests, incidents and tasks built by hand,
including the local day of a request filed late in the evening (UTC is already the next day)."""

from datetime import date

import pytest
from django.db.models import Sum

from reporting import dashboards, selectors
from reporting.forms import Filters
from reporting.models import ItemDaily
from requests_app.models import Incident
from tests import factories

from .conftest import at, filed, refresh

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MARCH = Filters(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))


@pytest.fixture
def world(group_a, group_b):
    one_step = factories.chain(["1"], group=group_a, name="Permis")
    two_steps = factories.chain(
        ["1", "2<1"], groups={"1": group_a, "2": group_b}, name="Subvention"
    )
    requests = {
        # Open.
        "r1": filed(one_step, created=at(2026, 3, 2, 10)),
        # 23:30 in Montréal on 7 March is 04:30 UTC on the 8th: it is of the 7th.
        "r2": filed(
            one_step,
            created=at(2026, 3, 7, 23, 30),
            channel="phone",
            status="resolved",
            resolved=at(2026, 3, 10, 12),
        ),
        # Received before the period, resolved in it.
        "r3": filed(
            two_steps, created=at(2026, 2, 20), status="resolved", resolved=at(2026, 3, 5, 9)
        ),
        # Cancelled the next day: finished, not resolved.
        "r4": filed(
            two_steps,
            created=at(2026, 3, 15),
            channel="email",
            status="cancelled",
            closed=at(2026, 3, 16),
        ),
    }
    draft = factories.ServiceRequestFactory(request_type=one_step, submit=False)
    category = factories.IncidentCategoryFactory(name="Audiovisuel")
    other_category = factories.IncidentCategoryFactory(name="Réseau")
    i1 = factories.IncidentFactory(
        category=category, assignment_group=group_a, channel="phone", now=at(2026, 3, 3)
    )
    i2 = factories.IncidentFactory(category=other_category, now=at(2026, 3, 4))
    Incident.objects.filter(pk=i1.pk).update(created_at=at(2026, 3, 3))
    Incident.objects.filter(pk=i2.pk).update(
        created_at=at(2026, 3, 4), status="resolved", resolved_at=at(2026, 3, 6)
    )
    refresh()
    return {
        **requests,
        "draft": draft,
        "one_step": one_step,
        "two_steps": two_steps,
        "category": category,
    }


def test_totals_count_received_resolved_and_open(world):
    totals = selectors.volume_totals(MARCH)

    assert totals["request"] == {"received": 3, "resolved": 2, "open": 1}
    assert totals["incident"] == {"received": 2, "resolved": 1, "open": 1}
    # r1 and r2 one task each, r4 two; r3's were received in February.
    assert totals["task"]["received"] == 4


def test_a_request_filed_late_in_the_evening_is_of_its_local_day(world):
    days = {
        row.day for row in ItemDaily.objects.filter(kind="request", group_key=0, received__gt=0)
    }

    assert date(2026, 3, 7) in days
    assert date(2026, 3, 8) not in days


def test_a_group_counts_the_requests_that_have_one_of_its_tasks(world, group_b):
    totals = selectors.volume_totals(
        Filters(date_from=MARCH.date_from, date_to=MARCH.date_to, group_id=group_b.pk)
    )

    assert totals["request"]["received"] == 1  # r4 only: r1 and r2 have no step in group B
    assert totals["request"]["resolved"] == 1  # r3


def test_the_channel_and_type_filters(world):
    phone = selectors.volume_totals(
        Filters(date_from=MARCH.date_from, date_to=MARCH.date_to, channel="phone")
    )
    permits = selectors.volume_totals(
        Filters(date_from=MARCH.date_from, date_to=MARCH.date_to, type_id=world["one_step"].pk)
    )

    assert phone["request"]["received"] == 1 and phone["incident"]["received"] == 1
    assert permits["request"]["received"] == 2
    # Incidents have no request type.
    assert permits["incident"]["received"] == 0


def test_the_document_tables(world):
    document = dashboards.volume(MARCH)
    sections = {section.title: section for section in document.sections}

    totals = sections["Received, resolved and open"].table.rows
    assert totals[0][1:] == [3, 2, 1]
    by_type = {row[0]: row[1:] for row in sections["Requests by type"].table.rows}
    assert by_type == {"Permis": [2, 1], "Subvention": [1, 1]}
    by_category = {row[0]: row[1:] for row in sections["Incidents by category"].table.rows}
    assert by_category == {"Audiovisuel": [1, 0], "Réseau": [1, 1]}
    over_time = {row[0]: row[1:] for row in sections["Received and resolved over time"].table.rows}
    assert over_time["2026-03-07"][0] == 1 and over_time["2026-03-08"][0] == 0
    assert over_time["2026-03-05"][1] == 1  # r3 resolved


def test_open_at_the_end_of_each_day(world):
    document = dashboards.volume(MARCH)
    section = next(s for s in document.sections if s.title == "Open at the end of each period")
    requests_open = {row[0]: row[1] for row in section.table.rows}

    assert requests_open["2026-03-01"] == 1  # r3
    assert requests_open["2026-03-02"] == 2  # r1, r3
    assert requests_open["2026-03-05"] == 1  # r3 resolved
    assert requests_open["2026-03-07"] == 2  # r2
    assert requests_open["2026-03-10"] == 1  # r2 resolved
    assert requests_open["2026-03-15"] == 2  # r4
    assert requests_open["2026-03-16"] == 1  # r4 cancelled
    assert requests_open["2026-03-31"] == 1


def test_the_draft_is_not_received(world):
    assert not ItemDaily.objects.filter(kind="request", status="draft").exists()


@pytest.mark.parametrize(
    "date_from, date_to",
    [
        (date(2026, 2, 15), date(2026, 4, 10)),  # part of February, March whole, part of April
        (date(2026, 3, 1), date(2026, 3, 31)),  # one whole month
        (date(2026, 3, 3), date(2026, 3, 20)),  # no whole month
        (date(2026, 1, 1), date(2026, 12, 31)),  # a year
    ],
)
def test_whole_months_read_from_the_monthly_sums_give_the_daily_figures(world, date_from, date_to):
    f = Filters(date_from=date_from, date_to=date_to)
    daily = {
        row["kind"]: (row["received"], row["resolved"])
        for row in ItemDaily.objects.filter(group_key=0, day__gte=date_from, day__lte=date_to)
        .values("kind")
        .annotate(received=Sum("received"), resolved=Sum("resolved"))
    }

    totals = selectors.volume_totals(f)

    assert {k: (v["received"], v["resolved"]) for k, v in totals.items() if k in daily} == daily
