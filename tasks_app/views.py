from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from crm.errors import DomainError, NotAllowed
from crm.forms import submit
from crm.pagination import CappedPaginator
from crm.permissions import backoffice_required, can_act_in_backoffice
from crm.selectors import record_history
from crm.validation import posted_text
from crm.workflow import transition_graph
from requests_app.requests import seam

from . import permissions, selectors, services
from .forms import AssignForm, JournalForm, SupportScheduleForm, SupportTaskForm
from .models import Task

SCOPES = {
    "mine": gettext_lazy("My tasks"),
    "queue": gettext_lazy("My groups' queue"),
    "all": gettext_lazy("All tasks"),
}
ACTIONS = {
    "take": services.task_take,
    "start": services.task_start,
    "hold": services.task_hold,
    "resume": services.task_resume,
    "close": services.task_close,
    "cancel": services.task_cancel,
}
DONE_MESSAGES = {
    "take": gettext_lazy("You have taken %(number)s."),
    "start": gettext_lazy("%(number)s is in progress."),
    "hold": gettext_lazy("%(number)s is on hold."),
    "resume": gettext_lazy("%(number)s is in progress again."),
    "close": gettext_lazy("%(number)s is closed."),
    "cancel": gettext_lazy("%(number)s is cancelled."),
}
# Kanban: which service a drop from one column onto another calls. Read from the task's state
# machine: its transitions between two columns that an agent makes (a pending task is opened by
# the chain, never by a drop).
MOVES = {
    (source, target): name
    for (source, target), name in transition_graph(Task).items()
    if name in ACTIONS and target in selectors.KANBAN_COLUMNS
}


def _run(action: str, task: Task, user, request_post) -> Task:
    kwargs = {"task": task, "by": user}
    if action == "close":
        kwargs["note"] = posted_text(request_post, "note")
    elif action in ("hold", "cancel"):
        kwargs["reason"] = posted_text(request_post, "reason")
    return ACTIONS[action](**kwargs)


@backoffice_required
@require_safe
def task_list(request, scope: str = "mine"):
    if scope not in SCOPES:
        raise Http404
    task_filter = selectors.task_list(user=request.user, scope=scope, params=request.GET)
    page = CappedPaginator(task_filter.qs, 50).get_page(request.GET.get("page"))
    context = {
        "scope": scope,
        "scopes": SCOPES,
        "title": SCOPES[scope],
        "filter": task_filter,
        "page": page,
        "querystring": _without_page(request.GET),
    }
    template = "tasks_app/_task_table.html" if request.htmx else "tasks_app/task_list.html"
    return render(request, template, context)


def _without_page(params) -> str:
    params = params.copy()
    params.pop("page", None)
    return params.urlencode()


def _detail_context(request, task: Task, **forms) -> dict:
    can_work = permissions.can_work_on_task(request.user, task)
    siblings = []
    if task.request_id:
        siblings = list(
            Task.objects.filter(request_id=task.request_id, kind=Task.Kind.SERVICE)
            .select_related("template", "assignment_group")
            .order_by("template__sequence", "pk")
        )
    return {
        "task": task,
        "siblings": siblings,
        "can_work": can_work,
        "journal_form": forms.get("journal_form") or JournalForm(),
        # Loaded when opened (htmx): its lists of groups and agents are long.
        "support_form": forms.get("support_form"),
        "assign_form": forms.get("assign_form")
        or AssignForm(task=task, initial={"assignee": task.assignee_id}),
        "history": record_history(task),
        "schedule_form": forms.get("schedule_form")
        or (_schedule_form(task) if can_work and not task.is_done else None),
    }


def _get_task(pk: int) -> Task:
    try:
        return selectors.task_detail(pk=pk)
    except Task.DoesNotExist as exc:
        raise Http404 from exc


@backoffice_required
@require_safe
def task_detail(request, pk: int):
    task = _get_task(pk)
    # The requester's reply by e-mail is seen once an agent of the request opens the task.
    seam.request_replies_seen(request=task.request, by=request.user)
    return render(request, "tasks_app/task_detail.html", _detail_context(request, task))


@backoffice_required
@require_POST
def task_action(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    task = get_object_or_404(Task, pk=pk)
    try:
        task = _run(action, task, request.user, request.POST)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, DONE_MESSAGES[action] % {"number": task.number})
    return redirect(task.get_absolute_url())


@backoffice_required
@require_POST
def task_assign(request, pk: int):
    task = _get_task(pk)
    form = AssignForm(request.POST, task=task)
    if form.is_valid():
        try:
            services.task_assign(task=task, assignee=form.cleaned_data["assignee"], by=request.user)
        except NotAllowed as error:
            raise PermissionDenied(error.message) from error
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Assignment saved."))
        return redirect(task.get_absolute_url())
    context = _detail_context(request, task, assign_form=form)
    return render(request, "tasks_app/task_detail.html", context, status=400)


