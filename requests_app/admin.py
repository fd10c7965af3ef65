from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CourseGridImport, JournalEntry, Request, RequestType, Theme


@admin.register(Theme)
class ThemeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "name_en", "position"]
    list_editable = ["position"]
    search_fields = ["name", "name_en"]


@admin.register(RequestType)
class RequestTypeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "theme", "active", "default_assignment_group", "chain_template"]
    list_filter = ["active", "theme"]
    search_fields = ["code", "name", "name_en"]
    fieldsets = [
        (None, {"fields": [("code", "active"), ("name", "name_en"), "theme"]}),
        (None, {"fields": [("description", "description_en")]}),
        (None, {"fields": ["default_assignment_group", "chain_template"]}),
    ]


class JournalInline(admin.TabularInline):
    model = JournalEntry
    fk_name = "request"
    extra = 0
    fields = ["created_at", "kind", "author", "task", "body"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Request)
class RequestAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "request_type", "requester", "status", "due_date", "created_at"]
    list_filter = ["status", "request_type", "channel"]
    search_fields = ["title", "requester__email", "external_key"]
    raw_id_fields = ["requester", "created_by"]
    readonly_fields = ["status", "created_at", "resolved_at", "closed_at"]
    list_select_related = ["request_type", "requester"]
    date_hierarchy = "created_at"
    inlines = [JournalInline]


@admin.register(CourseGridImport)
class CourseGridImportAdmin(admin.ModelAdmin):
    list_display = ["original_name", "uploaded_by", "status", "dry_run", "created_at"]
    list_filter = ["status", "dry_run"]
    readonly_fields = ["report", "total_rows", "processed_rows", "finished_at"]
