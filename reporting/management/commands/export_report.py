"""Export a dashboard or a saved report for a period, for scripts and cron:

    manage.py export_report volume --format pdf --from 2026-01-01 --to 2026-12-31 --out y.pdf
    manage.py export_report service-levels --format csv --from 2026-11-01 --to 2026-11-30 --out -
    manage.py export_report --list

A CSV holds every table of the document one after the other (``--section`` keeps one, by its
position from 1 or the slug of its title); ``--out -`` writes to the standard output.
"""

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm.csv import csv_lines
from reporting import exportables


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from exc


class Command(BaseCommand):
    help = "Export a dashboard or a saved report as CSV or PDF, or list them (--list)."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="The dashboard's or report's name (--list).")
        parser.add_argument("--list", action="store_true", help="List the names and stop.")
        parser.add_argument("--format", choices=["csv", "pdf"], default="pdf")
        parser.add_argument("--from", dest="date_from", help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="date_to", help="Last day (included), YYYY-MM-DD.")
        parser.add_argument("--out", help="The file to write; - for the standard output.")
        parser.add_argument(
            "--section", help="CSV only: one table, by its position (1, 2…) or its title's slug."
        )

    def handle(self, *args, **options):
        if options["list"]:
            for name, label in exportables.exportable_names():
                self.stdout.write(f"{name}\t{label}")
            return
        name = options["name"]
        if not name:
            raise CommandError("Name a dashboard or a report, or pass --list.")
        if not options["out"]:
            raise CommandError("--out FILE is required (- for the standard output).")
        today = timezone.localdate()
        date_to = _day(options["date_to"]) if options["date_to"] else today
        date_from = _day(options["date_from"]) if options["date_from"] else date_to.replace(day=1)
        if date_from > date_to:
            raise CommandError("--from comes after --to.")
        try:
            document = exportables.build_exportable(
                name, date_from=date_from, date_to=date_to, user=None
            )
        except exportables.UnknownExportable as exc:
            raise CommandError(
                f"No dashboard or report is named {name!r}; see export_report --list."
            ) from exc
        if options["format"] == "pdf":
            if options["section"]:
                raise CommandError("--section is for CSV exports.")
            self._write_bytes(options["out"], exportables.render_pdf(document))
        else:
            self._write_lines(options["out"], self._csv_lines(document, options["section"]))

    def _csv_lines(self, document, section):
        if section is None:
            return exportables.document_csv_lines(document)
        key = int(section) - 1 if section.isdigit() else section
        try:
            table = document.section(key).table
        except (KeyError, IndexError) as exc:
            raise CommandError(f"No section {section!r} in {document.title!r}.") from exc
        return csv_lines(table.rows, header=table.headers, bom=True)

    def _write_bytes(self, out: str, data: bytes) -> None:
        if out == "-":
            sys.stdout.buffer.write(data)
            return
        with open(out, "wb") as handle:
            handle.write(data)

    def _write_lines(self, out: str, lines) -> None:
        if out == "-":
            for line in lines:
                self.stdout.write(line, ending="")
            return
        with open(out, "w", encoding="utf-8", newline="") as handle:
            for line in lines:
                handle.write(line)
