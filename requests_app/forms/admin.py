"""The form factory in the admin: a form's steps and fields ordered by drag and drop, typed in
French and English, previewed as the citizen sees it, then published as a new version."""

from adminsortable2.admin import SortableAdminBase, SortableStackedInline, SortableTabularInline
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from crm.errors import DomainError, NotAllowed

from . import engine, permissions, services
from .models import FormDefinition, FormField, FormStep, FormVersion


class _OfThisForm:
    """Offers, in a step or field row, only the steps and fields of the form being edited; its
    texts in small boxes, so that a form of many fields stays readable."""

    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})},
    }

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        form_id = getattr(request, "_form_definition_id", None)
        if db_field.name == "step":
            kwargs["queryset"] = FormStep.objects.filter(form_id=form_id)
        elif db_field.name == "condition_field":
            kwargs["queryset"] = FormField.objects.filter(form_id=form_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class FormStepInline(_OfThisForm, SortableTabularInline, TranslationTabularInline):
    model = FormStep
    extra = 0
    fields = ["position", "title", "help_text", "condition_field", "condition_value"]
    verbose_name_plural = gettext_lazy("Steps (drag to reorder)")


class FormFieldInline(_OfThisForm, SortableStackedInline, TranslationStackedInline):
    model = FormField
    extra = 0
    fk_name = "form"
    verbose_name_plural = gettext_lazy(
        "Fields (drag to reorder; each appears on its step, in this order)"
    )
    fieldsets = [
        (None, {"fields": [("step", "kind", "required"), ("key", "position"), "label"]}),
        (None, {"fields": ["help_text", "choices", "prefill"]}),
        (
            gettext_lazy("Validation"),
            {
                "classes": ["collapse"],
                "fields": [
                    ("pattern", "pattern_message"),
                    ("min_value", "max_value"),
                    ("file_types", "max_file_size_kb"),
                ],
            },
        ),
        (
            gettext_lazy("Display condition"),
            {"classes": ["collapse"], "fields": [("condition_field", "condition_value")]},
        ),
    ]


class FormVersionInline(admin.TabularInline):
    model = FormVersion
    extra = 0
    can_delete = False
    fields = ["number", "published_at", "published_by"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("Published versions")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FormDefinition)
class FormDefinitionAdmin(SortableAdminBase, TranslationAdmin):
    list_display = ["request_type", "allows_anonymous", "latest_version", "updated_at"]
    list_select_related = ["request_type"]
    search_fields = ["request_type__code", "request_type__name_fr", "request_type__name_en"]
    autocomplete_fields = []
    inlines = [FormStepInline, FormFieldInline, FormVersionInline]
    change_form_template = "admin/forms/formdefinition_change_form.html"
    fieldsets = [
        (None, {"fields": ["request_type", "intro"]}),
        (None, {"fields": [("allows_anonymous", "prefill_from_last_request")]}),
    ]

    @admin.display(description=gettext_lazy("published version"))
    def latest_version(self, obj):
        version = obj.versions.order_by("-number").first()
        return version.number if version else "—"

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        request._form_definition_id = obj.pk if obj is not None else None
        return obj

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="requests_app_formdefinition_preview",
            ),
            path(
                "<int:pk>/publish/",
                self.admin_site.admin_view(require_POST(self.publish_view)),
                name="requests_app_formdefinition_publish",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk: int):
        """The form as it stands (not yet published), every step as the citizen sees it."""
        form = get_object_or_404(FormDefinition.objects.select_related("request_type"), pk=pk)
        if not self.has_view_permission(request, form):
            raise PermissionDenied
        snapshot = engine.snapshot_of(form)
        steps = [
            {
                "number": index + 1,
                "title": engine.tr(step["title"]),
                "help": engine.tr(step["help"]),
                "condition": _condition_text(snapshot, step.get("condition")),
                "form": engine.StepForm(snapshot=snapshot, step_index=index, data_so_far={}),
            }
            for index, step in enumerate(snapshot["steps"])
        ]
        context = {
            "definition": form,
            "request_type": form.request_type,
            "intro": engine.tr(snapshot["intro"]),
            "steps": steps,
            "problems": engine.snapshot_problems(snapshot),
            "back_url": reverse("admin:requests_app_formdefinition_change", args=[pk]),
        }
        return TemplateResponse(request, "forms/preview.html", context)

    def publish_view(self, request, pk: int):
        form = get_object_or_404(FormDefinition, pk=pk)
        try:
            version = services.form_publish(form=form, by=request.user)
        except NotAllowed as error:
            raise PermissionDenied(error.message) from error
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Version %(number)s is published: new requests use it.")
                % {"number": version.number},
            )
        return redirect("admin:requests_app_formdefinition_change", pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        extra_context["can_publish"] = permissions.can_publish_form(request.user)
        return super().change_view(request, object_id, form_url, extra_context)


def _condition_text(snapshot: dict, condition: dict | None) -> str:
    if not condition:
        return ""
    spec = engine.fields_by_key(snapshot).get(condition["field"])
    label = engine.tr(spec["label"]) if spec else condition["field"]
    return _("Shown when “%(field)s” is “%(value)s”.") % {
        "field": label,
        "value": condition["value"],
    }


@admin.register(FormVersion)
class FormVersionAdmin(admin.ModelAdmin):
    list_display = ["form", "number", "published_at", "published_by"]
    list_select_related = ["form__request_type", "published_by"]
    readonly_fields = ["form", "number", "snapshot", "published_at", "published_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
