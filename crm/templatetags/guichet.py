from django import template
from django.forms import CheckboxInput, RadioSelect, Select, SelectMultiple
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

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
    attrs = {"class": f"{existing} {css}".strip()}
    # The help text and the errors that includes/form_field.html writes under the field are
    # read out with it (their ids are the field's, suffixed).
    described_by = [widget.attrs["aria-describedby"]] if "aria-describedby" in widget.attrs else []
    if bound_field.auto_id and not described_by:
        if bound_field.help_text:
            described_by.append(f"{bound_field.auto_id}_helptext")
        if bound_field.errors:
            described_by.append(f"{bound_field.auto_id}_error")
            attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return bound_field.as_widget(attrs=attrs)


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


# --- long lists of a record's page, written in Python ------------------------------------------
# A record's page shows its whole journal and history (tens of entries, each a dozen values):
# rendered by the template language they cost more than the rest of the page. The tags below
# write the markup their templates had (includes/journal_entries.html, includes/history.html),
# each value printed as ``{{ value }}`` prints it (``_text``: local time, localized, escaped),
# dates as the ``date`` filter does, once per distinct value.


def _text(value) -> str:
    """``value`` as the template language prints ``{{ value }}``."""
    value = localize(template_localtime(value))
    if not issubclass(type(value), str):
        value = str(value)
    return conditional_escape(value)


class _Dates:
    """The ``date`` filter's output for each (moment, format), computed once: entries written
    in the same minute share their short format, and every entry needs two formats."""

    def __init__(self):
        self.seen: dict = {}

    def __call__(self, moment, fmt: str) -> str:
        key = (moment, fmt)
        if key not in self.seen:
            self.seen[key] = conditional_escape(date_filter(template_localtime(moment), fmt))
        return self.seen[key]


@register.simple_tag
def journal_items(entries, show_task=False) -> SafeString:
    """The entries of includes/journal_entries.html (a request's, a task's, an incident's)."""
    dates = _Dates()
    html = []
    by_email = None
    for entry in entries:
        border = "border-primary" if entry.is_public else "border-secondary"
        task = ""
        if show_task and entry.task:
            task = (
                f' · <a href="{_text(entry.task.get_absolute_url())}">'
                f"{_text(entry.task.number)}</a>"
            )
        # A requester's reply by e-mail names them (they may have no account), says so, and
        # lists the files it brought, each downloaded through a view that checks who asks.
        author = getattr(entry, "author_name", None) or entry.author
        channel = ""
        if getattr(entry, "via_email", False):
            if by_email is None:
                by_email = conditional_escape(gettext("by e-mail"))
            channel = f' · <span class="badge text-bg-light" data-channel="email">{by_email}</span>'
        files = "".join(
            f'\n  <div class="small"><i class="bi bi-paperclip" aria-hidden="true"></i> '
            f'<a href="{_text(item.get_absolute_url())}" data-testid="journal-file">'
            f"{_text(item.original_name)}</a> ({_text(filesizeformat(item.size))})</div>"
            for item in getattr(entry, "files", ())
        )
        html.append(
            f'\n<div class="border-start border-3 ps-2 mb-2 {border}">'
            f'\n  <div class="small text-body-secondary">'
            f"{dates(entry.created_at, 'SHORT_DATETIME_FORMAT')} · {_text(author)}"
            f" · {_text(entry.get_kind_display())}{channel}{task}</div>"
            f"\n  <div>{linebreaksbr(entry.body, autoescape=True)}</div>{files}"
            "\n</div>"
        )
    return mark_safe("".join(html))  # noqa: S308 (every value escaped above)


def _capfirst(value) -> str:
    """``{{ value|capfirst }}``."""
    return conditional_escape(capfirst(str(value)))


def _field(obj, name: str, default=""):
    """``obj.name``, or ``obj[name]`` for a dict, as a template's ``{{ obj.name }}`` reads it."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


@register.simple_tag
def history_items(entries) -> SafeString:
    """The entries of includes/history.html (``crm.selectors.record_history``'s, or dicts of
    the same keys)."""
    dates = _Dates()
    words = {
        "system": conditional_escape(gettext("system")),
        "created": conditional_escape(gettext("created")),
        "deleted": conditional_escape(gettext("deleted")),
        "changed": conditional_escape(gettext("changed")),
    }
    head = (
        f'<thead><tr><th scope="col">{conditional_escape(gettext("Field"))}</th>'
        f'<th scope="col">{conditional_escape(gettext("Before"))}</th>'
        f'<th scope="col">{conditional_escape(gettext("After"))}</th></tr></thead>'
    )
    html = []
    for item in entries:
        when, who, kind = (
            _field(item, "when", None),
            _field(item, "who", None),
            _field(item, "kind"),
        )
        reason, note, changes = (
            _field(item, "reason"),
            _field(item, "note"),
            _field(item, "changes"),
        )
        if reason:
            what = (
                '<span class="badge text-bg-light border" data-testid="history-reason">'
                f"{_text(reason)}</span>"
            )
        else:
            what = words.get(kind, words["changed"])
        html.append(
            '\n    <li class="list-group-item">'
            '\n      <div class="small text-body-secondary">'
            f'\n        <time datetime="{dates(when, "c")}">'
            f"{dates(when, 'SHORT_DATETIME_FORMAT')}</time>"
            f"\n        · {_text(who) if who else words['system']}"
            f"\n        · {what}"
            "\n      </div>"
        )
        if note:
            html.append(f'\n      <p class="mb-0 mt-1 small">{_text(note)}</p>')
        if changes:
            html.append(
                '\n      <div class="table-responsive"><table class="table table-sm mb-0 mt-1">'
                f"\n        {head}\n        <tbody>"
            )
            html.extend(
                f"\n          <tr><td>{_capfirst(_field(change, 'field'))}</td>"
                f"<td><del>{_text(_field(change, 'old'))}</del></td>"
                f"<td><ins>{_text(_field(change, 'new'))}</ins></td></tr>"
                for change in changes
            )
            html.append("\n        </tbody>\n      </table></div>")
        html.append("\n    </li>")
    return mark_safe("".join(html))  # noqa: S308 (every value escaped above)
