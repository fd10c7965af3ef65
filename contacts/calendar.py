"""The CRM's side of the calendar: calls and meetings in a date range (recurring series expanded),
one occurrence edited or removed on its own, whole series moved, and each agent's calendar
settings (sharing, whose calendars to show, the secret of the private iCalendar feed).

The calendar page itself lives in tasks_app (it also shows to-dos and support tasks); it reads
these selectors and calls these services.
"""

import datetime as dt
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from crm.errors import DomainError, NotAllowed
from crm.models import User
from crm.search import any_of

from . import services
from .models import CalendarSettings, Call, Meeting, SavedFilter
from .permissions import can_keep_own_items, can_view_calendar_of, require_change
from .recurrence import (
    format_exdate,
    is_occurrence,
    occurrences,
    overlaps,
    parse_exdates,
    validate_rrule,
)

__all__ = ["validate_rrule"]

# The calendar's one saved "filter": whose shared calendars an agent shows beside their own.
SHOWN_LIST = "calendar"
SHOWN_NAME = "shown"
# Longest call the range query looks back for (a call that began before the range).
LONGEST_CALL = dt.timedelta(days=1)
# Longest single meeting the range query looks back for.
LONGEST_MEETING = dt.timedelta(days=31)
FEED_TOKEN_BYTES = 32


@dataclass
class Occurrence:
    """One call or meeting on the calendar: a plain one, an occurrence of a series (``series``
    its first row, ``recurrence_id`` its original start) or an occurrence edited on its own
    (``obj`` the override row)."""

    kind: str
    obj: Call | Meeting
    start: dt.datetime
    end: dt.datetime
    recurrence_id: dt.datetime | None = None
    series: Call | Meeting | None = None
    extra: dict = field(default_factory=dict)

    @property
    def is_recurring(self) -> bool:
        return self.series is not None


def _duration(obj) -> dt.timedelta:
    if isinstance(obj, Call):
        return dt.timedelta(minutes=obj.duration_minutes or 0)
    return obj.ends_at - obj.starts_at


def _owned(model, owner_ids) -> Q:
    if model is not Meeting:
        return Q(assigned_to_id__in=owner_ids)
    # The meetings they run and those they attend, each found by its own index (a UNION of
    # ids): an OR of the two read every meeting of the body (200 ms at 150,000 meetings).
    attending = Meeting.attendees.through.objects.filter(user_id__in=owner_ids)
    return any_of(
        Meeting, [Q(assigned_to_id__in=owner_ids), Q(pk__in=attending.values("meeting_id"))]
    )


def _base(model, owner_ids) -> QuerySet:
    rows = model.objects.filter(_owned(model, owner_ids)).select_related(
        "client", "contact", "partner", "assigned_to"
    )
    if model is Meeting:
        rows = rows.exclude(status=Meeting.Status.CANCELLED)
    return rows


def _in_range(model, owner_ids, start: dt.datetime, end: dt.datetime) -> list[Occurrence]:
    """Four queries whatever the number of rows: plain rows, series, overrides, and the
    original starts every series has overridden."""
    kind = model._meta.model_name
    longest = LONGEST_CALL if model is Call else LONGEST_MEETING
    window = Q(starts_at__lt=end, starts_at__gte=start - longest)
    plain = _base(model, owner_ids).filter(window, rrule="", recurrence_of__isnull=True)
    series_rows = _base(model, owner_ids).filter(
        ~Q(rrule=""), recurrence_of__isnull=True, starts_at__lt=end
    )
    series_ids = series_rows.values("pk")
    overrides = _base(model, owner_ids).filter(
        Q(recurrence_of__in=series_ids) | window, recurrence_of__isnull=False
    )
    replaced: dict[int, set[dt.datetime]] = {}
    for series_id, original in model.objects.filter(recurrence_of__in=series_ids).values_list(
        "recurrence_of_id", "recurrence_id"
    ):
        replaced.setdefault(series_id, set()).add(original)

    found: list[Occurrence] = []
    for row in plain:
        length = _duration(row)
        if overlaps(row.starts_at, length, start, end):
            found.append(Occurrence(kind, row, row.starts_at, row.starts_at + length))
    series_by_id = {}
    for row in series_rows:
        series_by_id[row.pk] = row
        length = _duration(row)
        skip = replaced.get(row.pk, set())
        for moment in occurrences(
            rule=row.rrule,
            dtstart=row.starts_at,
            start=start,
            end=end,
            duration=length,
            exdates=row.exdates,
        ):
            if moment not in skip:
                found.append(
                    Occurrence(
                        kind,
                        row,
                        moment,
                        moment + length,
                        recurrence_id=moment,
                        series=row,
                    )
                )
    for row in overrides:
        length = _duration(row)
        if overlaps(row.starts_at, length, start, end):
            found.append(
                Occurrence(
                    kind,
                    row,
                    row.starts_at,
                    row.starts_at + length,
                    recurrence_id=row.recurrence_id,
                    series=series_by_id.get(row.recurrence_of_id) or _SeriesRef(row),
                )
            )
    return found


