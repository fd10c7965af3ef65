"""The calendar (seed 002, "Comment gérer votre temps"): day, week and month views of calls,
meetings, to-dos and scheduled support tasks; drag to reschedule through the same services as
the forms; one's sharing and whose shared calendars to show; the private iCalendar feed.

FullCalendar adds its CSS in a ``<style>`` element at run time: the page lets styles carrying
its one-time CSP nonce through (``style-src 'self' 'nonce-…'``), nothing inline otherwise; its
icon font is a ``data:`` URL, so this page's font-src also allows ``data:`` (a font runs no
code). Scripts stay ``'self'`` only.
"""

import datetime as dt

from csp.constants import NONCE
from csp.decorators import csp_update
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from contacts import calendar as crm_calendar
from contacts.models import Call, Meeting
from contacts.permissions import can_change_crm
from crm.errors import DomainError, NotAllowed
from crm.permissions import backoffice_required
from crm.validation import safe_next

from . import calendar, services
from .calendar_forms import (
    CalendarSettingsForm,
    OccurrenceForm,
    RangeForm,
    RescheduleForm,
    parse_moment,
)
from .models import Task

MODELS = {"call": Call, "meeting": Meeting}


def _maybe_url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(m for messages_ in error.message_dict.values() for m in messages_)
    return " ".join(error.messages)


def _shown_owners(user) -> list:
    """The viewer and the colleagues they chose to show who still share their calendar."""
    wanted = crm_calendar.shown_ids(user)
    sharing = {u.pk: u for u in crm_calendar.sharing_colleagues(user).filter(pk__in=wanted)}
    return [user, *(sharing[pk] for pk in wanted if pk in sharing)]


@backoffice_required
@require_safe
@csp_update({"style-src": [NONCE], "font-src": ["data:"]})
def calendar_page(request):
    user = request.user
    settings = crm_calendar.settings_of(user)
    colleagues = crm_calendar.sharing_colleagues(user)
    owners = _shown_owners(user)
    form = CalendarSettingsForm(
        colleagues=colleagues,
        initial={"shared": settings.shared, "shown": [o.pk for o in owners[1:]]},
    )
    feed_url = ""
    if settings.feed_token:
        feed_url = request.build_absolute_uri(
            reverse("activities:calendar_feed", args=[settings.feed_token])
        )
    context = {
        "settings_form": form,
        "owners": owners,
        "feed_url": feed_url,
        "config": {
            "eventsUrl": reverse("activities:calendar_events"),
            "rescheduleUrl": reverse("activities:calendar_reschedule"),
            "users": ",".join(str(o.pk) for o in owners),
            "me": user.pk,
            "initialView": request.GET.get("view")
            if request.GET.get("view") in ("timeGridDay", "timeGridWeek", "dayGridMonth")
            else "timeGridWeek",
            "initialDate": _initial_date(request.GET.get("date", "")),
            "canCreate": can_change_crm(user, "call"),
            "allDayText": _("To-dos"),
            "buttonHints": {"prev": _("Previous"), "next": _("Next")},
            "createUrls": {
                "call": _maybe_url("contacts:call_create"),
                "meeting": _maybe_url("contacts:meeting_create"),
                "todo": reverse("activities:todo_create"),
            },
        },
    }
    return render(request, "tasks_app/calendar.html", context)


def _initial_date(value: str) -> str:
    moment = parse_moment(value[:10]) if value else None
    return timezone.localdate(moment).isoformat() if moment else ""


@backoffice_required
@require_safe
def calendar_events(request):
    """FullCalendar's event source: ``start``, ``end`` (ISO) and ``users`` (ids)."""
    form = RangeForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"message": _form_errors(form)}, status=400)
    data = form.cleaned_data
    try:
        owners = (
            crm_calendar.visible_owners(request.user, data["users"])
            if data["users"]
            else _shown_owners(request.user)
        )
    except NotAllowed as error:
        return JsonResponse({"message": str(error.message)}, status=403)
    found = calendar.events(
        viewer=request.user, owners=owners, start=data["start"], end=data["end"]
    )
    return JsonResponse(found, safe=False)


@backoffice_required
@require_POST
def calendar_reschedule(request):
    """A drag or a resize: the same services as the forms, or a refusal that sends the event
    back to where it was (``ok`` false and a message)."""
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"ok": False, "message": _form_errors(form)}, status=400)
    data = form.cleaned_data
    try:
        _reschedule(request.user, data)
    except NotAllowed as error:
        return JsonResponse({"ok": False, "message": str(error.message)}, status=403)
    except DomainError as error:
        return JsonResponse({"ok": False, "message": str(error.message)}, status=409)
    except ValidationError as error:
        return JsonResponse({"ok": False, "message": _error_text(error)}, status=400)
    return JsonResponse({"ok": True, "message": _("Rescheduled.")})


