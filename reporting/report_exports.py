"""A saved report as the shared export layer hands it out (exportables.py): its table, its
chart when it is grouped, its document (the PDF, the scheduled mail), and its name for
``manage.py export_report`` (``report-<id>``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from . import builder, charts, exportables
from .models import SavedReport

# A PDF is read by a person: past this many rows it says so and stops (the CSV has them all).
PDF_MAX_ROWS = 2000
# A grouped report's chart shows its first groups, in the report's order.
CHART_MAX_GROUPS = 30
NAME_PREFIX = "report-"


def report_for(
    saved: SavedReport, *, user, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> builder.Report:
    """The report of ``saved`` for ``user`` (``ValidationError`` if they may not see a field it
    uses)."""
    return builder.build(
        saved.source_spec, saved.definition, user=user, date_from=date_from, date_to=date_to
    )


def chart_of(report: builder.Report, rows: list[dict]) -> exportables.Chart | None:
    """A grouped report's figure per group, as bars (its first group field, then the second's
    values as the labels' second part)."""
    if not report.definition.grouped or not rows:
        return None
    group_columns = report.columns[:-1]
    figure = report.columns[-1]
    labels = [
        " · ".join(report.display(c, row[c.key]) or "—" for c in group_columns)
        for row in rows[:CHART_MAX_GROUPS]
    ]
    values = [float(row[figure.key] or 0) for row in rows[:CHART_MAX_GROUPS]]
    return charts.bar(figure.label, labels, [(figure.label, values)], horizontal=True)


def period_label(date_from: dt.date | None, date_to: dt.date | None) -> str:
    if date_from is None and date_to is None:
        return _("As of %(day)s") % {
            "day": formats.date_format(timezone.localdate(), "DATE_FORMAT")
        }
    return _("From %(start)s to %(end)s") % {
        "start": formats.date_format(date_from, "DATE_FORMAT") if date_from else "…",
        "end": formats.date_format(date_to, "DATE_FORMAT") if date_to else "…",
    }


def table_of(saved: SavedReport, report: builder.Report, rows=None, *, limit=None):
    """The report's rows as a Table of text; ``rows`` a sorted ``report.queryset()``."""
    return exportables.Table(
        title=saved.name,
        headers=report.headers(),
        rows=report.export_rows(rows, limit=limit),
    )


def document_of(
    saved: SavedReport, report: builder.Report, *, rows: QuerySet | None = None, label: str = ""
) -> exportables.ReportDocument:
    rows = report.queryset() if rows is None else rows
    table = exportables.Table(
        title=saved.name,
        headers=report.headers(),
        rows=list(report.export_rows(rows, limit=PDF_MAX_ROWS + 1)),
    )
    note = saved.description
    if len(table.rows) > PDF_MAX_ROWS:
        table.rows = table.rows[:PDF_MAX_ROWS]
        note = " ".join(
            part
            for part in (
                note,
                _("The first %(n)d rows only: the CSV export holds them all.")
                % {"n": PDF_MAX_ROWS},
            )
            if part
        )
    chart = None
    if report.definition.grouped:
        chart = chart_of(report, list(rows[:CHART_MAX_GROUPS]))
    section = exportables.Section(
        title=str(saved.source_spec.label), chart=chart, table=table, note=note
    )
    return exportables.ReportDocument(
        title=saved.name,
        period_label=label or period_label(report.date_from, report.date_to),
        sections=[section],
    )


# --- manage.py export_report ------------------------------------------------------------------


def list_names() -> list[tuple[str, str]]:
    return [
        (f"{NAME_PREFIX}{pk}", name)
        for pk, name in SavedReport.objects.order_by("pk").values_list("pk", "name")
    ]


def build(name: str, date_from: dt.date, date_to: dt.date) -> exportables.ReportDocument | None:
    """The document of the saved report named ``report-<id>``, read as its owner sees it, for
    the period (on its source's date: a request's filing, a call's time…)."""
    if not name.startswith(NAME_PREFIX) or not name[len(NAME_PREFIX) :].isdigit():
        return None
    saved = SavedReport.objects.select_related("owner").filter(pk=int(name[len(NAME_PREFIX) :]))
    saved = saved.first()
    if saved is None:
        return None
    try:
        report = report_for(saved, user=saved.owner, date_from=date_from, date_to=date_to)
    except ValidationError as error:
        return exportables.ReportDocument(
            title=saved.name,
            period_label=period_label(date_from, date_to),
            sections=[
                exportables.Section(
                    title=str(saved.source_spec.label),
                    chart=None,
                    table=exportables.Table(saved.name, [], []),
                    note=" ".join(error.messages),
                )
            ],
        )
    return document_of(saved, report)


def register() -> None:
    exportables.register_provider(list_names, build)