class _SeriesRef:
    """The series of an override whose series was not read (it starts after the range)."""

    def __init__(self, override):
        self.pk = override.recurrence_of_id


def occurrences_in_range(
    *, owner_ids, start: dt.datetime, end: dt.datetime, kinds=("call", "meeting")
) -> list[Occurrence]:
    """Calls and meetings of these owners (assigned to them; meetings they attend) that overlap
    ``[start, end)``, in start order. Eight queries, whatever the number of rows."""
    owner_ids = list(owner_ids)
    found: list[Occurrence] = []
    if "call" in kinds:
        found += _in_range(Call, owner_ids, start, end)
    if "meeting" in kinds:
        found += _in_range(Meeting, owner_ids, start, end)
    found.sort(key=lambda item: (item.start, item.kind, item.obj.pk))
    return found


def feed_rows(*, owner_id: int, since: dt.datetime) -> dict[str, list]:
    """Calls and meetings of the iCalendar feed: series (with their rules), their overrides, and
    plain rows since ``since``. Six queries."""
    rows = {}
    for model in (Call, Meeting):
        base = _base(model, [owner_id])
        series = base.filter(~Q(rrule=""), recurrence_of__isnull=True)
        plain = base.filter(rrule="", recurrence_of__isnull=True, starts_at__gte=since)
        overrides = base.filter(recurrence_of__isnull=False)
        rows[model._meta.model_name] = [*series, *plain, *overrides]
    return rows


# --- Rescheduling, occurrences and series ----------------------------------------------------


def _model_of(obj) -> str:
    return obj._meta.model_name


def reschedule(*, obj, by: User, start: dt.datetime, end: dt.datetime | None) -> Call | Meeting:
    """A plain call or meeting (or an override) dragged or resized on the calendar."""
    if isinstance(obj, Call):
        fields = {"starts_at": start}
        if end is not None:
            fields["duration_minutes"] = _minutes(start, end)
        return services.call_update(call=obj, by=by, **fields)
    fields = {"starts_at": start, "ends_at": end or start + _duration(obj)}
    return services.meeting_update(meeting=obj, by=by, **fields)


