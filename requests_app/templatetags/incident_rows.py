"""The rows of the incident lists, written in Python.

A list page shows 50 incidents and their 100 SLA badges: rendered by the template language,
the rows cost as much time as all the rest of the page (issue 8's budget is 25 ms a page at
100,000 incidents). Here the same markup is written with f-strings. Every value is escaped as
the template's autoescaping would have (``html.escape``, which Django's ``escape`` calls,
without its checks for lazy strings, done once per label here), and dates are formatted as the
``date`` filter does, once per distinct time (many rows share a due time).
"""

from html import escape

from django import template
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext

from crm.templatetags.guichet import business_duration, status_class

register = template.Library()

DASH = "—"


def new_reply_badge() -> str:
    """The badge of a row whose requester replied by e-mail since an agent last opened it (the
    request and task lists write the same in their templates)."""
    label = escape(gettext("new reply"))
    title = escape(gettext("The requester replied by e-mail"))
    return (
        f' <span class="badge text-bg-warning" data-testid="new-reply" title="{title}">'
        f'<i class="bi bi-envelope" aria-hidden="true"></i> {label}</span>'
    )


@register.simple_tag
def incident_rows(rows) -> SafeString:
    """The ``<tr>`` of each row of ``incident_rows`` (``requests_app.incidents.selectors``)."""
    labels: dict[str, str] = {}
    dates: dict = {}

    def badge(view) -> str:
        if view is None:
            return DASH
        if view.badge not in labels:
            labels[view.badge] = escape(str(view.badge_label))
        return (
            f'<span class="badge text-bg-{view.badge_class}" data-sla="{escape(view.badge)}">'
            f"{labels[view.badge]}</span>"
        )

    def due(moment) -> str:
        if moment not in dates:
            dates[moment] = escape(date_format(localtime(moment), "SHORT_DATETIME_FORMAT"))
        return dates[moment]

    reply_badge = ""
    html = []
    for row in rows:
        if row.new_reply and not reply_badge:
            reply_badge = new_reply_badge()
        response, resolution = row.sla.get("response"), row.sla.get("resolution")
        if resolution is None:
            due_cell = DASH
            remaining = DASH
        else:
            due_cell = (
                f'{badge(resolution)}<div class="small text-body-secondary">'
                f"{due(resolution.clock.due_at)}</div>"
            )
            remaining = (
                DASH
                if resolution.clock.stopped_at
                else escape(business_duration(resolution.remaining_seconds))
            )
        status = escape(row.status)
        html.append(
            "\n  <tr>"
            f'\n    <td><a href="{escape(row.url)}">{row.number}</a>'
            f"{reply_badge if row.new_reply else ''}</td>"
            f"\n    <td>{escape(row.title)}</td>"
            f"\n    <td>{escape(row.priority_label)}</td>"
            f'\n    <td><span class="badge text-bg-{status_class(row.status)}"'
            f' data-status="{status}">{escape(row.status_label)}</span></td>'
            f"\n    <td>{badge(response)}</td>"
            f"\n    <td>{due_cell}</td>"
            f"\n    <td>{remaining}</td>"
            f"\n    <td>{escape(row.group) if row.group else DASH}</td>"
            f"\n    <td>{escape(row.assignee) if row.assignee else DASH}</td>"
            "\n  </tr>"
        )
    return mark_safe("".join(html))  # noqa: S308 (every value escaped above)
