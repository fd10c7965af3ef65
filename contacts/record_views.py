"""The CRM's record pages: a record's fields (grouped, each editable on its own), its timeline,
related records and history, and the create and edit forms of every record type
(``records.RECORD_TYPES``). A client's, partner's or contact's page is its 360° page."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from crm.errors import NotAllowed
from crm.permissions import backoffice_required, can_act_in_backoffice
from crm.selectors import record_history
from crm.validation import safe_next

from . import favourites, services, timeline
from .models import Contact, Favourite
from .permissions import can_add_crm, can_change_crm, can_merge, can_view_crm
from .record_forms import LINK_MODELS, form_class_for
from .records import RECORD_TYPES, linked_record

# The record types whose page is a 360° page: a timeline, related records, "plan" buttons.
THREE_SIXTY = ("client", "partner", "contact")
RELATED_LIMIT = 10


def _record_type(kind: str):
    try:
        return RECORD_TYPES[kind]
    except KeyError as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class FieldRow:
    name: str
    label: str
    value: object  # what the page shows: text, a record (a link) or "—"
    href: str = ""  # mailto:, tel: or a web address
    editable: bool = False
    multiline: bool = False


def _shown(obj, model_field):
    name = model_field.name
    if model_field.many_to_many:
        return ", ".join(str(v) for v in getattr(obj, name).all()) or "—"
    if model_field.choices:
        return getattr(obj, f"get_{name}_display")() or "—"
    value = getattr(obj, name)
    return "—" if value in (None, "") else value


def _href(model_field, value) -> str:
    if value in (None, "", "—"):
        return ""
    internal = model_field.get_internal_type()
    if internal == "EmailField" or model_field.name == "email":
        return f"mailto:{value}"
    if model_field.name in ("phone", "mobile"):
        return f"tel:{value}"
    if model_field.name == "website":
        return str(value)
    return ""


def field_row(obj, name: str, *, record_type, can_change: bool) -> FieldRow:
    model_field = obj._meta.get_field(name)
    value = _shown(obj, model_field)
    return FieldRow(
        name=name,
        label=model_field.verbose_name,
        value=value,
        href=_href(model_field, value),
        editable=can_change and record_type.inline_editable(name),
        multiline=model_field.get_internal_type() == "TextField",
    )


def record_fields(obj, names) -> list[tuple[str, object]]:
    """``(label, value shown)`` of ``names`` on ``obj``: choices by their label, foreign keys by
    name, many-to-many as a list."""
    return [
        (obj._meta.get_field(name).verbose_name, _shown(obj, obj._meta.get_field(name)))
        for name in names
    ]


def _sections(obj, record_type, can_change):
    return [
        (
            heading,
            [
                field_row(obj, name, record_type=record_type, can_change=can_change)
                for name in names
            ],
        )
        for heading, names in record_type.page_sections()
    ]


def _related_fields(record_type) -> list[str]:
    concrete = {f.name for f in record_type.model._meta.fields}
    names = (*record_type.linked_to, "owner", "assigned_to", "counsellor", "client", "partner")
    related = [name for name in dict.fromkeys(names) if name in concrete]
    if "contact" in related or record_type.model is Contact:
        # The page names a contact's partner too.
        related.append("contact__partner" if "contact" in related else "partner")
    return list(dict.fromkeys(related))


def _url_or_empty(name: str, query: str = "") -> str:
    """A link to another part's page, or "" while that part is not installed."""
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return ""


@dataclass(frozen=True)
class Action:
    label: str
    url: str
    icon: str
    testid: str
    # Activities are buttons; the records a client or partner holds (and a partner's contacts)
    # are in the "Add…" menu beside them.
    primary: bool = True


