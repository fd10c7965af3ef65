"""The report builder's engine: definitions checked (per field type, and against what the reader
may see), grouping and aggregates against data built by hand, sorting, constant queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from contacts.models import Call
from reporting import builder, sources
from reporting.models import SavedReport
from reporting.services import saved_report_create
from tests import factories
from tests.reporting import builder_personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited_manager(db):
    return builder_personas.limited_manager()


CALLS = sources.SOURCES["calls"]
CLIENTS = sources.SOURCES["clients"]
REQUESTS = sources.SOURCES["requests"]


@pytest.fixture(autouse=True)
def english():
    """The messages and labels compared here are the English ones."""
    with translation.override("en"):
        yield


def _rows(report, sort=None):
    return list(report.queryset(sort))


def _calls(agent, other):
    """Six calls built by hand: agent 3 (10 + 20 + 30 min), other 2 (5 + 15), nobody 1 (60)."""
    at = timezone.make_aware(dt.datetime(2026, 11, 16, 10, 0))
    made = []
    for who, minutes, direction in [
        (agent, 10, "inbound"),
        (agent, 20, "outbound"),
        (agent, 30, "outbound"),
        (other, 5, "inbound"),
        (other, 15, "inbound"),
        (None, 60, "outbound"),
    ]:
        made.append(
            factories.CallFactory(
                assigned_to=who, duration_minutes=minutes, direction=direction, starts_at=at
            )
        )
    return made


# --- checking definitions -----------------------------------------------------------------


def test_a_valid_definition_is_kept_as_checked_json(manager):
    definition = builder.parse_definition(
        CALLS,
        {
            "columns": ["subject", "duration_minutes"],
            "filters": [{"field": "duration_minutes", "op": "gte", "value": "10"}],
            "sort": [{"field": "duration_minutes", "desc": True}],
        },
        user=manager,
    )
    assert definition.as_json() == {
        "columns": ["subject", "duration_minutes"],
        "filters": [{"field": "duration_minutes", "op": "gte", "value": "10"}],
        "group_by": [],
        "aggregate": {"fn": "count", "field": None},
        "sort": [{"field": "duration_minutes", "desc": True}],
    }


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"columns": ["nope"]}, "“nope” is not a field of calls"),
        ({"columns": []}, "Choose at least one column, or a grouping."),
        ({"columns": "subject"}, "must be a list"),
        (
            {"columns": ["subject"], "filters": [{"field": "subject", "op": "lt", "value": "a"}]},
            "cannot filter",
        ),
        (
            {
                "columns": ["subject"],
                "filters": [{"field": "duration_minutes", "op": "gt", "value": "ten"}],
            },
            "is compared with a number",
        ),
        (
            {
                "columns": ["subject"],
                "filters": [{"field": "starts_at", "op": "gt", "value": "16/11/2026"}],
            },
            "is compared with a date (YYYY-MM-DD)",
        ),
        (
            {
                "columns": ["subject"],
                "filters": [{"field": "direction", "op": "eq", "value": "sideways"}],
            },
            "is not a value of",
        ),
        (
            {
                "columns": ["subject"],
                "filters": [{"field": "starts_at", "op": "last_days", "value": "0"}],
            },
            "give a number of days",
        ),
        (
            {"columns": ["subject"], "filters": [{"field": "subject", "op": "eq", "value": ""}]},
            "needs a value",
        ),
        (
            {
                "columns": ["subject"],
                "filters": [{"field": "subject", "op": "eq", "value": "a\x00"}],
            },
            "forbidden character",
        ),
        (
            {"group_by": ["direction"], "aggregate": {"fn": "sum", "field": "subject"}},
            "Only a number can be summed",
        ),
        ({"group_by": ["direction"], "aggregate": {"fn": "median"}}, "is not count, sum"),
        ({"group_by": ["direction"], "aggregate": {"fn": ["count"]}}, "is not count, sum"),
        ({"group_by": [{"a": 1}]}, "is not a field of calls"),
        (
            {"columns": ["subject"], "filters": [{"field": "subject", "op": "eq", "value": [1]}]},
            "wrong kind",
        ),
        (
            {"group_by": ["direction"], "sort": [{"field": "subject", "desc": False}]},
            "sorted by a group field or by its figure",
        ),
        ({"columns": ["subject"], "sort": [{"field": "subject", "desc": "yes"}]}, "direction"),
        ({"columns": ["subject"], "having": []}, "Unknown parts"),
        ("columns", "is an object"),
    ],
)
def test_a_bad_definition_is_refused_with_what_is_wrong(manager, data, expected):
    with pytest.raises(ValidationError) as refused:
        builder.parse_definition(CALLS, data, user=manager)
    assert any(expected in message for message in refused.value.messages), refused.value.messages


def test_every_problem_is_named_at_once(manager):
    with pytest.raises(ValidationError) as refused:
        builder.parse_definition(
            CALLS,
            {"columns": ["nope", "subject"], "filters": [{"field": "gone", "op": "eq"}]},
            user=manager,
        )
    assert len(refused.value.messages) == 2


def test_a_definition_naming_a_field_the_reader_may_not_see_is_refused(limited_manager):
    # given a reader of the reports whose role reads requests but not clients
    data = {"columns": ["number", "requester"]}
    # when / then: the requester is a client, whose page they may not open
    with pytest.raises(ValidationError) as refused:
        builder.parse_definition(REQUESTS, data, user=limited_manager)
    assert refused.value.code == "forbidden"
    assert "“Requester”" in refused.value.messages[0]


def test_a_forbidden_field_used_only_to_filter_or_sort_is_refused_too(limited_manager):
    for data in (
        {
            "columns": ["number"],
            "filters": [{"field": "requester", "op": "contains", "value": "a"}],
        },
        {"columns": ["number"], "sort": [{"field": "requester_email", "desc": False}]},
        {"group_by": ["requester"]},
    ):
        with pytest.raises(ValidationError):
            builder.parse_definition(REQUESTS, data, user=limited_manager)


def test_the_fields_offered_are_only_those_the_reader_may_see(limited_manager, manager):
    offered = {f.name for f in builder.visible_fields(REQUESTS, limited_manager)}
    assert "title" in offered and "requester" not in offered and "requester_email" not in offered
    assert "requester" in {f.name for f in builder.visible_fields(REQUESTS, manager)}
    assert builder.visible_fields(CLIENTS, limited_manager) == []


def test_a_source_the_reader_may_not_read_is_refused(limited_manager):
    with pytest.raises(ValidationError) as refused:
        builder.parse_definition(CLIENTS, {"columns": ["name"]}, user=limited_manager)
    assert "You may not read clients" in refused.value.messages[0]


def test_the_service_refuses_to_save_a_forbidden_field_and_saves_nothing(limited_manager):
    with pytest.raises(ValidationError) as refused:
        saved_report_create(
            by=limited_manager,
            name="Demandeurs",
            source="requests",
            definition={"columns": ["number", "requester"]},
        )
    assert "Requester" in str(refused.value)
    assert not SavedReport.objects.exists()


def test_an_agent_may_not_save_a_report(agent):
    from crm.errors import NotAllowed

    with pytest.raises(NotAllowed):
        saved_report_create(
            by=agent, name="Appels", source="calls", definition={"columns": ["subject"]}
        )


def test_the_model_checks_the_definition_it_stores(manager):
    report = SavedReport(owner=manager, name="x", source="calls", definition={"columns": ["x"]})
    with pytest.raises(ValidationError) as refused:
        report.full_clean()
    assert "definition" in refused.value.message_dict


# --- grouping, aggregates, filters, sorting -------------------------------------------------


def test_grouping_counts_sums_and_averages_match_the_calls_built_by_hand(manager, agent):
    other = factories.agent(first_name="Zoé", last_name="Zèbre")
    agent.first_name, agent.last_name = "Ana", "Alpha"
    agent.save()
    _calls(agent, other)

    def grouped(fn, field=None):
        data = {
            "group_by": ["assigned_to"],
            "aggregate": {"fn": fn, "field": field},
            "sort": [{"field": "assigned_to", "desc": False}],
        }
        report = builder.build(CALLS, data, user=manager)
        return [(row["c_assigned_to"], row["agg_value"]) for row in _rows(report)]

    assert grouped("count") == [("Ana Alpha", 3), ("Zoé Zèbre", 2), (None, 1)]
    assert grouped("sum", "duration_minutes") == [("Ana Alpha", 60), ("Zoé Zèbre", 20), (None, 60)]
    averages = grouped("avg", "duration_minutes")
    assert [(name, Decimal(value).quantize(Decimal("0.01"))) for name, value in averages] == [
        ("Ana Alpha", Decimal("20.00")),
        ("Zoé Zèbre", Decimal("10.00")),
        (None, Decimal("60.00")),
    ]


def test_two_groupings_and_a_sort_on_the_figure(manager, agent):
    other = factories.agent()
    _calls(agent, other)
    report = builder.build(
        CALLS,
        {
            "group_by": ["direction", "assigned_to"],
            "sort": [{"field": "value", "desc": True}],
        },
        user=manager,
    )
    rows = _rows(report)
    assert [row["agg_value"] for row in rows] == [2, 2, 1, 1]
    assert sum(row["agg_value"] for row in rows) == 6
    assert [c.label for c in report.columns] == ["Direction", "Assigned to", "Count"]


def test_filters_of_each_type_select_the_right_rows(manager, agent):
    other = factories.agent()
    _calls(agent, other)

    def count(*filters, user=manager):
        report = builder.build(CALLS, {"columns": ["subject"], "filters": list(filters)}, user=user)
        return len(_rows(report))

    assert count({"field": "duration_minutes", "op": "gt", "value": "15"}) == 3
    assert count({"field": "duration_minutes", "op": "lte", "value": "15"}) == 3
    assert count({"field": "direction", "op": "eq", "value": "inbound"}) == 3
    assert count({"field": "direction", "op": "ne", "value": "inbound"}) == 3
    assert count({"field": "assigned_to", "op": "empty"}) == 1
    assert count({"field": "starts_at", "op": "eq", "value": "2026-11-16"}) == 6
    assert count({"field": "starts_at", "op": "gt", "value": "2026-11-16"}) == 0
    assert count({"field": "subject", "op": "startswith", "value": "appel"}) == 6
    assert (
        count(
            {"field": "direction", "op": "eq", "value": "outbound"},
            {"field": "duration_minutes", "op": "gte", "value": "30"},
        )
        == 2
    )


def test_is_me_filters_on_the_reader(manager):
    factories.CallFactory(assigned_to=manager)
    factories.CallFactory(assigned_to=factories.agent())
    report = builder.build(
        CALLS,
        {"columns": ["subject"], "filters": [{"field": "assigned_to", "op": "is_me"}]},
        user=manager,
    )
    assert len(_rows(report)) == 1


def test_a_request_number_is_filtered_and_shown_with_its_prefix(manager):
    made = [factories.ServiceRequestFactory() for _ in range(3)]
    report = builder.build(
        REQUESTS,
        {
            "columns": ["number", "title"],
            "filters": [{"field": "number", "op": "eq", "value": made[1].number}],
        },
        user=manager,
    )
    rows = _rows(report)
    assert [row["pk"] for row in rows] == [made[1].pk]
    assert report.display(report.columns[0], rows[0]["c_number"]) == made[1].number
    assert report.link_of(report.columns[0], rows[0]) == made[1].get_absolute_url()


def test_sorting_by_the_definition_then_by_id_and_by_a_header(manager):
    for name in ["Chloé", "alain", "Béatrice", "alain"]:
        factories.ClientFactory(first_name=name, last_name="")
    report = builder.build(
        CLIENTS,
        {"columns": ["name"], "sort": [{"field": "name", "desc": True}]},
        user=manager,
    )
    names = [row["c_name"] for row in _rows(report)]
    assert names == sorted(names, reverse=True)
    pks = [row["pk"] for row in _rows(report, ["c_name"]) if row["c_name"] == "alain"]
    assert pks == sorted(pks)


def test_a_choice_is_shown_by_its_label_and_dates_in_the_body_time_zone(manager):
    call = factories.CallFactory(
        direction="inbound", starts_at=dt.datetime(2026, 11, 17, 3, 30, tzinfo=dt.UTC)
    )
    report = builder.build(CALLS, {"columns": ["direction", "starts_at"]}, user=manager)
    row = _rows(report)[0]
    direction, starts = report.columns
    assert report.display(direction, row["c_direction"]) == "inbound"
    # 03:30 UTC is 22:30 the day before in Montréal
    assert report.export_value(starts, row["c_starts_at"]) == "2026-11-16 22:30"
    assert call.pk == row["pk"]


def test_the_period_of_an_export_narrows_on_the_source_date(manager):
    for day in (1, 15, 30):
        factories.CallFactory(starts_at=timezone.make_aware(dt.datetime(2026, 11, day, 23, 30)))
    report = builder.build(
        CALLS,
        {"columns": ["subject"]},
        user=manager,
        date_from=dt.date(2026, 11, 1),
        date_to=dt.date(2026, 11, 15),
    )
    assert len(_rows(report)) == 2


def test_hours_to_resolve_are_averaged_per_status(manager):
    made = factories.ServiceRequestFactory()
    created = made.created_at
    type(made).objects.filter(pk=made.pk).update(
        status="resolved", resolved_at=created + dt.timedelta(hours=6)
    )
    report = builder.build(
        REQUESTS,
        {"group_by": ["status"], "aggregate": {"fn": "avg", "field": "hours_to_resolve"}},
        user=manager,
    )
    rows = {row["c_status"]: row["agg_value"] for row in _rows(report)}
    assert round(rows["resolved"], 2) == 6.0


# --- cost ---------------------------------------------------------------------------------


@pytest.mark.parametrize("grouped", [False, True])
def test_a_page_costs_the_same_queries_with_few_or_many_rows(
    manager, django_assert_max_num_queries, grouped
):
    data = (
        {"group_by": ["client"], "aggregate": {"fn": "sum", "field": "duration_minutes"}}
        if grouped
        else {"columns": ["subject", "client", "contact", "partner", "assigned_to", "starts_at"]}
    )
    factories.CallFactory()
    report = builder.build(CALLS, data, user=manager)
    with django_assert_max_num_queries(1):
        few = list(report.queryset()[:50])
    Call.objects.bulk_create(
        Call(client=factories.ClientFactory(), subject=f"Appel {n}", starts_at=timezone.now())
        for n in range(30)
    )
    with django_assert_max_num_queries(1):
        many = list(report.queryset()[:50])
    assert len(many) > len(few)


def test_numeric_choices_are_filtered_and_shown_by_their_label(manager):
    from requests_app.models import Priority

    factories.IncidentFactory(priority=Priority.HIGH)
    factories.IncidentFactory(priority=Priority.MODERATE)
    incidents = sources.SOURCES["incidents"]
    report = builder.build(
        incidents,
        {
            "columns": ["number", "priority"],
            "filters": [{"field": "priority", "op": "eq", "value": str(Priority.HIGH.value)}],
        },
        user=manager,
    )
    (row,) = _rows(report)
    assert report.display(report.columns[1], row["c_priority"]) == str(Priority.HIGH.label)
    empty = builder.build(
        incidents,
        {"columns": ["number"], "filters": [{"field": "priority", "op": "empty"}]},
        user=manager,
    )
    assert _rows(empty) == []
