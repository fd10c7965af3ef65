"""Reads of the catalogue."""

from collections.abc import Iterable

from django.db.models import Q
from django.utils.translation import gettext as _

from crm.business_time import WORKWEEK, Schedule, ScheduleError
from crm.errors import DomainError

from ..sla.models import BusinessCalendar
from .models import RequestType


def schedules_of(request_types: Iterable[RequestType]) -> dict[int, Schedule]:
    """The schedule on which the due dates of each type's tasks count working days, by type id:
    the type's calendar, else the body's default calendar, else Monday to Friday with no public
    holidays. One query for any number of types."""
    request_types = list(request_types)
    ids = {t.calendar_id for t in request_types if t.calendar_id}
    calendars = list(
        BusinessCalendar.objects.filter(Q(pk__in=ids) | Q(is_default=True)).prefetch_related(
            "slots", "closures"
        )
    )
    schedules = {c.pk: _schedule(c) for c in calendars}
    default = next((schedules[c.pk] for c in calendars if c.is_default), WORKWEEK)
    return {t.pk: schedules.get(t.calendar_id, default) for t in request_types}


def schedule_of(request_type: RequestType) -> Schedule:
    return schedules_of([request_type])[request_type.pk]


def _schedule(calendar: BusinessCalendar) -> Schedule:
    try:
        return calendar.schedule()
    except ScheduleError as exc:
        raise DomainError(
            _("The business calendar %(name)s has no opening slot: an administrator must add one.")
            % {"name": calendar.name}
        ) from exc
