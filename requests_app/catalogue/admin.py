from adminsortable2.admin import SortableAdminBase, SortableStackedInline, SortableTabularInline
from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TabbedTranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from simple_history.admin import SimpleHistoryAdmin

from ..models import (
    LaunchButton,
    ProcedureContact,
    ProcedureDocument,
    ProcedureLink,
    ProcedureStep,
    RequestType,
    Theme,
)
from .forms import ProcedureDocumentAdminForm


@admin.register(Theme)
class ThemeAdmin(SimpleHistoryAdmin, TabbedTranslationAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    search_fields = ["name_fr", "name_en"]


# The lines of a procedure page, each list ordered by dragging its rows (its "position").
# A line's text is a few sentences: a small box, that the administrator may enlarge.
SHORT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 60})}}


class ProcedureStepInline(SortableStackedInline, TranslationStackedInline):
    formfield_overrides = SHORT_TEXT
    model = ProcedureStep
    fields = ["title", "text"]
    extra = 0


class ProcedureDocumentInline(SortableStackedInline, TranslationStackedInline):
    formfield_overrides = SHORT_TEXT
    model = ProcedureDocument
    form = ProcedureDocumentAdminForm
    fields = ["name", "description", "required", "template", "template_name"]
    readonly_fields = ["template_name"]
    extra = 0


class LaunchButtonInline(SortableTabularInline, TranslationTabularInline):
    model = LaunchButton
    fields = ["label", "description", "variant"]
    extra = 0


class ProcedureContactInline(SortableStackedInline, TranslationStackedInline):
    model = ProcedureContact
    fields = ["name", "role", ("email", "phone"), "hours"]
    extra = 0


class ProcedureLinkInline(SortableTabularInline, TranslationTabularInline):
    model = ProcedureLink
    fields = ["label", "url"]
    extra = 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(RequestType)
class RequestTypeAdmin(SortableAdminBase, SimpleHistoryAdmin, TabbedTranslationAdmin):
    list_display = [
        "code",
        "name",
        "theme",
        "active",
        "published",
        "default_assignment_group",
        "chain_template",
        "calendar",
    ]
    list_filter = ["active", "published", "theme"]
    search_fields = ["code", "name_fr", "name_en"]
    fieldsets = [
        (None, {"fields": [("code", "active"), "name", "theme"]}),
        (None, {"fields": ["description"]}),
        (None, {"fields": ["default_assignment_group", ("chain_template", "calendar")]}),
        (
            _("Procedure page on the portal"),
            {
                "fields": [
                    ("published", "slug"),
                    "icon",
                    "summary",
                    "eligibility",
                    "processing_time",
                ]
            },
        ),
    ]
    inlines = [
        ProcedureStepInline,
        ProcedureDocumentInline,
        LaunchButtonInline,
        ProcedureContactInline,
        ProcedureLinkInline,
    ]
