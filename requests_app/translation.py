"""Configuration text typed in French and English in the admin (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import IncidentCategory, RequestType, Theme


@register(Theme)
class ThemeTranslation(TranslationOptions):
    fields = ("name", "description")


@register(RequestType)
class RequestTypeTranslation(TranslationOptions):
    fields = ("name", "description")


@register(IncidentCategory)
class IncidentCategoryTranslation(TranslationOptions):
    fields = ("name",)
