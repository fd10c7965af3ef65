"""Print when a target would be due on a business calendar, to check a calendar's setup."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from crm import business_time as bt
from requests_app.models import BusinessCalendar


class Command(BaseCommand):
    help = (
        "Due time of N business hours or days from a start, on a calendar. "
        "Example: sla_preview --calendar Faculté --start 2026-12-18T15:00 --hours 8"
    )

    def add_arguments(self, parser):
        parser.add_argument("--calendar", required=True, help="Name of the business calendar.")
        parser.add_argument(
            "--start",
            required=True,
            help="ISO 8601 start; without an offset it is read in the calendar's time zone.",
        )
        amount = parser.add_mutually_exclusive_group(required=True)
        amount.add_argument("--hours", type=float)
        amount.add_argument("--days", type=int)

    def handle(self, *args, **options):
        try:
            calendar = BusinessCalendar.objects.prefetch_related("slots", "closures").get(
                name=options["calendar"]
            )
        except BusinessCalendar.DoesNotExist as exc:
            names = ", ".join(BusinessCalendar.objects.values_list("name", flat=True)) or "—"
            raise CommandError(
                f"No business calendar named {options['calendar']!r} (known: {names})."
            ) from exc
        try:
            start = datetime.fromisoformat(options["start"])
        except ValueError as exc:
            raise CommandError(f"--start: not an ISO 8601 date-time: {options['start']!r}") from exc
        try:
            schedule = calendar.schedule()
        except bt.ScheduleError as exc:
            raise CommandError(f"The calendar {calendar.name!r} has no opening time.") from exc
        if start.tzinfo is None:
            start = start.replace(tzinfo=schedule.tz)
        if options["hours"] is not None:
            if options["hours"] < 0:
                raise CommandError("--hours must not be negative.")
            due = bt.add_hours(schedule, start, options["hours"])
        else:
            if options["days"] < 0:
                raise CommandError("--days must not be negative.")
            due = bt.add_days(schedule, start, options["days"])
        self.stdout.write(due.astimezone(schedule.tz).isoformat())
