"""To-do pages (seed 002): the list and its history, create and edit, the Kanban by status.
A to-do's own page is the task page (tasks:detail)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from crm.errors import DomainError, NotAllowed
from crm.pagination import CappedPaginator
from crm.permissions import backoffice_required
from crm.validation import query_value

from . import permissions, services, todos
from .calendar_forms import parse_moment
from .models import Task
from .todo_forms import TodoFilterForm, TodoForm, TodoMoveForm
from .todos import TODO_STATUS_LABELS, todo_status

TARGET_PARAMS = ("client", "contact", "partner")


def _without_page(params) -> str:
    params = params.copy()
    params.pop("page", None)
    return params.urlencode()


@backoffice_required
@require_safe
def todo_list(request, history: bool = False):
    form = TodoFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    rows = todos.todo_list(
        user=request.user,
        q=data.get("q", ""),
        status=data.get("status", ""),
        priority=data.get("priority", ""),
        mine=data.get("mine", False),
        history=history,
    )
    page = CappedPaginator(rows, 50).get_page(query_value(request.GET, "page", max_length=8))
    page.object_list = list(page.object_list)
    for todo in page.object_list:
        todo.status_label = TODO_STATUS_LABELS[todo_status(todo)]
    context = {
        "form": form,
        "page": page,
        "history": history,
        "labels": TODO_STATUS_LABELS,
        "querystring": _without_page(request.GET),
        "can_plan": permissions.can_plan_todo(request.user),
    }
    template = "tasks_app/_todo_table.html" if request.htmx else "tasks_app/todo_list.html"
    return render(request, template, context, status=200 if form.is_valid() else 400)


def _initial_from_query(request) -> dict:
    initial = {}
    for name in TARGET_PARAMS:
        value = query_value(request.GET, name, max_length=18)
        if value.isdigit() and todos.target_of(name, value) is not None:
            initial["target"] = f"{name}:{value}"
            break
    for name in ("due_date", "start_date", "starts_at"):
        moment = parse_moment(query_value(request.GET, name, max_length=40))
        if moment is not None:
            day = moment.date().isoformat()
            if name == "starts_at":
                initial.setdefault("start_date", day)
                initial.setdefault("due_date", day)
            else:
                initial[name] = day
    return initial


def _save(form, call) -> bool:
    if not form.is_valid():
        return False
    try:
        call()
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        form.add_error(None, error.message)
        return False
    except ValidationError as error:
        for field, errors in getattr(error, "message_dict", {"__all__": error.messages}).items():
            name = field if field in form.fields else None
            if field in TARGET_PARAMS:
                name = "target"
            for message in errors:
                form.add_error(name, message)
        return False
    return True


@backoffice_required
@require_http_methods(["GET", "POST"])
def todo_create(request):
    if not permissions.can_plan_todo(request.user):
        raise PermissionDenied
    if request.method == "GET":
        form = TodoForm(initial={"assignee": request.user.pk, **_initial_from_query(request)})
        return render(request, "tasks_app/todo_form.html", {"form": form, "todo": None})
    form = TodoForm(request.POST)
    created = {}

    def create():
        created["todo"] = services.todo_create(
            by=request.user, status=form.cleaned_data["status"], **form.service_fields()
        )

    if _save(form, create):
        messages.success(request, _("To-do created."))
        return redirect(created["todo"].get_absolute_url())
    return render(request, "tasks_app/todo_form.html", {"form": form, "todo": None}, status=400)


def _get_todo(pk: int) -> Task:
    todo = todos.todos().filter(pk=pk).first()
    if todo is None:
        raise Http404
    return todo


@backoffice_required
@require_http_methods(["GET", "POST"])
def todo_edit(request, pk: int):
    todo = _get_todo(pk)
    if not permissions.can_change_todo(request.user, todo):
        raise PermissionDenied
    if request.method == "GET":
        target = next(k for k in TARGET_PARAMS if getattr(todo, f"{k}_id"))
        initial = {
            "title": todo.title,
            "status": todo_status(todo),
            "start_date": todo.start_date,
            "due_date": todo.due_date,
            "priority": todo.priority,
            "assignee": todo.assignee_id,
            "assignment_group": todo.assignment_group_id,
            "description": todo.description,
            "target": f"{target}:{getattr(todo, f'{target}_id')}",
        }
        form = TodoForm(initial=initial)
        return render(request, "tasks_app/todo_form.html", {"form": form, "todo": todo})
    form = TodoForm(request.POST)

    def update():
        updated = services.todo_update(todo=todo, by=request.user, **form.service_fields())
        if todo_status(updated) != form.cleaned_data["status"]:
            services.todo_set_status(
                todo=updated, by=request.user, status=form.cleaned_data["status"]
            )

    if _save(form, update):
        messages.success(request, _("To-do saved."))
        return redirect(todo.get_absolute_url())
    return render(request, "tasks_app/todo_form.html", {"form": form, "todo": todo}, status=400)


@backoffice_required
@require_safe
def todo_targets(request):
    """The records a to-do can concern, for the form's search box (an htmx partial)."""
    q = query_value(request.GET, "target_q", request.GET.get("q", ""))
    context = {"found": todos.target_search(q=q), "q": q}
    return render(request, "tasks_app/_todo_targets.html", context)


@backoffice_required
@require_safe
def todo_kanban(request):
    mine = request.GET.get("all") != "1"
    context = {
        "columns": todos.todo_kanban(user=request.user, mine=mine),
        # Every column may follow every other one (services.todo_set_status finds the way).
        "moves": {s: [t for t in TODO_STATUS_LABELS if t != s] for s in TODO_STATUS_LABELS},
        "mine": mine,
        "can_move": permissions.can_plan_todo(request.user),
        "move_form": TodoMoveForm(),
    }
    return render(request, "tasks_app/todo_kanban.html", context)


@backoffice_required
@require_POST
def todo_move(request, pk: int):
    """A card dropped on another column (JSON for the board's script), or the same move chosen
    from the card's menu without a mouse (a form: back to the board with a message)."""
    as_json = request.headers.get("X-Requested-With") == "fetch"
    todo = _get_todo(pk)
    form = TodoMoveForm(request.POST)
    if not form.is_valid():
        message = _("Unknown status.")
        if as_json:
            return JsonResponse(
                {"ok": False, "message": message, "status": todo_status(todo)}, status=400
            )
        messages.error(request, message)
        return redirect("activities:todo_kanban")
    try:
        moved = services.todo_set_status(
            todo=todo, by=request.user, status=form.cleaned_data["status"]
        )
    except DomainError as error:
        if as_json:
            status = error.status_code if error.status_code != 400 else 409
            return JsonResponse(
                {"ok": False, "message": str(error.message), "status": todo_status(todo)},
                status=status,
            )
        if isinstance(error, NotAllowed):
            raise PermissionDenied(error.message) from error
        messages.error(request, error.message)
        return redirect("activities:todo_kanban")
    message = _("“%(title)s” is now %(status)s.") % {
        "title": moved.title,
        "status": TODO_STATUS_LABELS[todo_status(moved)],
    }
    if as_json:
        return JsonResponse({"ok": True, "message": message, "status": todo_status(moved)})
    messages.success(request, message)
    return redirect(reverse("activities:todo_kanban") + f"#card-{moved.pk}")
