"""The course grid's vocabulary: its columns, what a row plans, what an import reports."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from contacts.models import Client
from crm.csv import csv_text
from crm.errors import DomainError

from ..requests.models import ServiceRequest

REQUIRED_COLUMNS = (
    "sigle",
    "titre",
    "trimestre",
    "departement",
    "responsable_nom",
    "responsable_courriel",
    "approche",
    "date_debut",
)
OPTIONAL_COLUMNS = ("presentateurs",)
# Columns that may be present but empty; every other required column needs a value.
MAY_BE_EMPTY = frozenset({"departement", "responsable_nom", "presentateurs"})
LIST_SEPARATOR = "|"
DELIMITERS = (";", ",")
KEY_MAX_LENGTH = ServiceRequest._meta.get_field("external_key").max_length
TITLE_MAX_LENGTH = ServiceRequest._meta.get_field("title").max_length
NAME_MAX_LENGTH = Client._meta.get_field("first_name").max_length
EMAIL_MAX_LENGTH = Client._meta.get_field("email").max_length
# Rows written per round of bulk queries: bounds memory and the size of each statement.
CHUNK_SIZE = 1000
# Lookups by key or e-mail, per query.
LOOKUP_CHUNK = 5000
# Uploads with fewer rows run while the agent waits; larger ones go to the worker.
INLINE_MAX_ROWS = 2000
HISTORY_REASON = "imported"  # crm.history.ChangeReason.IMPORTED
LOCK_NAME = "course-grid-import"
PROGRESS_CACHE_KEY = "course-grid-import:{pk}:processed"

Progress = Callable[[float], None]


class CourseGridFileError(DomainError):
    """The file as a whole cannot be read as a course grid (encoding, header, separator)."""


@dataclass(frozen=True)
class GridFile:
    """The file cut into records: its header as written, and each record with its line."""

    header: list[str]
    columns: dict[str, int]
    delimiter: str
    records: list[tuple[int, list[str]]]


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reasons: tuple[str, ...]
    cells: tuple[str, ...]


@dataclass(frozen=True)
class PlannedRequest:
    """What one (course, term, approach) of the file says its request must be."""

    line: int
    key: str
    request_type_id: int
    title: str
    due_date: date
    form_data: dict
    email: str
    name: str


@dataclass
class CourseGridResult:
    """Counts are of requests (a row with two approaches gives two), ``rejected`` is of rows.

    ``errors`` holds one ``(line_number, reason)`` per problem found, in file order.
    """

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    rejected_rows: list[RejectedRow] = field(default_factory=list)
    total_rows: int = 0
    requesters_created: int = 0
    tasks_created: int = 0
    dry_run: bool = False
    applied: bool = False
    header: list[str] = field(default_factory=list)
    delimiter: str = ";"

    @property
    def summary(self) -> str:
        return (
            f"created={self.created} updated={self.updated} "
            f"unchanged={self.unchanged} rejected={self.rejected}"
        )

    def as_report(self) -> dict:
        """A JSON-ready form, kept on the upload job for its page and its rejected-rows file."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "total_rows": self.total_rows,
            "requesters_created": self.requesters_created,
            "tasks_created": self.tasks_created,
            "dry_run": self.dry_run,
            "applied": self.applied,
            "header": self.header,
            "delimiter": self.delimiter,
            "rejected_rows": [
                {"line": r.line, "reasons": list(r.reasons), "cells": list(r.cells)}
                for r in self.rejected_rows
            ],
        }


def rejected_rows_table(*, header: list[str], rows: Iterable[dict]) -> tuple[list, Iterator]:
    """The refused rows as written, each after its line number and reasons: header and rows.

    ``rows`` are ``{line, reasons, cells}`` (``CourseGridResult.as_report`` form). The table is
    written through ``crm.csv``, which escapes cells a spreadsheet would run as formulas.
    """
    return (
        [_("line"), _("reason"), *header],
        ([row["line"], "; ".join(row["reasons"]), *row["cells"]] for row in rows),
    )


def rejected_rows_csv(*, header: list[str], delimiter: str, rows: Iterable[dict]) -> str:
    """The refused rows as CSV text, for the command that writes it beside the file."""
    head, body = rejected_rows_table(header=header, rows=rows)
    return csv_text(body, header=head, delimiter=delimiter)


def progress_cache_key(pk: int) -> str:
    """Where a running import's progress is kept while its transaction is open."""
    return PROGRESS_CACHE_KEY.format(pk=pk)