@backoffice_required
@require_POST
def task_journal(request, pk: int):
    task = _get_task(pk)
    form = JournalForm(request.POST)
    add = lambda data: seam.task_journal_add(  # noqa: E731
        by=request.user, task=task, kind=data["kind"], body=data["body"]
    )
    if submit(form, add):
        messages.success(request, _("Added to the journal."))
        return redirect(task.get_absolute_url() + "#journal")
    context = _detail_context(request, task, journal_form=form)
    return render(request, "tasks_app/task_detail.html", context, status=400)


def _add_errors(form, error: ValidationError) -> None:
    """A service's ``ValidationError`` at the fields it names (the others above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def _support_form(parent: Task, data=None) -> SupportTaskForm:
    attendees = services.support_attendees_default(parent)
    return SupportTaskForm(
        data,
        prefix="support",
        attendee_choices=attendees,
        initial={"attendees": [client.pk for client in attendees]},
    )


@backoffice_required
@require_http_methods(["GET", "POST"])
def support_task_create(request, pk: int):
    if request.method == "GET":
        task = get_object_or_404(Task, pk=pk)
        if not permissions.can_work_on_task(request.user, task):
            raise PermissionDenied
        form = _support_form(task)
        return render(request, "tasks_app/_support_form.html", {"task": task, "form": form})
    parent = _get_task(pk)
    form = _support_form(parent, request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        if not data["start"] and not data["end"]:
            data["attendees"] = None
        try:
            child = services.support_task_create(parent=parent, by=request.user, **data)
        except NotAllowed as error:
            raise PermissionDenied(error.message) from error
        except DomainError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("Support task %(number)s created.") % {"number": child.number}
            )
            return redirect(parent.get_absolute_url())
    context = _detail_context(request, parent, support_form=form)
    return render(request, "tasks_app/task_detail.html", context, status=400)


def _schedule_form(task: Task, data=None) -> SupportScheduleForm | None:
    if task.kind != Task.Kind.SUPPORT:
        return None
    current = list(task.attendees.all())
    choices = {c.pk: c for c in [*services.support_attendees_default(task), *current]}
    initial = {
        "start": task.scheduled_start and timezone.localtime(task.scheduled_start),
        "end": task.scheduled_end and timezone.localtime(task.scheduled_end),
        "resource": task.resource_id,
        "place": task.place,
        "virtual_room_url": task.virtual_room_url,
        "attendees": [c.pk for c in current],
    }
    return SupportScheduleForm(
        data, prefix="schedule", attendee_choices=choices.values(), initial=initial
    )


@backoffice_required
@require_POST
def support_task_schedule(request, pk: int):
    task = _get_task(pk)
    if task.kind != Task.Kind.SUPPORT:
        raise Http404
    form = _schedule_form(task, request.POST)
    if form.is_valid():
        try:
            services.support_task_schedule(task=task, by=request.user, **form.cleaned_data)
        except NotAllowed as error:
            raise PermissionDenied(error.message) from error
        except DomainError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Schedule saved."))
            return redirect(task.get_absolute_url())
    context = _detail_context(request, task, schedule_form=form)
    return render(request, "tasks_app/task_detail.html", context, status=400)


@backoffice_required
@require_safe
def kanban(request):
    group = request.GET.get("group")
    group_id = int(group) if group and group.isdigit() else None
    legal: dict[str, list[str]] = {}
    for source, target in MOVES:
        legal.setdefault(source, []).append(target)
    context = {
        "columns": selectors.kanban(user=request.user, group_id=group_id),
        "moves": legal,
        "groups": request.user.assignment_groups.filter(is_active=True),
        "group_id": group_id,
        "can_move": can_act_in_backoffice(request.user),
    }
    return render(request, "tasks_app/kanban.html", context)


@backoffice_required
@require_POST
def kanban_move(request, pk: int):
    """A card dropped on another column: the same services as the buttons, or a refusal that
    sends the card back."""
    task = get_object_or_404(Task, pk=pk)
    target = request.POST.get("status", "")
    action = MOVES.get((task.status, target))
    if action is None:
        labels = dict(Task.Status.choices)
        message = _("A task cannot go from “%(source)s” to “%(target)s”.") % {
            "source": labels.get(task.status, task.status),
            # An unknown status is not echoed back: it may be anything, of any length.
            "target": labels.get(target, _("unknown status")),
        }
        return JsonResponse({"ok": False, "message": message, "status": task.status}, status=409)
    try:
        task = _run(action, task, request.user, request.POST)
    except DomainError as error:
        return JsonResponse(
            {"ok": False, "message": str(error.message), "status": task.status},
            status=error.status_code if error.status_code != 400 else 409,
        )
    return JsonResponse(
        {
            "ok": True,
            "message": DONE_MESSAGES[action] % {"number": task.number},
            "status": task.status,
        }
    )
