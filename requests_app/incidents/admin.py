from django.contrib import admin
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from ..models import (
    Incident,
    IncidentCategory,
    SLAClock,
)


@admin.register(IncidentCategory)
class IncidentCategoryAdmin(TranslationAdmin):
    list_display = ["name"]
    search_fields = ["name_fr", "name_en"]


class SLAClockInline(admin.TabularInline):
    model = SLAClock
    extra = 0
    can_delete = False
    fields = [
        "kind",
        "policy",
        "started_at",
        "due_at",
        "paused_since",
        "paused_seconds",
        "stopped_at",
        "met",
        "level_reached",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "status",
        "priority",
        "category",
        "assignment_group",
        "assignee",
        "created_at",
    ]
    list_filter = ["status", "priority", "category", "assignment_group", "channel"]
    search_fields = ["title", "requester__email"]
    raw_id_fields = ["requester", "created_by", "assignee", "related_request"]
    inlines = [SLAClockInline]

    # Incidents change through the back office only, so that every change keeps the SLA
    # clocks in step (pause, resume, policy of the new priority…).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