def _actions(user, kind: str, obj) -> list[Action]:
    """The buttons that create a record already linked to ``obj``."""
    query = f"?{kind}={obj.pk}"
    wanted = [
        ("call", "contacts:call_create", gettext_lazy("Plan a call"), "bi-telephone-plus"),
        ("meeting", "contacts:meeting_create", gettext_lazy("Plan a meeting"), "bi-calendar-plus"),
        ("todo", "activities:todo_create", gettext_lazy("Create a to-do"), "bi-check2-square"),
        ("note", "contacts:note_create", gettext_lazy("Add a note"), "bi-journal-plus"),
        ("document", "contacts:document_create", gettext_lazy("Upload a document"), "bi-upload"),
    ]
    if kind == "partner":
        wanted.append(
            ("contact", "contacts:contact_create", gettext_lazy("Add a contact"), "bi-person-plus")
        )
    if kind in ("client", "partner"):
        wanted += [
            (
                "programenrolment",
                "contacts:programenrolment_create",
                gettext_lazy("Enrol in a program"),
                "bi-mortarboard",
            ),
            (
                "servicerecord",
                "contacts:servicerecord_create",
                gettext_lazy("Record a service"),
                "bi-briefcase",
            ),
        ]
    if kind == "client":
        wanted.append(
            (
                "saefile",
                "contacts:saefile_create",
                gettext_lazy("Open an SAE file"),
                "bi-folder-plus",
            )
        )
    if kind == "client":
        # An assisted request, through the request type's form (requests_app's page, found by
        # its URL name: contacts imports nothing of requests_app).
        wanted.append(
            ("request", "requests:assisted_start", gettext_lazy("New request"), "bi-inbox")
        )
    activities = ("call", "meeting", "todo", "note", "document")
    actions = []
    for model_name, url_name, label, icon in wanted:
        if model_name == "request":
            if not can_act_in_backoffice(user):
                continue
        elif model_name != "todo" and not can_add_crm(user, model_name):
            continue
        url = _url_or_empty(url_name, query)
        if url:
            actions.append(
                Action(label, url, icon, f"action-{model_name}", model_name in activities)
            )
    return actions


def _related_panels(obj, kind: str) -> list[dict]:
    """The records a client or partner holds, and a partner's contacts: a few rows each."""
    panels = []
    if kind == "partner":
        contacts = list(obj.contacts.order_by("last_name", "first_name", "pk")[:RELATED_LIMIT])
        panels.append(
            {"title": _("Contacts"), "icon": "bi-person-vcard", "rows": contacts, "key": "contacts"}
        )
    if kind in ("client", "partner"):
        panels.append(
            {
                "title": _("Program enrolments"),
                "icon": "bi-mortarboard",
                "key": "enrolments",
                "rows": list(
                    obj.program_enrolments.select_related("program").order_by("-start_date", "-pk")[
                        :RELATED_LIMIT
                    ]
                ),
            }
        )
        panels.append(
            {
                "title": _("Service records"),
                "icon": "bi-briefcase",
                "key": "service-records",
                "rows": list(
                    obj.service_records.select_related("service").order_by("-start_date", "-pk")[
                        :RELATED_LIMIT
                    ]
                ),
            }
        )
    if kind == "client":
        panels.append(
            {
                "title": _("SAE employment-aid files"),
                "icon": "bi-folder2",
                "key": "sae-files",
                "rows": list(obj.sae_files.order_by("-opened_on", "-pk")[:RELATED_LIMIT]),
            }
        )
    return panels


def is_starred(user, obj) -> bool:
    return Favourite.objects.filter(
        user=user,
        content_type__app_label=obj._meta.app_label,
        content_type__model=obj._meta.model_name,
        object_id=obj.pk,
    ).exists()


@backoffice_required
@require_GET
def record_detail(request, pk: int, *, kind: str):
    record_type = _record_type(kind)
    if not can_view_crm(request.user, kind):
        raise PermissionDenied
    obj = get_object_or_404(
        record_type.model.objects.select_related(*_related_fields(record_type)), pk=pk
    )
    can_change = can_change_crm(request.user, kind)
    context = {
        "obj": obj,
        "kind": kind,
        "record_type": record_type,
        "sections": _sections(obj, record_type, can_change),
        "linked": linked_record(obj) if record_type.linked_to else None,
        "history": record_history(obj),
        "can_change": can_change,
        "can_merge": kind in THREE_SIXTY and can_merge(request.user, kind),
        "starred": is_starred(request.user, obj),
        "favourite_key": favourites.key_of(obj),
        "three_sixty": kind in THREE_SIXTY,
    }
    if kind in THREE_SIXTY:
        items, next_cursor = timeline.timeline(obj)
        actions = _actions(request.user, kind, obj)
        context.update(
            timeline_items=items,
            next_cursor=next_cursor,
            actions=[a for a in actions if a.primary],
            more_actions=[a for a in actions if not a.primary],
            panels=_related_panels(obj, kind),
        )
    services.record_viewed(user=request.user, obj=obj)
    return render(request, "contacts/record_detail.html", context)