def _minutes(start: dt.datetime, end: dt.datetime) -> int:
    minutes = int((end - start).total_seconds() // 60)
    if minutes <= 0:
        raise ValidationError({"duration_minutes": _("A call must last at least one minute.")})
    return minutes


def _require_series(series, recurrence_id: dt.datetime) -> None:
    if not series.is_series:
        raise DomainError(_("This activity does not repeat."))
    if recurrence_id in parse_exdates(series.exdates) or not is_occurrence(
        rule=series.rrule, dtstart=series.starts_at, moment=recurrence_id
    ):
        raise DomainError(_("The series has no occurrence at this time."))


def _copy_fields(series) -> dict:
    fields = {
        "client": series.client,
        "contact": series.contact,
        "partner": series.partner,
        "assigned_to": series.assigned_to,
        "description": series.description,
        "subject": series.subject,
        "status": series.status,
    }
    if isinstance(series, Call):
        fields.update(direction=series.direction, duration_minutes=series.duration_minutes)
    else:
        fields.update(location=series.location)
    return fields


@transaction.atomic
def occurrence_edit(*, series, recurrence_id: dt.datetime, by: User, **fields):
    """Change one occurrence of a series and only it: its own row (an override naming the series
    and the start it replaces) is created the first time, then changed."""
    require_change(by, _model_of(series))
    series = type(series).objects.select_for_update().get(pk=series.pk)
    _require_series(series, recurrence_id)
    model = type(series)
    override = model.objects.filter(recurrence_of=series, recurrence_id=recurrence_id).first()
    if override is not None:
        return _update(override, by=by, **fields)
    data = _copy_fields(series)
    data["starts_at"] = recurrence_id
    if model is Meeting:
        data["ends_at"] = recurrence_id + _duration(series)
    data.update(fields)
    m2m = None
    if model is Meeting:
        m2m = {
            name: data.pop(name, None) or list(getattr(series, name).all())
            for name in services.MEETING_M2M
        }
    return services.record_create(
        model, by=by, m2m=m2m, recurrence_of=series, recurrence_id=recurrence_id, **data
    )


def _update(obj, *, by, **fields):
    if isinstance(obj, Call):
        return services.call_update(call=obj, by=by, **fields)
    return services.meeting_update(meeting=obj, by=by, **fields)


@transaction.atomic
def occurrence_remove(*, series, recurrence_id: dt.datetime, by: User):
    """Remove one occurrence of a series: an exception date of the series (EXDATE); its
    override, if it had one, is deleted."""
    require_change(by, _model_of(series))
    series = type(series).objects.select_for_update().get(pk=series.pk)
    _require_series(series, recurrence_id)
    type(series).objects.filter(recurrence_of=series, recurrence_id=recurrence_id).delete()
    exdates = sorted({*map(str, series.exdates or []), format_exdate(recurrence_id)})
    return services.record_update(series, by=by, exdates=exdates)


@transaction.atomic
def series_move(*, series, by: User, delta: dt.timedelta, length: dt.timedelta | None = None):
    """Move a whole series by ``delta`` (its removed and overridden occurrences move with it);
    ``length`` gives every occurrence a new duration."""
    require_change(by, _model_of(series))
    series = type(series).objects.select_for_update().get(pk=series.pk)
    if not series.is_series:
        raise DomainError(_("This activity does not repeat."))
    start = series.starts_at + delta
    fields = {"starts_at": start}
    fields["exdates"] = sorted(format_exdate(m + delta) for m in parse_exdates(series.exdates))
    if isinstance(series, Call):
        if length is not None:
            fields["duration_minutes"] = _minutes(start, start + length)
    else:
        fields["ends_at"] = start + (length or _duration(series))
    overrides = list(type(series).objects.filter(recurrence_of=series))
    # Moved one by one, the furthest first, so that no two ever name the same original start.
    overrides.sort(key=lambda row: row.recurrence_id, reverse=delta > dt.timedelta(0))
    moved = services.record_update(series, by=by, **fields)
    for row in overrides:
        services.record_update(row, by=by, recurrence_id=row.recurrence_id + delta)
    return moved


# --- Calendar settings: sharing, whose calendars are shown, the private feed ----------------


def settings_of(user: User) -> CalendarSettings:
    """The user's settings (unsaved defaults if they never saved any)."""
    found = CalendarSettings.objects.filter(user=user).first()
    return found or CalendarSettings(user=user)


def shown_ids(user: User) -> list[int]:
    """The colleagues whose calendars ``user`` chose to show (they may since have stopped
    sharing: ``visible_owners`` checks)."""
    saved = SavedFilter.objects.filter(user=user, list_name=SHOWN_LIST, name=SHOWN_NAME).first()
    if saved is None:
        return []
    values = parse_qs(saved.query).get("users", [""])[0]
    return [int(v) for v in values.split(",") if v.isdigit()]


def sharing_colleagues(user: User) -> QuerySet:
    """Colleagues who share their calendar (the choices of whose calendars to show)."""
    return (
        User.objects.filter(calendar_settings__shared=True, is_active=True)
        .exclude(pk=user.pk)
        .order_by("first_name", "last_name", "pk")
    )


def visible_owners(viewer: User, wanted_ids) -> list[User]:
    """The owners among ``wanted_ids`` whose calendars ``viewer`` may see (one query);
    ``NotAllowed`` when one of them may not be seen."""
    wanted = {int(pk) for pk in wanted_ids}
    owners = list(
        User.objects.filter(pk__in=wanted)
        .select_related("calendar_settings")
        .order_by("first_name", "last_name", "pk")
    )
    if len(owners) != len(wanted):
        raise NotAllowed(_("You may not see this calendar."))
    for owner in owners:
        shared = bool(getattr(owner, "calendar_settings", None) and owner.calendar_settings.shared)
        if not can_view_calendar_of(viewer, owner, shared=shared):
            raise NotAllowed(_("%(name)s does not share their calendar.") % {"name": owner})
    return owners


def _require_own(user: User, by: User) -> None:
    if by.pk != user.pk or not can_keep_own_items(by):
        raise NotAllowed(_("You may change only your own calendar settings."))


@transaction.atomic
def calendar_settings_update(*, user: User, by: User, shared: bool, shown=()) -> CalendarSettings:
    """Share one's calendar or not, and choose whose shared calendars to show."""
    _require_own(user, by)
    settings, _created = CalendarSettings.objects.select_for_update().get_or_create(user=user)
    settings.shared = shared
    settings.save(update_fields=["shared"])
    ids = sorted({int(pk) for pk in shown if int(pk) != user.pk})
    SavedFilter.objects.update_or_create(
        user=user,
        list_name=SHOWN_LIST,
        name=SHOWN_NAME,
        defaults={"query": urlencode({"users": ",".join(map(str, ids))})},
    )
    return settings


@transaction.atomic
def feed_token_renew(*, user: User, by: User) -> CalendarSettings:
    """A new secret for the user's private feed; the old address answers 404 from now on."""
    _require_own(user, by)
    settings, _created = CalendarSettings.objects.select_for_update().get_or_create(user=user)
    settings.feed_token = secrets.token_urlsafe(FEED_TOKEN_BYTES)
    settings.save(update_fields=["feed_token"])
    return settings


def settings_by_token(token: str) -> CalendarSettings | None:
    """The settings whose feed secret is ``token``; None for anything else (no timing hint
    beyond an index lookup: the secret has 256 bits)."""
    if not token or len(token) > 64 or not token.replace("-", "").replace("_", "").isalnum():
        return None
    return (
        CalendarSettings.objects.select_related("user")
        .filter(feed_token=token, user__is_active=True)
        .first()
    )
