"""``manage.py import_course_grid FILE [--dry-run] [--skip-invalid] [--by EMAIL]``."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from crm.models import User
from requests_app.imports.apply import course_grid_import
from requests_app.imports.rows import CourseGridFileError, rejected_rows_csv


class Command(BaseCommand):
    help = (
        "Import a course grid (CSV): one request per course, term and approach. Any rejected "
        "row stops the import (exit status 1) unless --skip-invalid. The last line of the "
        "output is the summary created=N updated=N unchanged=N rejected=N."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the course grid, CSV in UTF-8 separated by ; or ,")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and count what would change, without writing anything",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid rows and write the rejected ones to FILE.rejected.csv",
        )
        parser.add_argument(
            "--by", metavar="EMAIL", help="the agent recorded as having filed the requests"
        )

    def handle(self, *args, file, dry_run, skip_invalid, by, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
            ) from exc
        agent = None
        if by:
            agent = User.objects.filter(email__iexact=by.strip()).first()
            if agent is None:
                raise CommandError(_("No user has the e-mail address %(email)s.") % {"email": by})

        try:
            result = course_grid_import(
                data=data, by=agent, dry_run=dry_run, skip_invalid=skip_invalid
            )
        except CourseGridFileError as exc:
            raise CommandError(exc.message) from exc

        for line, reason in result.errors:
            self.stderr.write(_("line %(line)d: %(reason)s") % {"line": line, "reason": reason})
        if result.rejected and skip_invalid and not dry_run:
            target = path.with_name(f"{path.stem}.rejected.csv")
            report = result.as_report()
            target.write_text(
                rejected_rows_csv(
                    header=result.header,
                    delimiter=result.delimiter,
                    rows=report["rejected_rows"],
                ),
                encoding="utf-8-sig",
                newline="",
            )
            self.stdout.write(_("Rejected rows written to %(path)s") % {"path": target})
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
        elif result.rejected and not skip_invalid:
            self.stdout.write(_("Rows were rejected: nothing was imported."))
        self.stdout.write(result.summary)
        if result.rejected and not skip_invalid:
            sys.exit(1)
