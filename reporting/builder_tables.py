"""A built report as a django-tables2 table, as the CRM's lists are (contacts/tables.py):
sortable column headers (``?sort=``), the same template, a capped paginator."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tables2.rows import BoundRows

from crm.pagination import COUNT_CAP, CappedPaginator

from .builder import Column, Report

PER_PAGE = 50
TABLE_TEMPLATE = "contacts/lists/_table.html"


class ReportColumn(tables.Column):
    """One column of a report: the value as the report shows it, linked to the row's page for
    the source's name or number."""

    def __init__(self, *, report: Report, column: Column, **kwargs):
        self.report = report
        self.column = column
        super().__init__(**kwargs)

    def render(self, value, record):
        text = self.report.display(self.column, value)
        link = self.report.link_of(self.column, record)
        if link:
            return format_html('<a href="{}">{}</a>', link, text or "—")
        return text

    def value(self, record, value):
        return self.report.export_value(self.column, value)


class ReportTable(tables.Table):
    class Meta:
        template_name = TABLE_TEMPLATE
        attrs = {"class": "table table-hover align-middle mb-0", "data-testid": "report-table"}
        order_by_field = "sort"
        empty_text = _("Nothing matches.")


def table_for(report: Report, *, sort=()) -> ReportTable:
    """The table of ``report`` sorted by the ``?sort=`` headers (unknown ones are ignored);
    ``table.data.data`` is then the sorted queryset."""
    grouped = report.definition.grouped
    tie = tuple(c.key for c in report.columns if c.field is not None) if grouped else ("pk",)
    columns = {}
    for column in report.columns:
        order_by = (column.key, *(key for key in tie if key != column.key))
        columns[column.key] = ReportColumn(
            report=report,
            column=column,
            accessor=column.key,
            verbose_name=column.label,
            order_by=order_by,
            attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}}
            if column.numeric
            else {},
        )
    meta = type(
        "Meta",
        (ReportTable.Meta,),
        {"sequence": tuple(columns)},
    )
    table_class = type("BuiltReportTable", (ReportTable,), {**columns, "Meta": meta})
    table = table_class(report.queryset())
    if sort:
        table.order_by = sort
    return table


def paginate(table: ReportTable, page_number, *, report: Report) -> object:
    """The page ``?page=`` asks for (the last one past the end), counted up to a cap."""
    # Counted without the columns, their joins and the order: the rows that pass the filters.
    paginator = CappedPaginator(
        table.data.data,
        PER_PAGE,
        count_cap=COUNT_CAP,
        counted=report.counted(),
        ordered_count=False,
    )
    page = paginator.get_page(page_number)
    table.paginator = paginator
    page.object_list = BoundRows(list(page.object_list), table)
    table.page = page
    return page
