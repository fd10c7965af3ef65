"""Content typed by administrators in French (the main field) and English (the ``*_en`` field)."""

from django.utils.translation import get_language


def localized(obj, field: str) -> str:
    """The English text when English is active and filled in, else the French one."""
    language = get_language() or ""
    if language.startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field)
