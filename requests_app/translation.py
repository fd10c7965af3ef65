"""Configuration text typed in French and English in the admin (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import (
    FormDefinition,
    FormField,
    FormStep,
    IncidentCategory,
    LaunchButton,
    ProcedureContact,
    ProcedureDocument,
    ProcedureLink,
    ProcedureStep,
    RequestType,
    Theme,
)


@register(Theme)
class ThemeTranslation(TranslationOptions):
    fields = ("name", "description")
    empty_values = None


@register(RequestType)
class RequestTypeTranslation(TranslationOptions):
    fields = ("name", "description", "summary", "eligibility", "processing_time")
    empty_values = None


@register(IncidentCategory)
class IncidentCategoryTranslation(TranslationOptions):
    fields = ("name",)
    # A name left blank in English is NULL: several may be untranslated though names are unique.
    empty_values = None


@register(ProcedureStep)
class ProcedureStepTranslation(TranslationOptions):
    fields = ("title", "text")
    empty_values = None


@register(ProcedureDocument)
class ProcedureDocumentTranslation(TranslationOptions):
    fields = ("name", "description")
    empty_values = None


@register(LaunchButton)
class LaunchButtonTranslation(TranslationOptions):
    fields = ("label", "description")
    empty_values = None


@register(ProcedureContact)
class ProcedureContactTranslation(TranslationOptions):
    fields = ("name", "role", "hours")
    empty_values = None


@register(ProcedureLink)
class ProcedureLinkTranslation(TranslationOptions):
    fields = ("label",)
    empty_values = None


@register(FormDefinition)
class FormDefinitionTranslation(TranslationOptions):
    fields = ("intro",)


@register(FormStep)
class FormStepTranslation(TranslationOptions):
    fields = ("title", "help_text")


@register(FormField)
class FormFieldTranslation(TranslationOptions):
    fields = ("label", "help_text", "choices", "pattern_message")
