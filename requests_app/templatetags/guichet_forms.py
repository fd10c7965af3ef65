"""Template helpers of the form factory."""

from django import template
from django.urls import reverse

from ..forms.selectors import slug_of

register = template.Library()


@register.simple_tag
def request_start_url(request_type) -> str:
    """Where a request type's form starts (or its draft resumes)."""
    return reverse("portal:request_start", kwargs={"slug": slug_of(request_type)})