# --- Inline edit of one field -----------------------------------------------------------------


def _field_or_404(record_type, name: str) -> str:
    if not record_type.inline_editable(name):
        raise Http404
    return name


def _one_field_form(record_type, name: str, obj, data=None):
    Form = form_class_for(record_type, fields=(name,))
    return Form(data, instance=obj, prefix="inline")


def _field_context(obj, kind, record_type, name, *, can_change, form=None):
    return {
        "obj": obj,
        "kind": kind,
        "record_type": record_type,
        "row": field_row(obj, name, record_type=record_type, can_change=can_change),
        "form": form,
        "field": form[name] if form is not None else None,
    }


@backoffice_required
@require_GET
def record_field(request, pk: int, name: str, *, kind: str):
    """One field as the record page shows it (an htmx partial: what "cancel" brings back)."""
    record_type = _record_type(kind)
    if not can_view_crm(request.user, kind):
        raise PermissionDenied
    _field_or_404(record_type, name)
    obj = get_object_or_404(
        record_type.model.objects.select_related(*_related_fields(record_type)), pk=pk
    )
    if not request.htmx:
        return redirect(obj.get_absolute_url())
    context = _field_context(
        obj, kind, record_type, name, can_change=can_change_crm(request.user, kind)
    )
    response = render(request, "contacts/_record_field.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@backoffice_required
@require_http_methods(["GET", "POST"])
def record_field_edit(request, pk: int, name: str, *, kind: str):
    """GET: the one-field form (an htmx partial; without htmx, the record's edit page).
    POST: save that field alone through ``services.record_update``; its errors are shown in
    place (422 for htmx, the edit page's 400 otherwise)."""
    record_type = _record_type(kind)
    if not can_change_crm(request.user, kind):
        raise PermissionDenied
    _field_or_404(record_type, name)
    obj = get_object_or_404(
        record_type.model.objects.select_related(*_related_fields(record_type)), pk=pk
    )
    if request.method == "GET":
        if not request.htmx:
            return redirect(reverse(f"contacts:{kind}_edit", args=[obj.pk]))
        form = _one_field_form(record_type, name, obj)
        response = render(
            request,
            "contacts/_record_field_form.html",
            _field_context(obj, kind, record_type, name, can_change=True, form=form),
        )
        patch_vary_headers(response, ("HX-Request",))
        return response
    form = _one_field_form(record_type, name, obj, data=request.POST)
    if form.is_valid():
        if name in form.changed_data:
            try:
                obj = services.record_update(
                    obj, by=request.user, **{name: form.cleaned_data[name]}
                )
            except NotAllowed as error:
                raise PermissionDenied(error.message) from error
            except ValidationError as error:
                _add_errors(form, error)
            else:
                obj = record_type.model.objects.select_related(*_related_fields(record_type)).get(
                    pk=obj.pk
                )
        if not form.errors:
            if not request.htmx:
                messages.success(request, _("%(record)s saved.") % {"record": obj})
                return redirect(obj.get_absolute_url())
            context = _field_context(obj, kind, record_type, name, can_change=True)
            context["saved"] = True
            return render(request, "contacts/_record_field.html", context)
    if request.htmx:
        return render(
            request,
            "contacts/_record_field_form.html",
            _field_context(obj, kind, record_type, name, can_change=True, form=form),
            status=422,
        )
    context = {"form": form, "record_type": record_type, "obj": obj}
    return render(request, "contacts/record_form.html", context, status=400)


# --- The timeline's next pages ----------------------------------------------------------------


class TimelineCursorForm(forms.Form):
    before = forms.CharField(max_length=100)

    def clean_before(self):
        when, kind, pk = (self.cleaned_data["before"].split("|") + ["", ""])[:3]
        try:
            moment = datetime.fromisoformat(when)
        except ValueError as exc:
            raise ValidationError(_("This page of the timeline does not exist.")) from exc
        if timezone.is_naive(moment) or not kind.isalpha() or len(kind) > 20:
            raise ValidationError(_("This page of the timeline does not exist."))
        if not pk.isdigit() or len(pk) > 18:
            raise ValidationError(_("This page of the timeline does not exist."))
        return timeline.Cursor(moment, kind, int(pk))


@backoffice_required
@require_GET
def record_timeline(request, pk: int, *, kind: str):
    """The timeline's next page (htmx "load more", or a page of its own without htmx)."""
    if kind not in THREE_SIXTY:
        raise Http404
    record_type = _record_type(kind)
    if not can_view_crm(request.user, kind):
        raise PermissionDenied
    form = TimelineCursorForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(form.errors["before"]))
    obj = get_object_or_404(record_type.model, pk=pk)
    items, next_cursor = timeline.timeline(obj, before=form.cleaned_data["before"])
    context = {
        "obj": obj,
        "kind": kind,
        "record_type": record_type,
        "timeline_items": items,
        "next_cursor": next_cursor,
    }
    template = "contacts/_timeline_items.html" if request.htmx else "contacts/record_timeline.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- Create and edit --------------------------------------------------------------------------


