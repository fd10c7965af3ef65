"""Template helpers of the CRM's record pages and shell menus."""

from django import template
from django.template.base import render_value_in_context
from django.utils.safestring import mark_safe

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


@register.simple_tag(takes_context=True)
def table_rows(context, table):
    """The ``<tr>`` of a CRM list's page, as django-tables2's template writes them (each cell
    shown as ``{{ cell }}`` would show it), written in Python: 50 rows of 8 cells cost 400 passes
    through the template's loops, attributes and conditions, a third of the page's time.

    The lists' cell attributes do not depend on the row (``contacts/tables.py``): they are read
    once per column."""
    rows = []
    cell_attrs: dict[str, str] = {}
    for row in table.paginated_rows:
        cells = []
        for column, cell in row.items():
            if column.name not in cell_attrs:
                cell_attrs[column.name] = column.attrs["td"].as_html()
            shown = render_value_in_context(cell, context)
            cells.append(f"<td {cell_attrs[column.name]}>{shown}</td>")
        # Cells apart, as the template writes them: a row's text keeps its cells apart.
        rows.append(f"<tr {row.attrs.as_html()}>\n{chr(10).join(cells)}\n</tr>")
    return mark_safe("\n".join(rows))  # noqa: S308 (cells escaped by render_value_in_context)
