"""Template helpers of the CRM's record pages and shell menus."""

from django import template

from crm.templatetags.guichet import status_class

from .. import favourites
from ..record_views import is_starred

register = template.Library()

# The CRM's statuses (calls, meetings, to-dos) beside the tasks' and requests' colours.
CRM_STATUS_CLASSES = {
    "planned": "primary",
    "held": "success",
    "postponed": "warning",
    "not_started": "secondary",
    "waiting": "info",
    "completed": "success",
}


@register.filter
def crm_status_class(status: str) -> str:
    return CRM_STATUS_CLASSES.get(str(status)) or status_class(status)


@register.inclusion_tag("includes/favourite_star.html", takes_context=True)
def favourite_star(context, obj):
    """The star of any registered record (``contacts.favourites``): one query, whether the
    current user starred it. ``{% load record_tags %}{% favourite_star obj %}``."""
    user = context["request"].user
    return {
        "obj": obj,
        "starred": is_starred(user, obj),
        "favourite_key": favourites.key_of(obj),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("includes/favourite_star_lazy.html")
def favourite_star_lazy(obj):
    """The star loaded after the page (htmx), for pages that keep a query budget."""
    return {"obj": obj, "favourite_key": favourites.key_of(obj)}
