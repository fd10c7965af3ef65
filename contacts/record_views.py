"""The CRM's record pages: a record's fields and history, and the create and edit forms of every
record type (``records.RECORD_TYPES``). The record pages of clients, partners and contacts grow
into 360° pages; these are their base."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from crm.errors import NotAllowed
from crm.permissions import backoffice_required
from crm.selectors import record_history
from crm.validation import safe_next

from . import services
from .permissions import can_add_crm, can_change_crm, can_view_crm
from .record_forms import LINK_MODELS, form_class_for
from .records import RECORD_TYPES, linked_record

# Fields shown by their display value (choices) rather than their stored code.
HIDDEN_ON_PAGE = {"id", "history", "file"}


def _record_type(kind: str):
    try:
        return RECORD_TYPES[kind]
    except KeyError as exc:
        raise Http404 from exc


def record_fields(obj, names) -> list[tuple[str, object]]:
    """``(label, value shown)`` of ``names`` on ``obj``: choices by their label, foreign keys by
    name, many-to-many as a list."""
    rows = []
    for name in names:
        model_field = obj._meta.get_field(name)
        if model_field.many_to_many:
            value = ", ".join(str(v) for v in getattr(obj, name).all()) or "—"
        elif model_field.choices:
            value = getattr(obj, f"get_{name}_display")() or "—"
        else:
            value = getattr(obj, name)
            value = "—" if value in (None, "") else value
        rows.append((model_field.verbose_name, value))
    return rows


@backoffice_required
@require_GET
def record_detail(request, pk: int, *, kind: str):
    record_type = _record_type(kind)
    if not can_view_crm(request.user, kind):
        raise PermissionDenied
    related = [
        name
        for name in (*record_type.linked_to, "owner", "assigned_to")
        if name in {f.name for f in record_type.model._meta.fields}
    ]
    obj = get_object_or_404(record_type.model.objects.select_related(*related), pk=pk)
    context = {
        "obj": obj,
        "record_type": record_type,
        "fields": record_fields(obj, [*record_type.linked_to, *record_type.fields]),
        "linked": linked_record(obj) if record_type.linked_to else None,
        "history": record_history(obj),
        "can_change": can_change_crm(request.user, kind),
    }
    return render(request, "contacts/record_detail.html", context)


def _initial_links(request, record_type) -> dict:
    """``?client=12`` (or contact, partner) links the new activity to that record."""
    initial = {}
    for name in record_type.linked_to:
        value = request.GET.get(name, "")
        if value.isdigit() and len(value) < 12:
            target = LINK_MODELS[name].objects.filter(pk=int(value)).first()
            if target is not None:
                initial[name] = target
    return initial


@backoffice_required
@require_http_methods(["GET", "POST"])
def record_create(request, *, kind: str):
    record_type = _record_type(kind)
    if not can_add_crm(request.user, kind):
        raise PermissionDenied
    Form = form_class_for(record_type)
    initial = _initial_links(request, record_type)
    for name in ("assigned_to", "owner", "counsellor"):
        if name in record_type.fields:
            initial.setdefault(name, request.user)
    form = Form(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            fields = form.service_fields()
            m2m = {name: fields.pop(name) for name in record_type.many_to_many}
            try:
                obj = services.record_create(record_type.model, by=request.user, m2m=m2m, **fields)
            except NotAllowed as error:
                raise PermissionDenied(error.message) from error
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("%(record)s created.") % {"record": obj})
                return redirect(safe_next(request, obj.get_absolute_url()))
    context = {
        "form": form,
        "record_type": record_type,
        "linked": next(iter(initial.values()), None) if record_type.linked_to else None,
    }
    return render(request, "contacts/record_form.html", context, status=status)


@backoffice_required
@require_http_methods(["GET", "POST"])
def record_edit(request, pk: int, *, kind: str):
    record_type = _record_type(kind)
    if not can_change_crm(request.user, kind):
        raise PermissionDenied
    obj = get_object_or_404(record_type.model, pk=pk)
    Form = form_class_for(record_type)
    form = Form(request.POST or None, instance=obj)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            m2m = {name: fields.pop(name) for name in record_type.many_to_many if name in fields}
            try:
                obj = services.record_update(obj, by=request.user, m2m=m2m, **fields)
            except NotAllowed as error:
                raise PermissionDenied(error.message) from error
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("%(record)s saved.") % {"record": obj})
                return redirect(safe_next(request, obj.get_absolute_url()))
    context = {"form": form, "record_type": record_type, "obj": obj}
    return render(request, "contacts/record_form.html", context, status=status)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
