"""The CSV export of a CRM list: exactly the rows the filter shows (every page, in the list's
order), the list's columns under translated headers, times in the body's time zone, cells a
spreadsheet would run as formulas escaped, streamed."""

import csv
import datetime
import io

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from tests import factories
from tests.contacts import crm_rows
from tests.contacts.test_lists import names

pytestmark = pytest.mark.django_db


def read(answer) -> list[list[str]]:
    assert isinstance(answer, StreamingHttpResponse)
    body = b"".join(answer.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def test_the_export_has_exactly_the_filtered_rows_in_the_list_order(client, agent):
    # given clients, some of whom the filter keeps
    for last in ("Jodöin", "Jodoin-Tremblay", "Roy", "Abel-Jodoin"):
        factories.ClientFactory(first_name="A", last_name=last, city="Laval")
    factories.ClientFactory(first_name="B", last_name="Jodoin", city="Québec")
    client.force_login(agent)
    # when the filtered list is exported, sorted by name backwards
    answer = client.get(
        "/agent/clients/export.csv", {"q": "jodoin", "city": "laval", "sort": "-name"}
    )
    # then it is a streamed download of exactly these rows, in that order
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="clients-' in answer["Content-Disposition"]
    rows = read(answer)
    assert rows[0] == [
        "Nom",
        "Adresse courriel",
        "Téléphone",
        "Type de client",
        "Ville",
        "Conseiller",
        "Date de création",
    ]
    exported = [row[0] for row in rows[1:]]
    assert sorted(exported) == sorted(["A Jodoin-Tremblay", "A Jodöin", "A Abel-Jodoin"])
    listed = client.get("/agent/clients/", {"q": "jodoin", "city": "laval", "sort": "-name"})
    assert exported == names(listed)


def test_the_export_is_not_cut_at_one_page(client, agent):
    factories.PartnerFactory.create_batch(120, city="Gatineau")
    client.force_login(agent)
    rows = read(client.get("/agent/partners/export.csv", {"city": "gatineau"}))
    assert len(rows) == 1 + 120


def test_cells_a_spreadsheet_would_run_are_escaped(client, agent):
    factories.PartnerFactory(name='=HYPERLINK("http://evil.example","Cliquez")', city="+1+cmd")
    factories.PartnerFactory(name="@SUM(A1)", city="-2+3")
    client.force_login(agent)
    rows = read(client.get("/agent/partners/export.csv", {"sort": "name"}))
    cells = {cell for row in rows[1:] for cell in row}
    assert '\'=HYPERLINK("http://evil.example","Cliquez")' in cells
    assert "'@SUM(A1)" in cells and "'+1+cmd" in cells and "'-2+3" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_times_are_in_the_body_time_zone_and_choices_by_their_label(client, agent, settings):
    settings.TIME_ZONE = "America/Montreal"
    lea = factories.ClientFactory(first_name="Léa", last_name="Jodöin")
    factories.CallFactory(
        client=lea,
        subject="Suivi",
        direction="inbound",
        starts_at=datetime.datetime(2026, 7, 1, 14, 30, tzinfo=datetime.UTC),
        assigned_to=agent,
    )
    client.force_login(agent)
    rows = read(client.get("/agent/calls/export.csv"))
    header, row = rows[0], rows[1]
    assert dict(zip(header, row, strict=True))["Lié à"] == "Léa Jodöin"
    assert "2026-07-01 10:30" in row  # 14:30 UTC is 10:30 in Montréal (summer time)
    assert str(agent) in row
    # a choice by its label, not its stored code
    crm_rows.sae_file("SAE-1", status="open")
    rows = read(client.get("/agent/sae-files/export.csv"))
    assert rows[1][0] == "SAE-1" and rows[1][2] == "ouverte"


def test_english_headers_for_an_english_speaking_agent(client):
    agent = factories.agent(email="en@example.org", language="en")
    crm_rows.sae_file("SAE-1")
    client.force_login(agent)
    client.cookies["django_language"] = "en"
    rows = read(client.get("/agent/sae-files/export.csv", HTTP_ACCEPT_LANGUAGE="en"))
    assert rows[0][0] == "File identifier"
    assert rows[1][0] == "SAE-1"


@pytest.mark.parametrize("kind_path", ["clients", "calls", "documents", "sae-files"])
def test_managers_export_citizens_and_visitors_do_not(client, manager, citizen, kind_path):
    url = f"/agent/{kind_path}/export.csv"
    client.force_login(manager)
    assert client.get(url).status_code == 200
    client.force_login(citizen)
    assert client.get(url).status_code == 403
    client.logout()
    assert "/accounts/login/" in client.get(url).url


def test_the_export_reads_its_rows_in_chunks_at_a_constant_number_of_queries(
    client, agent, django_assert_max_num_queries
):
    client.force_login(agent)
    for index in range(30):
        factories.CallFactory(
            client=factories.ClientFactory(), assigned_to=agent, subject=f"Appel {index}"
        )
    with django_assert_max_num_queries(6):
        rows = read(client.get("/agent/calls/export.csv", {"mine": "on"}))
    assert len(rows) == 31
    assert timezone.now()
