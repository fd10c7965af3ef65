from django.contrib import admin
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from ..models import (
    RequestType,
    Theme,
)


@admin.register(Theme)
class ThemeAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    search_fields = ["name_fr", "name_en"]


@admin.register(RequestType)
class RequestTypeAdmin(SimpleHistoryAdmin, TranslationAdmin):
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
    search_fields = ["code", "name_fr", "name_en"]
    fieldsets = [
        (None, {"fields": [("code", "active"), "name", "theme"]}),
        (None, {"fields": ["description"]}),
        (None, {"fields": ["default_assignment_group", ("chain_template", "calendar")]}),
    ]
