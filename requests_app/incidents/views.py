from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from crm.errors import DomainError, NotAllowed
from crm.forms import submit
from crm.pagination import COUNT_CAP, SEARCH_COUNT_CAP, CappedPaginator
from crm.permissions import backoffice_required
from crm.validation import SHORT_TEXT_MAX_LENGTH, posted_text, query_value

from ..mail.services import replies_mark_seen
from . import permissions, selectors, services
from .forms import IncidentAssignForm, IncidentForm, IncidentJournalForm, PriorityForm
from .models import Incident

SCOPES = {
    "mine": gettext_lazy("My incidents"),
    "queue": gettext_lazy("Incident queue"),
    "all": gettext_lazy("All incidents"),
}
ORDERS = {
    "due": gettext_lazy("Due first"),
    "-due": gettext_lazy("Due last"),
    "priority": gettext_lazy("Priority"),
    "created": gettext_lazy("Newest"),
}


@backoffice_required
@require_safe
def incident_list(request, scope: str = "queue"):
    if scope not in SCOPES:
        raise Http404
    order = query_value(request.GET, "order", "due")
    q = query_value(request.GET, "q")
    queryset = selectors.incident_list(
        user=request.user,
        scope=scope,
        status=query_value(request.GET, "status") or None,
        q=q,
        order=order if order in ORDERS else "due",
    )
    # The count needs no order: the partial indexes of each scope find its rows in any order.
    cap = SEARCH_COUNT_CAP if q.strip() else COUNT_CAP
    page = CappedPaginator(
        selectors.incident_row_values(queryset),
        50,
        ordered_count=False,
        count_cap=cap,
        counted=queryset,
        ids_first=bool(q.strip()),
        # By due time the matches may all come late in the order; by date they do not.
        found_then_sorted=(order if order in ORDERS else "due") in ("due", "-due"),
    ).get_page(request.GET.get("page"))
    page.object_list = selectors.incident_rows(page.object_list)
    context = {
        "scope": scope,
        "scopes": SCOPES,
        "orders": ORDERS,
        "order": order,
        "page": page,
        "title": SCOPES[scope],
        "statuses": Incident.Status.choices,
        "status": query_value(request.GET, "status"),
        "q": q,
        "can_create": permissions.can_create_assisted_incident(request.user),
    }
    return render(request, "requests_app/incident_list.html", context)


# How the page shows each transition of an incident's state machine: label, button style and
# test id. Which of them are offered comes from the state machine (the available transitions).
ACTION_BUTTONS = {
    "await_requester": (gettext_lazy("Wait for the requester"), "btn-outline-secondary", ""),
    "start": (gettext_lazy("Work on it"), "btn-outline-primary", ""),
    "requester_replied": (gettext_lazy("Work on it"), "btn-outline-primary", ""),
    "resolve": (gettext_lazy("Resolve"), "btn-success", "resolve"),
    "reopen": (gettext_lazy("Reopen"), "btn-outline-secondary", "reopen"),
    "close": (gettext_lazy("Close"), "btn-success", "close"),
}


def status_actions(incident: Incident) -> list[dict]:
    """The status changes the incident's state machine allows now, as the page's buttons."""
    available = {t.name: t.target for t in incident.get_available_status_transitions()}
    return [
        {"name": name, "target": available[name], "label": label, "style": style, "testid": testid}
        for name, (label, style, testid) in ACTION_BUTTONS.items()
        if name in available
    ]


def _page(request, pk: int, *, history: bool = True, **forms) -> dict:
    try:
        context = selectors.incident_page(pk=pk, viewer=request.user, history=history)
    except Incident.DoesNotExist as exc:
        raise Http404 from exc
    incident = context["incident"]
    context.update(
        can_work=permissions.can_work_on_incident(request.user, incident),
        journal_form=forms.get("journal_form") or IncidentJournalForm(),
        # Built only when asked (htmx, or a refused post): its two choice lists are two queries
        # that most visits of the page do not need.
        assign_form=forms.get("assign_form"),
        priority_form=PriorityForm(initial={"priority": incident.priority}),
        statuses=Incident.Status,
        status_actions=status_actions(incident),
    )
    return context


