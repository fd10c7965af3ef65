"""The agent's home: the dashlets each back-office user chose, in their order, composed from
each app's selectors (dashlets.py); a dashlet that reads more than a count loads itself after
the page (htmx)."""

from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST, require_safe

from crm.errors import NotAllowed
from crm.permissions import backoffice_required

from . import dashlets, permissions, services

ARRANGE_ACTIONS = ("up", "down", "top", "bottom", "remove", "add")


def _home_context(request, *, arranging: bool = False, focus: str = "") -> dict:
    user = request.user
    keys = dashlets.layout_of(user)
    return {
        "dashlets": dashlets.render_context(user, keys),
        "hidden_dashlets": [d for key, d in dashlets.DASHLETS.items() if key not in keys],
        "can_arrange": permissions.can_arrange_dashlets(user),
        "arranging": arranging,
        "focus": focus,
    }


def _focus_after(action: str, key: str) -> str:
    """The control that keeps the keyboard's focus once a dashlet has moved."""
    return f"{action}-{key}" if action in ("up", "down") else "arrange-summary"


def _asked_focus(value: str) -> str:
    """The ``focus`` a plain arranging form sends back, when it names one of our controls."""
    action, _, key = value.partition("-")
    if value == "arrange-summary" or (action in ("up", "down") and key in dashlets.DASHLETS):
        return value
    return ""


@backoffice_required
@require_safe
def agent_home(request):
    arranging = request.GET.get("arrange") == "1"
    focus = _asked_focus(request.GET.get("focus", "")) if arranging else ""
    context = _home_context(request, arranging=arranging, focus=focus)
    return render(request, "agent/home.html", context)


@backoffice_required
@require_safe
def dashlet(request, key: str):
    """One dashlet's body (htmx), read for the user who asks."""
    found = dashlets.DASHLETS.get(key)
    if found is None:
        raise Http404
    context = {"dashlet": found, "data": found.read(request.user)}
    response = render(request, found.template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


class ArrangeForm(forms.Form):
    key = forms.ChoiceField(choices=[(key, key) for key in dashlets.DASHLETS])
    action = forms.ChoiceField(choices=[(action, action) for action in ARRANGE_ACTIONS])


@backoffice_required
@require_POST
def dashlet_arrange(request):
    """Move, remove or add one dashlet of my home; htmx gets the home's region back, a plain
    form the home with its arranging panel open."""
    form = ArrangeForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(
            "; ".join(str(e) for errors in form.errors.values() for e in errors)
        )
    key, action = form.cleaned_data["key"], form.cleaned_data["action"]
    keys = dashlets.moved(dashlets.layout_of(request.user), key, action)
    try:
        services.dashlet_layout_save(user=request.user, by=request.user, dashlets=keys)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except ValidationError as error:
        return HttpResponseBadRequest("; ".join(error.messages))
    focus = _focus_after(action, key)
    if request.htmx:
        context = _home_context(request, arranging=True, focus=focus)
        return render(request, "reporting/_home_region.html", context)
    # a plain form (or a press before htmx has taken the new buttons over) keeps the focus too;
    # no #fragment, which would stop the browser from honouring autofocus
    return redirect(f"{reverse('agent:home')}?{urlencode({'arrange': 1, 'focus': focus})}")
