"""Configuration text typed in French and English in the admin (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Program, Service


@register(Program)
class ProgramTranslation(TranslationOptions):
    fields = ("name", "description")
    empty_values = None


@register(Service)
class ServiceTranslation(TranslationOptions):
    fields = ("name", "description")
    empty_values = None
