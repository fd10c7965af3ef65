"""The shared export layer: tables as streamed CSV through crm/csv.py, documents as PDF,
charts as SVG without script or style, and the registry of what is exportable by name."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from reporting import charts, exportables
from reporting.exportables import Link, ReportDocument, Section, Table

# The registry also lists the saved reports, which are rows.
pytestmark = pytest.mark.django_db


def _csv(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_csv_response_streams_and_escapes_formula_cells():
    rows = (row for row in [["=1+1", "+33 6", "-12", "@SUM(A1)", "\tx", "ok"]])
    response = exportables.csv_response(Table("T", ["a", "b", "c", "d", "e", "f"], rows), "t.csv")

    assert response.streaming
    assert _csv(response).splitlines()[1] == (
        '"\'=1+1";"\'+33 6";"\'-12";"\'@SUM(A1)";"\'\tx";"ok"'
    )
    assert 'filename="t.csv"' in response["Content-Disposition"]


def test_a_link_cell_is_written_as_its_text():
    table = Table("T", ["n"], [[Link("REQ0000001", "/agent/requests/1/")], [None]])

    assert _csv(exportables.csv_response(table, "t.csv")).splitlines()[1:] == [
        '"REQ0000001"',
        '""',
    ]


def test_render_pdf_writes_the_body_name_period_charts_and_tables(settings):
    settings.GUICHET_BODY_NAME = "Faculté de médecine"
    chart = charts.bar("Demandes", ["Permis", "Subvention"], [("Reçues", [3, 5])])
    document = ReportDocument(
        title="Volume",
        period_label="1 mars – 31 mars 2026",
        sections=[
            Section("Par type", chart, Table("Par type", ["Type", "Reçues"], [["Permis", 3]])),
            Section("Vide", None, Table("Vide", ["Type"], iter([]))),
        ],
    )

    pdf = exportables.render_pdf(document)

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert pdf.startswith(b"%PDF")
    assert "FACULTÉ DE MÉDECINE" in text.upper()
    assert "1 mars – 31 mars 2026" in text
    assert "Par type" in text and "Permis" in text and "3" in text
    # The chart's own text (its title, labels) is in the PDF: drawn, not an image.
    assert text.count("Demandes") >= 1 and "Subvention" in text


def test_charts_are_inline_svg_without_script_style_or_size():
    svg = charts.line("Tendance", ["a", "b", "c"], [("x", [1, 2, None])]).svg

    assert svg.startswith("<svg")
    assert "<script" not in svg and "<style" not in svg and "style=" not in svg
    assert 'viewBox="0 0 720 320"' in svg
    assert ' width="' not in svg.split(">", 1)[0]
    assert 'role="img"' in svg and 'aria-label="Tendance"' in svg


def test_charts_are_drawn_by_the_library_with_one_colour_class_per_series():
    svg = charts.bar("B", ["a"], [("one", [1]), ("two", [2])], stacked=True).svg

    assert "color-0" in svg and "color-1" in svg


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(exportables, "_EXPORTABLES", dict(exportables._EXPORTABLES))
    monkeypatch.setattr(exportables, "_PROVIDERS", list(exportables._PROVIDERS))


def _document(title):
    return ReportDocument(title=title, period_label="p", sections=[])


def test_register_and_build_by_name(registry):
    seen = []

    def build(date_from, date_to, user):
        seen.append((date_from, date_to, user))
        return _document("Mine")

    exportables.register_exportable("mine", label="Mine", build=build)
    document = exportables.build_exportable(
        "mine", date_from=date(2026, 1, 1), date_to=date(2026, 1, 31)
    )

    assert document.title == "Mine"
    assert seen == [(date(2026, 1, 1), date(2026, 1, 31), None)]
    assert ("mine", "Mine") in exportables.exportable_names()


def test_a_name_is_a_slug_and_registered_once(registry):
    exportables.register_exportable("once", label="Once", build=lambda *a: _document("1"))
    with pytest.raises(ValueError):
        exportables.register_exportable("once", label="Again", build=lambda *a: _document("2"))
    with pytest.raises(ValueError):
        exportables.register_exportable("Not a slug", label="x", build=lambda *a: _document("3"))


def test_providers_name_documents_at_run_time(registry):
    saved = {"report-7": "Demandes par agent"}

    def build(name, date_from, date_to):
        return _document(saved[name]) if name in saved else None

    exportables.register_provider(lambda: list(saved.items()), build)

    assert ("report-7", "Demandes par agent") in exportables.exportable_names()
    assert (
        exportables.build_exportable(
            "report-7", date_from=date(2026, 1, 1), date_to=date(2026, 1, 2)
        ).title
        == "Demandes par agent"
    )
    with pytest.raises(exportables.UnknownExportable):
        exportables.build_exportable(
            "report-8", date_from=date(2026, 1, 1), date_to=date(2026, 1, 2)
        )


def test_the_dashboards_are_registered():
    names = [name for name, _label in exportables.exportable_names()]

    expected = ["volume", "service-levels", "backlog", "workload", "chains", "activity", "imports"]
    assert [slug for slug in expected if slug in names] == expected
