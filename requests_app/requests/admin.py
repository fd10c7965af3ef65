from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ..models import (
    JournalEntry,
    ServiceRequest,
)


class JournalInline(admin.TabularInline):
    model = JournalEntry
    fk_name = "request"
    extra = 0
    fields = ["created_at", "kind", "author", "author_client", "task", "body"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceRequest)
class RequestAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "request_type", "requester", "status", "due_date", "created_at"]
    list_filter = ["status", "request_type", "channel"]
    search_fields = ["title", "requester__email", "external_key"]
    raw_id_fields = ["requester", "created_by"]
    readonly_fields = ["status", "created_at", "resolved_at", "closed_at"]
    list_select_related = ["request_type", "requester"]
    date_hierarchy = "created_at"
    inlines = [JournalInline]

    # Requests change through the back office (its services open tasks, notify, keep history).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