def _initial_links(request, record_type) -> dict:
    """``?client=12`` (or contact, partner) links the new activity to that record."""
    initial = {}
    for name in record_type.linked_to or (("partner",) if record_type.model is Contact else ()):
        value = request.GET.get(name, "")
        if value.isdigit() and len(value) < 12:
            target = LINK_MODELS[name].objects.filter(pk=int(value)).first()
            if target is not None:
                initial[name] = target
    return initial


def _initial_times(request, record_type) -> dict:
    """``?starts_at=2026-12-03T10:00`` (a calendar slot clicked) gives the start, and a
    meeting's end an hour later; a value that is not a time is ignored."""
    if "starts_at" not in record_type.fields:
        return {}
    value = request.GET.get("starts_at", "")[:40]
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        return {}
    if timezone.is_naive(start):
        start = timezone.make_aware(start)
    initial = {"starts_at": timezone.localtime(start)}
    if "ends_at" in record_type.fields:
        initial["ends_at"] = initial["starts_at"] + timedelta(hours=1)
    return initial


def _linked_context(linked) -> dict:
    """What the form's header says of the record it is linked to: a contact's partner too."""
    if isinstance(linked, Contact):
        return {"linked": linked, "linked_partner": linked.partner}
    return {"linked": linked}


@backoffice_required
@require_http_methods(["GET", "POST"])
def record_create(request, *, kind: str):
    record_type = _record_type(kind)
    if not can_add_crm(request.user, kind):
        raise PermissionDenied
    initial = _initial_links(request, record_type)
    # An activity opened from a record's page is already linked: its target is not asked.
    Form = form_class_for(record_type, preset_links=tuple(initial) if record_type.linked_to else ())
    for name in ("assigned_to", "owner", "counsellor"):
        if name in record_type.fields:
            initial.setdefault(name, request.user)
    initial.update(_initial_times(request, record_type))
    form = Form(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            fields = form.service_fields()
            m2m = {name: fields.pop(name) for name in record_type.many_to_many if name in fields}
            try:
                obj = services.record_create(record_type.model, by=request.user, m2m=m2m, **fields)
            except NotAllowed as error:
                raise PermissionDenied(error.message) from error
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("%(record)s created.") % {"record": obj})
                return redirect(safe_next(request, obj.get_absolute_url()))
    linked = next((initial[n] for n in record_type.linked_to if n in initial), None)
    context = {"form": form, "record_type": record_type, **_linked_context(linked)}
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
