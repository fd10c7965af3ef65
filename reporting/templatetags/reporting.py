from django import template

from reporting.exportables import Link

register = template.Library()


@register.filter
def is_link(value) -> bool:
    return isinstance(value, Link)


@register.filter
def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
