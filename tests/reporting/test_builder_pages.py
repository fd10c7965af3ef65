"""The report builder's pages: who may build, read and export a report; the sortable table; the
CSV and PDF through the shared export layer; bad input answered 4xx."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from pypdf import PdfReader

from reporting.models import ReportSubscription, SavedReport
from reporting.services import saved_report_create
from tests import factories
from tests.helpers import text
from tests.reporting import builder_personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited_manager(db):
    return builder_personas.limited_manager()


LIST = reverse("report_builder:list")


def _report(owner, **kwargs):
    kwargs.setdefault("name", "Appels par direction")
    kwargs.setdefault("source", "calls")
    kwargs.setdefault(
        "definition",
        {"columns": ["subject", "direction", "duration_minutes"], "sort": [{"field": "subject"}]},
    )
    return saved_report_create(by=owner, **kwargs)


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return [[cell.strip('"') for cell in line.split(";")] for line in body.strip().split("\r\n")]


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["manager", "administrator"])
def test_managers_and_administrators_open_the_saved_reports(login, request, persona):
    user = request.getfixturevalue(persona)
    response = login(user).get(LIST)
    assert response.status_code == 200
    assert 'data-testid="new-report-form"' in text(response)


@pytest.mark.parametrize("persona", ["agent", "citizen"])
def test_agents_and_citizens_see_no_report(login, request, persona, manager):
    saved = _report(manager)
    client = login(request.getfixturevalue(persona))
    for url in (
        LIST,
        reverse("report_builder:create") + "?source=calls",
        saved.get_absolute_url(),
        reverse("report_builder:export", args=[saved.pk, "csv"]),
    ):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_go_to_the_login_page(client, manager):
    saved = _report(manager)
    for url in (LIST, saved.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_report_shared_with_a_group_is_read_by_its_managers_only(login, manager, ours, theirs):
    # given a report of one manager, shared with "ours"
    saved = _report(manager, shared_with=[ours])
    member = factories.manager(email="membre@example.org")
    ours.members.add(member)
    other = factories.manager(email="autre-gestion@example.org")
    theirs.members.add(other)
    # then the manager of "ours" reads it, but may not change it; the other manager may not
    assert login(member).get(saved.get_absolute_url()).status_code == 200
    assert login(member).get(reverse("report_builder:edit", args=[saved.pk])).status_code == 403
    assert login(member).post(reverse("report_builder:delete", args=[saved.pk])).status_code == 403
    assert login(other).get(saved.get_absolute_url()).status_code == 403
    assert "Appels par direction" not in text(login(other).get(LIST))
    assert "Appels par direction" in text(login(member).get(LIST))


def test_an_administrator_reads_and_deletes_any_report(login, manager, administrator):
    saved = _report(manager)
    client = login(administrator)
    assert client.get(saved.get_absolute_url()).status_code == 200
    response = client.post(reverse("report_builder:delete", args=[saved.pk]))
    assert response.status_code == 302
    assert not SavedReport.objects.exists()


def test_a_shared_report_with_a_field_its_reader_may_not_see_is_refused_by_name(
    login, manager, limited_manager, ours
):
    saved = saved_report_create(
        by=manager,
        name="Demandes et demandeurs",
        source="requests",
        definition={"columns": ["number", "requester"]},
        shared_with=[ours],
    )
    ours.members.add(limited_manager)
    factories.ServiceRequestFactory(requester=factories.ClientFactory(last_name="Secret"))
    response = login(limited_manager).get(saved.get_absolute_url())
    assert response.status_code == 403
    body = text(response)
    assert 'data-testid="report-refused"' in body and "“Demandeur”" in body
    assert "Secret" not in body
    export = login(limited_manager).get(reverse("report_builder:export", args=[saved.pk, "csv"]))
    assert export.status_code == 403


def test_the_form_offers_only_the_fields_the_reader_may_see(login, limited_manager):
    body = text(login(limited_manager).get(reverse("report_builder:create") + "?source=requests"))
    assert 'value="title"' in body
    assert 'value="requester"' not in body and 'value="requester_email"' not in body


def test_a_forged_forbidden_column_is_refused_with_a_clear_message(login, limited_manager):
    response = login(limited_manager).post(
        reverse("report_builder:create") + "?source=requests",
        {"name": "Forcé", "columns": ["number", "requester"], "save": "1"},
    )
    assert response.status_code == 400
    assert "« requester » n'est pas un champ que vous pouvez utiliser" in text(response)
    assert not SavedReport.objects.exists()


# --- building, showing, sorting ---------------------------------------------------------------


def test_a_manager_builds_previews_and_saves_a_report(login, manager):
    factories.CallFactory(subject="Suivi Dupont", duration_minutes=25)
    client = login(manager)
    url = reverse("report_builder:create") + "?source=calls"
    form = {
        "name": "Longs appels",
        "columns": ["subject", "duration_minutes"],
        "filter_0_field": "duration_minutes",
        "filter_0_op": "gte",
        "filter_0_value": "20",
        "sort_field": "duration_minutes",
        "sort_desc": "1",
    }
    preview = client.post(url, {**form, "preview": "1"})
    assert preview.status_code == 200
    assert "Suivi Dupont" in text(preview) and not SavedReport.objects.exists()
    saved = client.post(url, {**form, "save": "1"})
    report = SavedReport.objects.get()
    assert saved["Location"] == report.get_absolute_url()
    assert report.definition["filters"] == [
        {"field": "duration_minutes", "op": "gte", "value": "20"}
    ]
    page = text(client.get(report.get_absolute_url()))
    assert "Suivi Dupont" in page and 'data-testid="report-table"' in page


def test_the_form_keeps_what_was_typed_when_it_is_refused(login, manager):
    response = login(manager).post(
        reverse("report_builder:create") + "?source=calls",
        {
            "name": "Mon rapport",
            "columns": ["subject"],
            "filter_0_field": "duration_minutes",
            "filter_0_op": "gt",
            "filter_0_value": "beaucoup",
            "save": "1",
        },
    )
    assert response.status_code == 400
    body = text(response)
    assert 'value="Mon rapport"' in body and 'value="beaucoup"' in body


def test_the_table_headers_sort_the_rows(login, manager):
    for subject, minutes in [("B", 30), ("A", 10), ("C", 20)]:
        factories.CallFactory(subject=subject, duration_minutes=minutes)
    saved = _report(manager)
    client = login(manager)

    def subjects(sort):
        response = client.get(saved.get_absolute_url(), {"sort": sort} if sort else {})
        table = response.context["table"]
        return [row.record["c_subject"] for row in table.page.object_list]

    assert subjects(None) == ["A", "B", "C"]
    assert subjects("-c_subject") == ["C", "B", "A"]
    assert subjects("c_duration_minutes") == ["A", "C", "B"]
    assert subjects("nonsense") == ["A", "B", "C"]
    body = text(client.get(saved.get_absolute_url()))
    assert 'href="?sort=c_duration_minutes"' in body


def test_the_report_page_costs_the_same_queries_with_more_rows(
    login, manager, django_assert_max_num_queries
):
    saved = _report(
        manager, definition={"columns": ["subject", "client", "assigned_to", "starts_at"]}
    )
    client = login(manager)
    factories.CallFactory()
    client.get(saved.get_absolute_url())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(saved.get_absolute_url())
    for _ in range(20):
        factories.CallFactory(assigned_to=factories.agent())
    with django_assert_max_num_queries(len(few)):
        assert client.get(saved.get_absolute_url()).status_code == 200


def _calls_around_a_month_end():
    """Three calls, in Montréal time: the last evening of October, the first hour of November,
    and the last evening of November (after midnight UTC)."""
    tz = ZoneInfo("America/Montreal")
    for subject, moment in [
        ("Octobre", dt.datetime(2026, 10, 31, 23, 30, tzinfo=tz)),
        ("Début novembre", dt.datetime(2026, 11, 1, 0, 15, tzinfo=tz)),
        ("Fin novembre", dt.datetime(2026, 11, 30, 22, 45, tzinfo=tz)),
    ]:
        factories.CallFactory(subject=subject, starts_at=moment)


NOVEMBER = {"date_from": "2026-11-01", "date_to": "2026-11-30"}


def test_the_period_keeps_the_rows_of_its_local_days_only(login, manager):
    _calls_around_a_month_end()
    saved = _report(manager)
    client = login(manager)
    # every row when no period is asked
    response = client.get(saved.get_absolute_url())
    assert [r.record["c_subject"] for r in response.context["table"].page.object_list] == [
        "Début novembre",
        "Fin novembre",
        "Octobre",
    ]
    # November in the body's time zone: the evening of the 30th is in, the 31st of October out
    response = client.get(saved.get_absolute_url(), NOVEMBER)
    assert response.status_code == 200
    subjects = [r.record["c_subject"] for r in response.context["table"].page.object_list]
    assert subjects == ["Début novembre", "Fin novembre"]
    body = text(response)
    assert 'value="2026-11-01"' in body and 'value="2026-11-30"' in body
    # the export links carry the period
    assert "export.csv?date_from=2026-11-01&date_to=2026-11-30" in body
    # one end only: from the 1st of November, with no end
    response = client.get(saved.get_absolute_url(), {"date_from": "2026-11-01"})
    assert len(response.context["table"].page.object_list) == 2


def test_the_period_and_the_sort_go_together(login, manager):
    _calls_around_a_month_end()
    saved = _report(manager)
    response = login(manager).get(saved.get_absolute_url(), {**NOVEMBER, "sort": "-c_subject"})
    subjects = [r.record["c_subject"] for r in response.context["table"].page.object_list]
    assert subjects == ["Fin novembre", "Début novembre"]
    # the period form keeps the sort, and the headers keep the period
    body = text(response)
    assert '<input type="hidden" name="sort" value="-c_subject">' in body
    assert "date_from=2026-11-01" in body.split('data-testid="report-count"')[1]


def test_the_csv_and_the_pdf_hold_the_period_asked(login, manager):
    _calls_around_a_month_end()
    saved = _report(manager)
    client = login(manager)
    rows = _csv(client.get(reverse("report_builder:export", args=[saved.pk, "csv"]), NOVEMBER))
    assert [row[0] for row in rows[1:]] == ["Début novembre", "Fin novembre"]
    response = client.get(reverse("report_builder:export", args=[saved.pk, "pdf"]), NOVEMBER)
    pages = PdfReader(io.BytesIO(response.content)).pages
    content = " ".join(page.extract_text() for page in pages)
    assert "Octobre" not in content and "Fin novembre" in content
    assert "1 novembre 2026" in content and "30 novembre 2026" in content


@pytest.mark.parametrize(
    "period",
    [
        {"date_from": "2026-11-30", "date_to": "2026-11-01"},
        {"date_from": "hier"},
        {"date_to": "2026-02-30"},
        {"date_from": "2026-11-01" + "9" * 5000},
    ],
)
def test_a_bad_period_is_said_and_kept_and_exports_nothing(login, manager, period):
    _calls_around_a_month_end()
    saved = _report(manager)
    client = login(manager)
    response = client.get(saved.get_absolute_url(), period)
    assert response.status_code == 400
    body = text(response)
    assert "invalid-feedback" in body
    typed = period.get("date_from", "")
    if typed and len(typed) < 20:
        # what was typed stays in the field
        assert f'value="{typed}"' in body
    for fmt in ("csv", "pdf"):
        export = client.get(reverse("report_builder:export", args=[saved.pk, fmt]), period)
        assert export.status_code == 400


# --- exports ----------------------------------------------------------------------------------


def test_the_csv_has_the_columns_the_rows_in_the_page_order_and_escapes_formulas(login, manager):
    factories.CallFactory(subject='=HYPERLINK("http://x")', duration_minutes=5)
    factories.CallFactory(subject="Bonjour", direction="inbound", duration_minutes=40)
    saved = _report(manager)
    response = login(manager).get(
        reverse("report_builder:export", args=[saved.pk, "csv"]), {"sort": "-c_duration_minutes"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="appels-par-direction.csv"' in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == ["Sujet", "Direction", "Durée (minutes)"]
    assert rows[1] == ["Bonjour", "entrant", "40"]
    assert rows[2][0].startswith("'=HYPERLINK")


def test_the_csv_of_a_grouped_report_holds_the_figures(login, manager):
    for minutes in (10, 20):
        factories.CallFactory(direction="inbound", duration_minutes=minutes)
    factories.CallFactory(direction="outbound", duration_minutes=7)
    saved = _report(
        manager,
        name="Minutes par direction",
        definition={
            "group_by": ["direction"],
            "aggregate": {"fn": "sum", "field": "duration_minutes"},
            "sort": [{"field": "direction"}],
        },
    )
    rows = _csv(login(manager).get(reverse("report_builder:export", args=[saved.pk, "csv"])))
    assert rows == [
        ["Direction", "Somme de Durée (minutes)"],
        ["entrant", "30"],
        ["sortant", "7"],
    ]


def test_the_pdf_holds_the_title_and_the_rows(login, manager):
    factories.CallFactory(subject="Appel à Gatineau", duration_minutes=12)
    saved = _report(manager)
    response = login(manager).get(reverse("report_builder:export", args=[saved.pk, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.content))
    content = " ".join(page.extract_text() for page in pdf.pages)
    assert "Appels par direction" in content and "Appel à Gatineau" in content


def test_a_saved_report_is_listed_and_exported_by_the_command(manager, tmp_path):
    from django.core.management import call_command

    factories.CallFactory(subject="Par la commande")
    saved = _report(manager)
    listing = io.StringIO()
    call_command("export_report", "--list", stdout=listing)
    assert f"report-{saved.pk}\tAppels par direction" in listing.getvalue()
    out = tmp_path / "r.csv"
    call_command(
        "export_report",
        f"report-{saved.pk}",
        "--format",
        "csv",
        "--from",
        "2000-01-01",
        "--to",
        "2100-01-01",
        "--out",
        str(out),
    )
    assert "Par la commande" in out.read_text(encoding="utf-8-sig")


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["?source=nope", "?source=", "", "?source=calls\x00", "?source=" + "x" * 500]
)
def test_an_unknown_source_is_a_400(login, manager, query):
    assert login(manager).get(reverse("report_builder:create") + query).status_code == 400


def test_a_bad_page_or_sort_never_breaks_the_page(login, manager):
    saved = _report(manager)
    client = login(manager)
    for params in ({"page": "abc"}, {"page": "999999"}, {"sort": "-" * 300}, {"sort": "pk"}):
        assert client.get(saved.get_absolute_url(), params).status_code == 200


def test_an_unknown_report_or_format_is_a_404(login, manager):
    saved = _report(manager)
    client = login(manager)
    assert client.get(reverse("report_builder:detail", args=[saved.pk + 1])).status_code == 404
    assert client.get(f"/reports/saved/{saved.pk}/export.xls").status_code == 404


def test_a_subscription_without_recipient_or_with_a_bad_address_is_refused(login, manager):
    saved = _report(manager)
    client = login(manager)
    url = reverse("report_builder:subscribe", args=[saved.pk])
    nobody = client.post(url, {"frequency": "weekly", "format": "pdf"})
    assert nobody.status_code == 400 and "Choisissez un groupe" in text(nobody)
    bad = client.post(url, {"frequency": "weekly", "format": "pdf", "addresses": "pas-une-adresse"})
    assert bad.status_code == 400
    wrong = client.post(url, {"frequency": "hourly", "format": "pdf", "addresses": "a@b.org"})
    assert wrong.status_code == 400
    assert not ReportSubscription.objects.exists()


def test_a_manager_subscribes_addresses_and_removes_the_subscription(login, manager, ours):
    saved = _report(manager)
    client = login(manager)
    response = client.post(
        reverse("report_builder:subscribe", args=[saved.pk]),
        {
            "frequency": "monthly",
            "format": "csv",
            "addresses": "A@x.org, b@x.org",
            "group": ours.pk,
        },
    )
    assert response.status_code == 302
    subscription = ReportSubscription.objects.get()
    assert subscription.addresses == "a@x.org\nb@x.org" and subscription.group == ours
    assert "b@x.org" in text(client.get(saved.get_absolute_url()))
    other = factories.manager()
    ours.members.add(other)
    saved.shared_with.add(ours)
    refused = login(other).post(
        reverse("report_builder:unsubscribe", args=[saved.pk, subscription.pk])
    )
    assert refused.status_code == 403
    removed = login(manager).post(
        reverse("report_builder:unsubscribe", args=[saved.pk, subscription.pk])
    )
    assert removed.status_code == 302 and not ReportSubscription.objects.exists()


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/reports/saved/", "report_builder:list"),
        ("/reports/saved/new/", "report_builder:create"),
        ("/reports/saved/3/", "report_builder:detail"),
        ("/reports/volume/", "reports:dashboard"),
    ],
)
def test_the_builder_s_addresses_are_not_taken_by_a_dashboard_s_name(path, name):
    from django.urls import resolve

    assert resolve(path).view_name == name
