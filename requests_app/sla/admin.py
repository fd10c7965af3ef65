from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..models import (
    BusinessCalendar,
    Closure,
    EscalationLevel,
    OpeningSlot,
    SLAEscalation,
    SLAPolicy,
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
    fieldsets = [
        (
            None,
            {
                "fields": ["name", "is_default", "time_zone", ("country", "subdivision")],
                "description": _(
                    "Public holidays come from the country and subdivision (e.g. CA + QC, FR, "
                    "FR + 57 for Moselle); add the body's own closure days below. Check a "
                    "calendar with: manage.py sla_preview --calendar NAME --start "
                    "2026-12-18T15:00 --hours 8"
                ),
            },
        ),
    ]


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


@admin.register(SLAPolicy)
class SLAPolicyAdmin(SimpleHistoryAdmin):
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
    ]


@admin.register(SLAEscalation)
class SLAEscalationAdmin(admin.ModelAdmin):
    list_display = ["clock", "percent", "reached_at", "executed_at", "requeued_at"]
    list_filter = ["percent"]
    readonly_fields = ["clock", "percent", "level", "reached_at", "executed_at", "requeued_at"]