@backoffice_required
@require_safe
def incident_detail(request, pk: int):
    # The history, at the foot of the page, is loaded when it is scrolled to (htmx); without
    # JavaScript its link asks for the page with it (``?history=1``).
    context = _page(request, pk, history=request.GET.get("history") == "1")
    # The requester's reply by e-mail is seen once an agent of the incident opens it.
    replies_mark_seen(subject_of=context["incident"], by=request.user)
    return render(request, "requests_app/incident_detail.html", context)


@backoffice_required
@require_safe
def incident_history(request, pk: int):
    """The entries of the incident page's history section (htmx), or the page with them."""
    if not request.htmx:
        return redirect(f"{reverse('incidents:detail', args=[pk])}?history=1#history")
    try:
        history = selectors.incident_history(pk=pk)
    except Incident.DoesNotExist as exc:
        raise Http404 from exc
    response = render(request, "includes/history_entries.html", {"history": history})
    patch_vary_headers(response, ["HX-Request"])
    return response


@backoffice_required
@require_http_methods(["GET", "POST"])
def incident_create(request):
    if not permissions.can_create_assisted_incident(request.user):
        raise PermissionDenied
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        incident = form.create_for_client(
            by=request.user,
            create=lambda requester: services.incident_create(
                requester=requester,
                title=data["title"],
                description=data["description"],
                channel=data["channel"],
                category=data["category"],
                priority=data["priority"],
                assignment_group=data["assignment_group"],
                by=request.user,
            ),
        )
        if incident is not None:
            messages.success(
                request, _("Incident %(number)s created.") % {"number": incident.number}
            )
            return redirect(incident.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "requests_app/incident_form.html", {"form": form}, status=status)


@backoffice_required
@require_POST
def incident_action(request, pk: int, action: str):
    incident = get_object_or_404(Incident, pk=pk)
    try:
        if action == "take":
            services.incident_take(incident=incident, by=request.user)
        elif action == "status":
            services.incident_set_status(
                incident=incident,
                status=posted_text(request.POST, "status", max_length=SHORT_TEXT_MAX_LENGTH),
                by=request.user,
            )
        elif action == "priority":
            form = PriorityForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Choose a priority from the list."))
            services.incident_change_priority(
                incident=incident, priority=form.cleaned_data["priority"], by=request.user
            )
        else:
            raise Http404
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved."))
    return redirect(incident.get_absolute_url())


def _assign_form(incident: Incident) -> IncidentAssignForm:
    return IncidentAssignForm(
        initial={"assignment_group": incident.assignment_group_id, "assignee": incident.assignee_id}
    )


@backoffice_required
@require_http_methods(["GET", "HEAD", "POST"])
def incident_assign(request, pk: int):
    """GET: the assignment form (a partial for htmx, else the page with the form open);
    POST: assign."""
    incident = get_object_or_404(Incident, pk=pk)
    if request.method != "POST":
        if not permissions.can_work_on_incident(request.user, incident):
            raise PermissionDenied
        form = _assign_form(incident)
        if request.htmx:
            response = render(
                request,
                "requests_app/_incident_assign_form.html",
                {"incident": incident, "assign_form": form},
            )
        else:
            response = render(
                request, "requests_app/incident_detail.html", _page(request, pk, assign_form=form)
            )
        # The same URL answers a partial or a page: caches must tell them apart.
        patch_vary_headers(response, ("HX-Request",))
        return response
    form = IncidentAssignForm(request.POST)
    if submit(
        form, lambda data: services.incident_assign(incident=incident, by=request.user, **data)
    ):
        messages.success(request, _("Assignment saved."))
        return redirect(incident.get_absolute_url())
    return render(
        request,
        "requests_app/incident_detail.html",
        _page(request, pk, assign_form=form),
        status=400,
    )


@backoffice_required
@require_POST
def incident_journal(request, pk: int):
    incident = get_object_or_404(Incident, pk=pk)
    form = IncidentJournalForm(request.POST)
    add = lambda data: services.incident_journal_add(incident=incident, by=request.user, **data)  # noqa: E731
    if submit(form, add):
        messages.success(request, _("Added to the journal."))
        return redirect(incident.get_absolute_url() + "#journal")
    return render(
        request,
        "requests_app/incident_detail.html",
        _page(request, pk, journal_form=form),
        status=400,
    )
