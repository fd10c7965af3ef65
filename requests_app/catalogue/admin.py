from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ..models import (
    RequestType,
    Theme,
)


@admin.register(Theme)
class ThemeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "name_en", "position"]
    list_editable = ["position"]
    search_fields = ["name", "name_en"]


@admin.register(RequestType)
class RequestTypeAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name",
        "theme",
        "active",
        "default_assignment_group",
        "chain_template",
        "calendar",
    ]
    list_filter = ["active", "theme"]
    search_fields = ["code", "name", "name_en"]
    fieldsets = [
        (None, {"fields": [("code", "active"), ("name", "name_en"), "theme"]}),
        (None, {"fields": [("description", "description_en")]}),
        (None, {"fields": ["default_assignment_group", ("chain_template", "calendar")]}),
    ]
