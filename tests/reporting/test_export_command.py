"""manage.py export_report: both formats, --list, and refusals."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from reporting import exportables
from reporting.exportables import ReportDocument, Section, Table
from tests import factories

from .conftest import at, filed, refresh

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def data(group_a):
    permit = factories.chain(["1"], group=group_a, name="@Permis")
    filed(permit, created=at(2026, 3, 2, 10))
    refresh()


def test_list_names_the_dashboards_and_the_providers_reports(monkeypatch):
    monkeypatch.setattr(exportables, "_PROVIDERS", list(exportables._PROVIDERS))
    exportables.register_provider(lambda: [("report-12", "Appels par agent")], lambda *a: None)
    out = io.StringIO()

    call_command("export_report", "--list", stdout=out)

    lines = out.getvalue().splitlines()
    assert "volume\tVolume" in lines
    assert "service-levels\tService levels" in lines
    assert "report-12\tAppels par agent" in lines


def test_csv_to_a_file(tmp_path, data):
    out = tmp_path / "volume.csv"

    call_command(
        "export_report",
        "volume",
        "--format",
        "csv",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--out",
        str(out),
    )

    text = out.read_text(encoding="utf-8-sig")
    assert '"Received, resolved and open"' in text
    assert '"Requests";"1";"0";"1"' in text
    assert '"\'@Permis";"1";"0"' in text


def test_one_section_as_csv(tmp_path, data):
    out = tmp_path / "types.csv"

    call_command(
        "export_report",
        "volume",
        "--format",
        "csv",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--section",
        "requests-by-type",
        "--out",
        str(out),
    )

    assert out.read_text(encoding="utf-8-sig").splitlines() == [
        '"Request type";"Received";"Resolved"',
        '"\'@Permis";"1";"0"',
    ]


def test_pdf_to_a_file(tmp_path, data):
    out = tmp_path / "volume.pdf"

    call_command(
        "export_report",
        "volume",
        "--format",
        "pdf",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--out",
        str(out),
    )

    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Volume" in text and "Requests by type" in text and "@Permis" in text


def test_a_providers_report_is_exported(tmp_path, monkeypatch):
    monkeypatch.setattr(exportables, "_PROVIDERS", list(exportables._PROVIDERS))
    seen = []

    def build(name, date_from, date_to):
        seen.append((name, date_from, date_to))
        table = Table("Calls", ["Agent", "Calls"], [["Anne", 3]])
        return ReportDocument("Calls", "p", [Section("Calls", None, table)])

    exportables.register_provider(lambda: [("report-3", "Calls")], build)
    out = tmp_path / "r.csv"

    call_command(
        "export_report",
        "report-3",
        "--format",
        "csv",
        "--from",
        "2026-01-01",
        "--to",
        "2026-01-31",
        "--out",
        str(out),
    )

    assert seen == [("report-3", date(2026, 1, 1), date(2026, 1, 31))]
    assert '"Anne";"3"' in out.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(
    "args",
    [
        ["nothing-by-this-name", "--out", "-"],
        ["volume", "--from", "2026-02-30", "--out", "-"],
        ["volume", "--from", "2026-03-31", "--to", "2026-03-01", "--out", "-"],
        ["volume"],
        [],
        ["volume", "--format", "pdf", "--section", "1", "--out", "-"],
    ],
)
def test_refusals_are_command_errors(args):
    with pytest.raises(CommandError):
        call_command("export_report", *args, stdout=io.StringIO())
