from django import template
from django.forms import CheckboxInput, RadioSelect, Select, SelectMultiple
from django.utils.safestring import mark_safe

from crm.pagination import HOME_COUNT_CAP

register = template.Library()


@register.filter
def bs_field(bound_field):
    """Render a form field with the CSS toolkit's classes, marking it invalid when it has errors."""
    widget = bound_field.field.widget
    if isinstance(widget, CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, Select | SelectMultiple) and not isinstance(widget, RadioSelect):
        css = "form-select"
    else:
        css = "form-control"
    if bound_field.errors:
        css += " is-invalid"
    existing = widget.attrs.get("class", "")
    return bound_field.as_widget(attrs={"class": f"{existing} {css}".strip()})


STATUS_CLASSES = {
    "draft": "secondary",
    "pending": "secondary",
    "submitted": "primary",
    "open": "primary",
    "new": "primary",
    "in_progress": "warning",
    "on_hold": "info",
    "awaiting_requester": "info",
    "resolved": "success",
    "closed": "success",
    "cancelled": "dark",
}


@register.filter
def status_class(status: str) -> str:
    """The colour of a status, the same on every list, page and diagram."""
    return STATUS_CLASSES.get(str(status), "secondary")


@register.filter
def progress_step(percent) -> int:
    """A progress bar's width, rounded to 5 % and kept within 0–100: guichet.css has one
    ``progress-w-N`` class per step, since the Content-Security-Policy refuses style attributes."""
    try:
        value = float(percent)
    except (TypeError, ValueError):
        return 0
    return int(min(max(value, 0), 100) / 5 + 0.5) * 5


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs) -> str:
    """The current query string with some parameters replaced (for pagination and sorting)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return params.urlencode()


@register.filter
def business_duration(seconds) -> str:
    """3 h 20 min, or −1 h 05 min when overdue."""
    if seconds is None:
        return "—"
    sign = "−" if seconds < 0 else ""
    minutes = int(abs(seconds) // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{sign}{hours} h {minutes:02d} min"


@register.simple_tag(takes_context=True)
def nav_attrs(context, *view_names) -> str:
    """The class and aria-current of a menu link: active when the page is one of ``view_names``.

    A name ending in ":" stands for every page of that URL namespace.
    """
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    active = any(
        current.startswith(name) if name.endswith(":") else current == name for name in view_names
    )
    if active:
        return mark_safe('class="nav-link active" aria-current="page"')
    return mark_safe('class="nav-link"')


@register.filter
def capped(value, cap=None):
    """A count from ``capped_count``: "999+" past the cap, the number otherwise."""
    try:
        value, cap = int(value), int(HOME_COUNT_CAP if cap is None else cap)
    except (TypeError, ValueError):
        return value
    return f"{cap}+" if value > cap else value
