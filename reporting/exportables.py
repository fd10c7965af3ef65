"""What reporting hands out as files: the tables and charts of a dashboard or a report, as a CSV
download or a PDF, and the registry of what can be exported by name (``manage.py
export_report``).

A dashboard or a report builds a :class:`ReportDocument`: sections, each a chart (optional) and
the table of its figures. The page shows the same document as the PDF, so that what a manager
reads on screen and what goes out by mail say the same thing.

Two ways to be exportable by name:

- ``register_exportable(name, label=…, build=…)``: one document, built for a period and a
  reader (``user`` is None when a command builds it: the operator of the machine reads all);
- ``register_provider(list_names, build)``: a family of documents whose names are only known at
  run time (saved reports): ``list_names()`` gives ``(name, label)`` pairs and
  ``build(name, date_from, date_to)`` the document, or None when the name is not its own.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.http import StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from crm import csv as crm_csv


@dataclass(frozen=True)
class Link:
    """A cell that the page shows as a link to the record; CSV and PDF write its text."""

    text: str
    url: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Table:
    """A table of figures. ``rows`` may be a generator (a CSV export streams it); a document
    that is rendered twice (page and PDF) should hold a list."""

    title: str
    headers: list[str]
    rows: Iterable[Sequence]


@dataclass
class Chart:
    """A chart drawn on the server: an SVG element, safe to inline (no script, no style)."""

    title: str
    svg: str


@dataclass
class Section:
    title: str
    chart: Chart | None
    table: Table
    # Shown under the title, e.g. how the figures are computed.
    note: str = ""


@dataclass
class ReportDocument:
    title: str
    period_label: str
    sections: list[Section]
    generated_at: datetime = field(default_factory=timezone.now)
    # When the figures were last refreshed (summary tables), if they are not live.
    fresh_as_of: datetime | None = None

    def section(self, key: str | int) -> Section:
        """A section by its position (0-based) or by the slug of its title."""
        if isinstance(key, int):
            return self.sections[key]
        for section in self.sections:
            if slugify(section.title) == key:
                return section
        raise KeyError(key)


# --- CSV --------------------------------------------------------------------------------------


def csv_response(table: Table, filename: str) -> StreamingHttpResponse:
    """The table as a streamed CSV download, written by the project's one CSV writer (cells that
    a spreadsheet would run as formulas are escaped there)."""
    return crm_csv.csv_response(table.rows, filename=filename, header=table.headers)


def document_csv_lines(document: ReportDocument) -> Iterator[str]:
    """Every table of the document one after the other, each under a line with its title and
    separated by an empty line: one file for a script that wants the whole dashboard."""
    for index, section in enumerate(document.sections):
        if index:
            yield "\r\n"
        yield from crm_csv.csv_lines([[section.table.title]], bom=index == 0)
        yield from crm_csv.csv_lines(section.table.rows, header=section.table.headers)


def csv_filename(*parts: str) -> str:
    return "-".join(slugify(str(part)) for part in parts if part) + ".csv"


# --- PDF --------------------------------------------------------------------------------------


def css_string(text: str) -> str:
    """``text`` safe between the double quotes of a CSS string inside a <style> element."""
    escaped = []
    for char in " ".join(str(text).split()):
        if char in "\\\"'<>&" or ord(char) < 32:
            escaped.append(f"\\{ord(char):x} ")
        else:
            escaped.append(char)
    return "".join(escaped)


def body_name() -> str:
    return settings.GUICHET_BODY_NAME


def render_pdf(document: ReportDocument) -> bytes:
    """The document as a PDF (WeasyPrint): the body's name, the period, then each section's
    chart (the page's own SVG, inline) and its table."""
    from weasyprint import HTML  # a heavy import, paid only by who renders a PDF

    from .charts import for_print

    # A table's rows may be a generator: read once. Charts carry their stylesheet: the PDF's
    # renderer draws an SVG on its own, without the page's CSS.
    sections = [
        (section, list(section.table.rows), for_print(section.chart.svg) if section.chart else "")
        for section in document.sections
    ]
    html = render_to_string(
        "reporting/pdf.html",
        {
            "document": document,
            "sections": sections,
            "body_name": body_name(),
            # The pages' footer, written into the stylesheet as a CSS string.
            "footer_css": css_string(f"{body_name()} · {document.title}"),
            "generated_at": timezone.localtime(document.generated_at),
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


# --- registry ---------------------------------------------------------------------------------

Builder = Callable[[date, date, object], ReportDocument]


@dataclass(frozen=True)
class Exportable:
    name: str
    label: str
    build: Builder


@dataclass(frozen=True)
class Provider:
    list_names: Callable[[], list[tuple[str, str]]]
    build: Callable[[str, date, date], ReportDocument | None]


_EXPORTABLES: dict[str, Exportable] = {}
_PROVIDERS: list[Provider] = []


class UnknownExportable(LookupError):
    """No dashboard or report bears this name."""


def register_exportable(name: str, *, label, build: Builder) -> None:
    """Make ``build(date_from, date_to, user)`` exportable as ``name`` (a slug)."""
    if name != slugify(name):
        raise ValueError(f"exportable name {name!r} is not a slug")
    existing = _EXPORTABLES.get(name)
    if existing is not None and existing.build is not build:
        raise ValueError(f"exportable {name!r} is registered twice")
    _EXPORTABLES[name] = Exportable(name, label, build)


def register_provider(
    list_names: Callable[[], list[tuple[str, str]]],
    build: Callable[[str, date, date], ReportDocument | None],
) -> None:
    """Add a family of exportables named at run time (e.g. the saved reports)."""
    provider = Provider(list_names, build)
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def exportable_names() -> list[tuple[str, str]]:
    """``(name, label)`` of every dashboard, then of every provider's documents."""
    registered = [(e.name, str(e.label)) for e in _EXPORTABLES.values()]
    provided = itertools.chain.from_iterable(p.list_names() for p in _PROVIDERS)
    return registered + [(name, str(label)) for name, label in provided]


def build_exportable(name: str, *, date_from: date, date_to: date, user=None) -> ReportDocument:
    """The document named ``name`` for the period (both days included); raises
    :class:`UnknownExportable`."""
    exportable = _EXPORTABLES.get(name)
    if exportable is not None:
        return exportable.build(date_from, date_to, user)
    for provider in _PROVIDERS:
        document = provider.build(name, date_from, date_to)
        if document is not None:
            return document
    raise UnknownExportable(name)
