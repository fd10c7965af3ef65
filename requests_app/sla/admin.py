from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from crm import business_time as bt

from ..incidents.models import Incident
from ..models import (
    BusinessCalendar,
    Closure,
    EscalationLevel,
    OpeningSlot,
    SLAEscalation,
    SLAPolicy,
)
from .services import preview_dues

# What a calendar is checked with: the default policy's targets.
CALENDAR_PREVIEW_TARGETS = [(8, SLAPolicy.Unit.HOURS), (3, SLAPolicy.Unit.DAYS)]
PREVIEW_FORMAT = "l j F Y, H:i"


def _target_label(value: int, unit: str) -> str:
    if unit == SLAPolicy.Unit.DAYS:
        label = ngettext("%(count)s business day", "%(count)s business days", value)
    else:
        label = ngettext("%(count)s business hour", "%(count)s business hours", value)
    return label % {"count": value}


def due_preview_table(calendar: BusinessCalendar, columns: list[tuple[str, int, str]]) -> str:
    """An HTML table: for each preview start, the due time of each ``(title, value, unit)``
    target, in the calendar's time zone."""
    try:
        schedule = calendar.schedule()
        rows = preview_dues(
            schedule,
            targets=[(value, unit) for _title, value, unit in columns],
            now=timezone.now(),
        )
    except bt.ScheduleError:
        return gettext_now("No opening time: no due time can be computed.")

    def moment(value):
        return date_format(value.astimezone(schedule.tz), PREVIEW_FORMAT)

    head = format_html_join(
        "", "<th>{}</th>", [(gettext_now("Clock start"),), *((title,) for title, *_rest in columns)]
    )
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (
                format_html_join(
                    "", "<td>{}</td>", [(moment(start),), *((moment(d),) for d in dues)]
                ),
            )
            for start, dues in rows
        ),
    )
    return format_html(
        "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table><p>{}</p>",
        head,
        body,
        gettext_now("Times in %(zone)s, without pauses. Save to see the effect of a change.")
        % {"zone": calendar.time_zone},
    )


class OpeningSlotFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            f.cleaned_data
            for f in self.forms
            if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE")
        ]
        if not kept:
            raise ValidationError(
                _(
                    "A calendar needs at least one opening slot: without opening time, no due "
                    "time can be computed."
                )
            )
        by_day = {}
        for data in kept:
            if data["closes"] <= data["opens"]:
                raise ValidationError(_("A slot must close after it opens."))
            by_day.setdefault(data["weekday"], []).append((data["opens"], data["closes"]))
        for slots in by_day.values():
            slots.sort()
            for (_o1, c1), (o2, _c2) in zip(slots, slots[1:], strict=False):
                if o2 < c1:
                    raise ValidationError(_("Two slots of the same day overlap."))


class OpeningSlotInline(admin.TabularInline):
    model = OpeningSlot
    formset = OpeningSlotFormSet
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(SimpleHistoryAdmin):
    list_display = ["name", "time_zone", "country", "subdivision", "is_default"]
    inlines = [OpeningSlotInline, ClosureInline]
    readonly_fields = ["due_preview"]
    fieldsets = [
        (
            None,
            {
                "fields": ["name", "is_default", "time_zone", ("country", "subdivision")],
                "description": _(
                    "Public holidays come from the country and subdivision (e.g. CA + QC, FR, "
                    "FR + 57 for Moselle); add the body's own closure days below. The preview "
                    "below shows the due times the saved calendar gives."
                ),
            },
        ),
        (_("Preview"), {"fields": ["due_preview"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("slots", "closures")

    @admin.display(description=_("due times"))
    def due_preview(self, obj):
        if obj is None or obj.pk is None:
            return gettext_now("Save the calendar to see its due times.")
        return due_preview_table(
            obj,
            [(_target_label(value, unit), value, unit) for value, unit in CALENDAR_PREVIEW_TARGETS],
        )


class EscalationLevelInline(admin.TabularInline):
    model = EscalationLevel
    extra = 0


SLA_HELP = _(
    "Targets are counted in business time of the calendar. “N business hours”: N hours of "
    "opening time from the start (a start outside opening time counts from the next opening). "
    "“N business days”: due at the closing time of the N-th working day after the start day "
    "(a start outside opening time first moves to the next opening; Monday 10:00 + 3 days → "
    "Thursday's closing; Friday 17:00 + 3 days → Thursday's closing). Time spent in a pause "
    "status pushes the due time back. When a policy changes (e.g. the priority is raised), "
    "the clocks keep their start, their paused time and the levels already reached."
)


class SLAPolicyAdminForm(forms.ModelForm):
    """The pause statuses are ticked among the incident statuses; the JSON field keeps them."""

    pause_statuses = forms.MultipleChoiceField(
        label=_("statuses that pause the clock"),
        choices=Incident.Status.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("While an incident is in one of these statuses, its clocks stop."),
    )

    class Meta:
        model = SLAPolicy
        fields = [
            "name",
            "active",
            "calendar",
            "category",
            "priority",
            "response_value",
            "response_unit",
            "resolution_value",
            "resolution_unit",
            "pause_statuses",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new policy waits for the requester's answer without counting it against the team.
        if self.instance._state.adding and not self.initial.get("pause_statuses"):
            self.initial["pause_statuses"] = [Incident.Status.AWAITING_REQUESTER]


@admin.register(SLAPolicy)
class SLAPolicyAdmin(SimpleHistoryAdmin):
    form = SLAPolicyAdminForm
    list_display = [
        "name",
        "active",
        "category",
        "priority",
        "response_value",
        "response_unit",
        "resolution_value",
        "resolution_unit",
        "calendar",
    ]
    list_filter = ["active", "calendar"]
    inlines = [EscalationLevelInline]
    fieldsets = [
        (
            None,
            {
                "fields": ["name", "active", "calendar", ("category", "priority")],
                "description": SLA_HELP,
            },
        ),
        (
            _("Targets"),
            {
                "fields": [
                    ("response_value", "response_unit"),
                    ("resolution_value", "resolution_unit"),
                    "pause_statuses",
                ]
            },
        ),
        (_("Preview"), {"fields": ["due_preview"]}),
    ]
    readonly_fields = ["due_preview"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("calendar")
            .prefetch_related("calendar__slots", "calendar__closures")
        )

    @admin.display(description=_("due times"))
    def due_preview(self, obj):
        if obj is None or obj.pk is None:
            return gettext_now("Save the policy to see its due times.")
        return due_preview_table(
            obj.calendar,
            [
                (
                    gettext_now("Response (%(target)s)")
                    % {"target": _target_label(obj.response_value, obj.response_unit)},
                    obj.response_value,
                    obj.response_unit,
                ),
                (
                    gettext_now("Resolution (%(target)s)")
                    % {"target": _target_label(obj.resolution_value, obj.resolution_unit)},
                    obj.resolution_value,
                    obj.resolution_unit,
                ),
            ],
        )


@admin.register(SLAEscalation)
class SLAEscalationAdmin(admin.ModelAdmin):
    list_display = ["clock", "percent", "reached_at", "executed_at", "requeued_at"]
    list_filter = ["percent"]
    readonly_fields = ["clock", "percent", "level", "reached_at", "executed_at", "requeued_at"]
