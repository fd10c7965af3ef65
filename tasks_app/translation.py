"""Configuration text typed in French and English in the admin (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import ChainTemplate, SupportTaskTemplate, TaskTemplate


@register(ChainTemplate)
class ChainTemplateTranslation(TranslationOptions):
    fields = ("name", "description")
    empty_values = None


@register(TaskTemplate)
class TaskTemplateTranslation(TranslationOptions):
    fields = ("name", "instructions")
    empty_values = None


@register(SupportTaskTemplate)
class SupportTaskTemplateTranslation(TranslationOptions):
    fields = ("name", "instructions")
    empty_values = None
