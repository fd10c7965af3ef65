"""RFC 5545 recurrence rules of calls and meetings: checked, normalised, expanded.

Pure functions (no database): the model's ``clean`` checks a rule with ``validate_rrule``, the
calendar expands a series with ``occurrences``. A rule must end (``UNTIL`` or ``COUNT``): an
endless series would fill every calendar and feed forever. Occurrences are computed in the
body's time zone, so that a weekly 10:00 meeting stays at 10:00 across daylight-saving changes.
"""

import datetime as dt
import re

from dateutil import rrule as dateutil_rrule
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
ALLOWED_PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYSETPOS", "WKST")
MAX_COUNT = 500
# How far a series may go: about ten years of weekly occurrences.
MAX_YEARS = 10
UNTIL_FORMAT = "%Y%m%dT%H%M%SZ"
_DATE = re.compile(r"^\d{8}$")
_DATETIME = re.compile(r"^\d{8}T\d{6}Z?$")


def _zone():
    return timezone.get_default_timezone()


def _parse_until(value: str) -> dt.datetime:
    """UNTIL as an aware UTC datetime; a date means the end of that day in the body's zone."""
    if _DATE.match(value):
        day = dt.datetime.strptime(value, "%Y%m%d")
        end = dt.datetime.combine(day.date(), dt.time(23, 59, 59), tzinfo=_zone())
        return end.astimezone(dt.UTC)
    if _DATETIME.match(value):
        naive = dt.datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S")
        if value.endswith("Z"):
            return naive.replace(tzinfo=dt.UTC)
        return naive.replace(tzinfo=_zone()).astimezone(dt.UTC)
    raise ValueError(value)


def _parts(rule: str) -> dict[str, str]:
    text = (rule or "").strip().upper()
    if text.startswith("RRULE:"):
        text = text[len("RRULE:") :]
    parts: dict[str, str] = {}
    for item in filter(None, (piece.strip() for piece in text.split(";"))):
        name, sep, value = item.partition("=")
        if not sep or not value or name in parts:
            raise ValidationError(_("This recurrence rule cannot be read."), code="invalid")
        parts[name] = value
    return parts


def validate_rrule(rule: str) -> str:
    """The rule, normalised (upper case, UNTIL in UTC); ``ValidationError`` when it cannot be
    read, repeats other than daily, weekly, monthly or yearly, or has no end."""
    parts = _parts(rule)
    if not parts:
        return ""
    unknown = sorted(set(parts) - set(ALLOWED_PARTS))
    if unknown:
        raise ValidationError(
            _("This part of the recurrence rule is not supported: %(parts)s."),
            code="unsupported",
            params={"parts": ", ".join(unknown)},
        )
    if parts.get("FREQ") not in FREQUENCIES:
        raise ValidationError(
            _("Say how often it repeats: FREQ=DAILY, WEEKLY, MONTHLY or YEARLY."), code="freq"
        )
    if "COUNT" in parts and "UNTIL" in parts:
        raise ValidationError(
            _("End the series with a date (UNTIL) or a number of times (COUNT), not both."),
            code="two_ends",
        )
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise ValidationError(
            _("A recurrence must end: give a last date (UNTIL=…) or a number of times (COUNT=…)."),
            code="no_end",
        )
    if "COUNT" in parts and not (
        parts["COUNT"].isdigit() and 1 <= int(parts["COUNT"]) <= MAX_COUNT
    ):
        raise ValidationError(
            _("The number of times must be between 1 and %(max)d."),
            code="count",
            params={"max": MAX_COUNT},
        )
    if "UNTIL" in parts:
        try:
            until = _parse_until(parts["UNTIL"])
        except ValueError:
            raise ValidationError(
                _("The last date of the series cannot be read (for example UNTIL=20270630)."),
                code="until",
            ) from None
        parts["UNTIL"] = until.strftime(UNTIL_FORMAT)
    if "INTERVAL" in parts and not (parts["INTERVAL"].isdigit() and int(parts["INTERVAL"]) >= 1):
        raise ValidationError(_("The interval must be a whole number."), code="interval")
    normalised = ";".join(f"{name}={parts[name]}" for name in ALLOWED_PARTS if name in parts)
    try:
        dateutil_rrule.rrulestr(
            normalised, dtstart=dt.datetime(2000, 1, 3, tzinfo=dt.UTC), forceset=False
        )
    except (ValueError, TypeError):
        raise ValidationError(_("This recurrence rule cannot be read."), code="invalid") from None
    return normalised


def validate_series_end(rule: str, dtstart: dt.datetime) -> None:
    """A series ends within ``MAX_YEARS`` of its start, and its end comes after it."""
    parts = _parts(rule)
    if "UNTIL" in parts:
        until = _parse_until(parts["UNTIL"])
        if until < dtstart:
            raise ValidationError(_("The series ends before it starts."), code="until_before")
        if until > dtstart + dt.timedelta(days=366 * MAX_YEARS):
            raise ValidationError(
                _("A series lasts %(years)d years at most."),
                code="too_long",
                params={"years": MAX_YEARS},
            )


def _rule(rule: str, dtstart: dt.datetime) -> dateutil_rrule.rrule:
    local_start = dtstart.astimezone(_zone())
    return dateutil_rrule.rrulestr(rule, dtstart=local_start, forceset=False)


def parse_exdates(values) -> set[dt.datetime]:
    """The stored exception dates (ISO strings) as aware UTC datetimes; unreadable ones are
    ignored."""
    found = set()
    for value in values or ():
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        found.add(moment.astimezone(dt.UTC))
    return found


def format_exdate(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def occurrences(
    *,
    rule: str,
    dtstart: dt.datetime,
    start: dt.datetime,
    end: dt.datetime,
    duration: dt.timedelta = dt.timedelta(0),
    exdates=(),
) -> list[dt.datetime]:
    """The starts (aware, UTC) of the series' occurrences that overlap ``[start, end)``, removed
    ones (``exdates``) left out. ``duration`` lets an occurrence that began before ``start``
    and is still going count."""
    if not rule:
        return [dtstart] if overlaps(dtstart, duration, start, end) else []
    removed = parse_exdates(exdates)
    found = []
    for moment in _rule(rule, dtstart).between(start - duration, end, inc=True):
        moment = moment.astimezone(dt.UTC)
        if overlaps(moment, duration, start, end) and moment not in removed:
            found.append(moment)
    return found


def overlaps(moment: dt.datetime, duration: dt.timedelta, start: dt.datetime, end: dt.datetime):
    """Whether ``[moment, moment + duration)`` meets ``[start, end)`` (an instant: is in it)."""
    if duration > dt.timedelta(0):
        return moment < end and moment + duration > start
    return start <= moment < end


def is_occurrence(*, rule: str, dtstart: dt.datetime, moment: dt.datetime) -> bool:
    """Whether ``moment`` is one of the series' starts (exception dates included)."""
    if not rule:
        return moment == dtstart
    local = _rule(rule, dtstart)
    hit = local.after(moment.astimezone(_zone()) - dt.timedelta(seconds=1), inc=True)
    return hit is not None and hit.astimezone(dt.UTC) == moment.astimezone(dt.UTC)


def last_occurrence(*, rule: str, dtstart: dt.datetime) -> dt.datetime | None:
    if not rule:
        return dtstart
    last = None
    for last in _rule(rule, dtstart):  # noqa: B007 (the rule always ends: COUNT or UNTIL)
        pass
    return last.astimezone(dt.UTC) if last else None