def _reschedule(user, data) -> None:
    kind, start, end = data["kind"], data["start"], data["end"]
    if kind == "todo":
        todo = Task.objects.filter(pk=data["pk"], kind=Task.Kind.TODO).first()
        if todo is None:
            raise DomainError(_("This to-do no longer exists."))
        first = timezone.localdate(start)
        last = max(first, timezone.localdate(end) - dt.timedelta(days=1)) if end else first
        # The dates it had move; a to-do stretched over several days gains a start date.
        fields = {}
        if todo.start_date or todo.due_date is None or last != first:
            fields["start_date"] = first
        if todo.due_date or last != first:
            fields["due_date"] = last
        services.todo_update(todo=todo, by=user, **fields)
        return
    model = MODELS[kind]
    obj = model.objects.filter(pk=data["pk"]).first()
    if obj is None:
        raise DomainError(_("This activity no longer exists."))
    if obj.is_series:
        recurrence_id = data["recurrence_id"]
        if recurrence_id is None:
            raise DomainError(_("Say which occurrence of the series moved."))
        if data["scope"] == "series":
            length = (end - start) if end else None
            crm_calendar.series_move(
                series=obj, by=user, delta=start - recurrence_id, length=length
            )
            return
        fields = {"starts_at": start}
        if end is not None:
            if kind == "call":
                fields["duration_minutes"] = max(1, int((end - start).total_seconds() // 60))
            else:
                fields["ends_at"] = end
        elif kind == "meeting":
            fields["ends_at"] = start + (obj.ends_at - obj.starts_at)
        crm_calendar.occurrence_edit(series=obj, recurrence_id=recurrence_id, by=user, **fields)
        return
    crm_calendar.reschedule(obj=obj, by=user, start=start, end=end)


@backoffice_required
@require_POST
def calendar_settings(request):
    user = request.user
    form = CalendarSettingsForm(request.POST, colleagues=crm_calendar.sharing_colleagues(user))
    if form.is_valid():
        try:
            crm_calendar.calendar_settings_update(
                user=user,
                by=user,
                shared=form.cleaned_data["shared"],
                shown=[u.pk for u in form.cleaned_data["shown"]],
            )
        except NotAllowed as error:
            raise PermissionDenied(error.message) from error
        messages.success(request, _("Calendar settings saved."))
    else:
        messages.error(request, _form_errors(form) or _("Check the calendar settings."))
    return redirect("activities:calendar")


@backoffice_required
@require_POST
def calendar_feed_renew(request):
    try:
        crm_calendar.feed_token_renew(user=request.user, by=request.user)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    messages.success(
        request,
        _("Your calendar has a new private address: the previous one no longer works."),
    )
    return redirect(reverse("activities:calendar") + "#calendar-feed")


@never_cache
@require_safe
def calendar_feed(request, token: str):
    """The private iCalendar feed: no login, the secret in the address is the key."""
    found = crm_calendar.settings_by_token(token)
    if found is None:
        raise Http404
    body = calendar.ical_feed(owner=found.user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="guichet.ics"'
    return response


# --- One occurrence of a series ----------------------------------------------------------------


def _occurrence(kind: str, pk: int, recurrence: str):
    model = MODELS.get(kind)
    moment = parse_moment(recurrence)
    if model is None or moment is None:
        raise Http404
    series = get_object_or_404(model.objects.select_related("client", "contact", "partner"), pk=pk)
    if not series.is_series:
        raise Http404
    override = model.objects.filter(recurrence_of=series, recurrence_id=moment).first()
    return series, moment, override


@backoffice_required
@require_http_methods(["GET", "POST"])
def occurrence(request, kind: str, pk: int, recurrence: str):
    """This occurrence (changed or removed on its own) or the whole series (its record)."""
    series, moment, override = _occurrence(kind, pk, recurrence)
    current = override or series
    start = override.starts_at if override else moment
    length = crm_calendar._duration(current)
    form = OccurrenceForm(
        request.POST or None,
        initial={
            "subject": current.subject,
            "starts_at": timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"),
            "minutes": int(length.total_seconds() // 60),
        },
    )
    can_change = can_change_crm(request.user, kind)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            fields = {"subject": data["subject"], "starts_at": data["starts_at"]}
            span = dt.timedelta(minutes=data["minutes"])
            if kind == "call":
                fields["duration_minutes"] = data["minutes"]
            else:
                fields["ends_at"] = data["starts_at"] + span
            try:
                crm_calendar.occurrence_edit(
                    series=series, recurrence_id=moment, by=request.user, **fields
                )
            except NotAllowed as error:
                raise PermissionDenied(error.message) from error
            except DomainError as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(
                    request, _("This occurrence is changed; the series stays as it was.")
                )
                return redirect(safe_next(request, reverse("activities:calendar")))
    context = {
        "series": series,
        "kind": kind,
        "moment": moment,
        "override": override,
        "form": form,
        "can_change": can_change,
        "series_url": calendar.record_url(series),
        "recurrence": recurrence,
    }
    return render(request, "tasks_app/occurrence.html", context, status=400 if form.errors else 200)


@backoffice_required
@require_POST
def occurrence_remove(request, kind: str, pk: int, recurrence: str):
    series, moment, _override = _occurrence(kind, pk, recurrence)
    try:
        crm_calendar.occurrence_remove(series=series, recurrence_id=moment, by=request.user)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("activities:occurrence", kind=kind, pk=pk, recurrence=recurrence)
    messages.success(request, _("This occurrence is removed from the series."))
    return redirect("activities:calendar")
