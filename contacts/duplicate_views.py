"""The create pages of clients, partners and contacts, which show similar existing records
before one is created (``duplicates.py``), and the page that merges two records
(``merge.py``).

The create form is the generic one of ``record_forms`` (the same fields and checks), with:

- a panel that lists similar records as the agent types (htmx, when a name, the e-mail or a
  phone changes), each with a link to open it (and to merge it with another);
- on submit, when similar records exist and the agent has not confirmed, the form again, with
  what was typed, the list and a "Create anyway" button.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from crm.errors import DomainError, NotAllowed
from crm.permissions import backoffice_required
from crm.search import contains_all, digits_contain
from crm.validation import safe_next

from . import merge, services
from .duplicates import SIMILAR, VALUE_MAX_LENGTH
from .models import Partner
from .permissions import can_add_crm, can_merge
from .record_forms import form_class_for
from .records import RECORD_TYPES
from .search import phone_digits

# The fields compared, by record type, in the order of the form.
CHECKED_FIELDS = {
    "client": ("first_name", "last_name", "email", "phone"),
    "partner": ("name", "email", "phone"),
    "contact": ("partner", "first_name", "last_name", "email", "phone", "mobile"),
}
MERGEABLE = tuple(CHECKED_FIELDS)
# What the merge page's search looks in.
SEARCHED_FIELDS = {
    "client": ("first_name", "last_name", "email"),
    "partner": ("name", "email"),
    "contact": ("first_name", "last_name", "email"),
}
SEARCH_MAX_LENGTH = 100
SEARCH_RESULTS = 10
MAX_PK = 2**63 - 1


def _record_type(kind: str):
    if kind not in CHECKED_FIELDS:
        raise Http404
    return RECORD_TYPES[kind]


def _similar(kind: str, data: dict, *, exclude_pk=None) -> list:
    """The similar records of ``kind`` for the values typed (``data``: field names)."""
    text = {name: data.get(name) or "" for name in ("first_name", "last_name", "name", "email")}
    phone = data.get("phone") or data.get("mobile") or ""
    if kind == "partner":
        return SIMILAR[kind](
            name=text["name"], email=text["email"], phone=phone, exclude_pk=exclude_pk
        )
    arguments = {
        "first_name": text["first_name"],
        "last_name": text["last_name"],
        "email": text["email"],
        "phone": phone,
        "exclude_pk": exclude_pk,
    }
    if kind == "contact":
        partner = data.get("partner")
        arguments["partner"] = partner.pk if isinstance(partner, Partner) else partner
    return SIMILAR[kind](**arguments)


class DuplicateCheckForm(forms.Form):
    """What the panel's htmx call sends: the compared fields as typed."""

    first_name = forms.CharField(max_length=VALUE_MAX_LENGTH, required=False)
    last_name = forms.CharField(max_length=VALUE_MAX_LENGTH, required=False)
    name = forms.CharField(max_length=VALUE_MAX_LENGTH, required=False)
    email = forms.CharField(max_length=VALUE_MAX_LENGTH, required=False)
    phone = forms.CharField(max_length=VALUE_MAX_LENGTH, required=False)
    mobile = forms.CharField(max_length=VALUE_MAX_LENGTH, required=False)
    partner = forms.IntegerField(min_value=1, max_value=MAX_PK, required=False)
    confirming = forms.BooleanField(required=False)

    def __init__(self, data, *args, **kwargs):
        # A partner number that is not a number yet (the agent is typing) compares nothing.
        data = data.copy()
        if not (data.get("partner") or "").strip().isdigit():
            data.pop("partner", None)
        super().__init__(data, *args, **kwargs)


class ConfirmForm(forms.Form):
    """The "Create anyway" button of the warning (beside the record's own form, whose fields
    are all the model's)."""

    confirm_duplicate = forms.BooleanField(required=False)

    def confirmed(self) -> bool:
        return self.is_valid() and self.cleaned_data["confirm_duplicate"]


def _panel_context(request, kind, matches, *, confirming: bool) -> dict:
    return {
        "kind": kind,
        "record_type": RECORD_TYPES[kind],
        "matches": matches,
        "confirming": confirming,
        "can_merge": can_merge(request.user, kind),
    }


@backoffice_required
@require_GET
def duplicate_check(request, *, kind: str):
    """The panel of similar records (an htmx partial)."""
    _record_type(kind)
    if not can_add_crm(request.user, kind):
        raise PermissionDenied
    form = DuplicateCheckForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(
            " ".join(e for errors in form.errors.values() for e in errors)
        )
    matches = _similar(kind, form.cleaned_data)
    context = _panel_context(request, kind, matches, confirming=form.cleaned_data["confirming"])
    return render(request, "contacts/duplicates/_panel.html", context)


def _initial(request, record_type, kind: str) -> dict:
    initial = {}
    if "owner" in record_type.fields:
        initial["owner"] = request.user
    # The partner page's "add a contact" names its partner: ?partner=12.
    value = request.GET.get("partner", "")
    if kind == "contact" and value.isdigit() and len(value) < 12:
        partner = Partner.objects.filter(pk=int(value)).first()
        if partner is not None:
            initial["partner"] = partner
    return initial


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@backoffice_required
@require_http_methods(["GET", "POST"])
def record_create(request, *, kind: str):
    record_type = _record_type(kind)
    if not can_add_crm(request.user, kind):
        raise PermissionDenied
    Form = form_class_for(record_type)
    form = Form(request.POST or None, initial=_initial(request, record_type, kind))
    matches, confirming, status = [], False, 200
    if request.method == "POST":
        status = 400
        valid = form.is_valid()
        # Also for a refused form: a client whose e-mail is taken is shown beside the error.
        matches = _similar(kind, form.cleaned_data)
        if valid and matches and not ConfirmForm(request.POST).confirmed():
            confirming, status = True, 200
        elif valid:
            fields = form.service_fields()
            try:
                obj = services.record_create(record_type.model, by=request.user, **fields)
            except NotAllowed as error:
                raise PermissionDenied(error.message) from error
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("%(record)s created.") % {"record": obj})
                return redirect(safe_next(request, obj.get_absolute_url()))
    checked = CHECKED_FIELDS[kind]
    context = {
        "form": form,
        "record_type": record_type,
        "checked_fields": checked,
        "check_include": ", ".join(f"#id_{name}" for name in checked),
        "check_trigger": ", ".join(f"change from:#id_{name}" for name in checked),
        **_panel_context(request, kind, matches, confirming=confirming),
    }
    return render(request, "contacts/duplicates/create.html", context, status=status)


# --- merge ---------------------------------------------------------------------------------


class MergePickForm(forms.Form):
    other = forms.IntegerField(
        label=gettext_lazy("Number of the other record"),
        min_value=1,
        max_value=MAX_PK,
        required=False,
    )
    q = forms.CharField(
        label=gettext_lazy("Or search by name, e-mail or phone"),
        max_length=SEARCH_MAX_LENGTH,
        required=False,
    )
    keep = forms.IntegerField(min_value=1, max_value=MAX_PK, required=False)


class MergeConfirmForm(forms.Form):
    other = forms.IntegerField(min_value=1, max_value=MAX_PK)
    keep = forms.IntegerField(min_value=1, max_value=MAX_PK)


def _search(kind: str, q: str, *, exclude_pk: int) -> list:
    model = RECORD_TYPES[kind].model
    q = " ".join(q.split())
    if not q:
        return []
    condition = contains_all(SEARCHED_FIELDS[kind], q)
    digits = phone_digits(q)
    if digits:
        condition |= digits_contain("phone", digits)
    queryset = model.objects.filter(condition).exclude(pk=exclude_pk)
    if kind == "contact":
        queryset = queryset.select_related("partner")
    return list(queryset[:SEARCH_RESULTS])


def _comparison(keep, remove, record_type) -> list[dict]:
    """One row per field of the form: the two values and the one the merge keeps."""
    fill = merge.merged_values(keep, remove)
    rows = []
    for name in record_type.fields:
        model_field = keep._meta.get_field(name)
        rows.append(
            {
                "label": model_field.verbose_name,
                "keep": _shown(keep, model_field),
                "remove": _shown(remove, model_field),
                "from_removed": model_field.attname in fill,
            }
        )
    # Fields empty on both are left out (counted under the table).
    return [row for row in rows if row["keep"] != "" or row["remove"] != ""], sum(
        1 for row in rows if row["keep"] == "" and row["remove"] == ""
    )


def _shown(obj, model_field):
    if model_field.choices:
        return getattr(obj, f"get_{model_field.name}_display")() or ""
    value = getattr(obj, model_field.name)
    return "" if value is None else value


def _merge_pair(record_type, this, other_pk, keep_pk):
    """``(keep, remove)`` from the two numbers; Http404 for a record that does not exist."""
    other = get_object_or_404(record_type.model, pk=other_pk)
    if keep_pk == other.pk:
        return other, this
    return this, other


@backoffice_required
@require_http_methods(["GET", "POST"])
def record_merge(request, pk: int, *, kind: str):
    record_type = _record_type(kind)
    if not can_merge(request.user, kind):
        raise PermissionDenied
    this = get_object_or_404(record_type.model, pk=pk)
    if request.method == "POST":
        form = MergeConfirmForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(_("Choose the other record and the one to keep."))
        keep, remove = _merge_pair(
            record_type, this, form.cleaned_data["other"], form.cleaned_data["keep"]
        )
        try:
            result = merge.record_merge(keep=keep, remove=remove, by=request.user)
        except NotAllowed as error:
            raise PermissionDenied(error.message) from error
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(f"{request.path}?other={form.cleaned_data['other']}")
        messages.success(
            request,
            _("“%(removed)s” was merged into “%(kept)s”: %(count)d linked records moved.")
            % {
                "removed": result.removed_label,
                "kept": result.kept,
                "count": result.moved_total,
            },
        )
        return redirect(result.kept.get_absolute_url())

    pick = MergePickForm(request.GET)
    if not pick.is_valid():
        return HttpResponseBadRequest(
            " ".join(e for errors in pick.errors.values() for e in errors)
        )
    other_pk = pick.cleaned_data["other"]
    context = {
        "record_type": record_type,
        "kind": kind,
        "obj": this,
        "pick": pick,
        "suggestions": [],
        "results": [],
        "other": None,
        "error": "",
    }
    if other_pk is not None:
        other = record_type.model.objects.filter(pk=other_pk).first()
        if other is None:
            context["error"] = _("No %(kind)s has this number.") % {"kind": record_type.label}
        elif other.pk == this.pk:
            context["error"] = _("A record cannot be merged with itself.")
        else:
            keep, remove = (other, this) if pick.cleaned_data["keep"] == other.pk else (this, other)
            rows, hidden_rows = _comparison(keep, remove, record_type)
            context.update(
                other=other,
                pair=(this, other),
                keep=keep,
                remove=remove,
                rows=rows,
                hidden_rows=hidden_rows,
                moving=merge.linked_counts(remove),
            )
    if context["other"] is None:
        context["results"] = _search(kind, pick.cleaned_data["q"], exclude_pk=this.pk)
        context["suggestions"] = _similar(kind, _values(this, kind), exclude_pk=this.pk)
    return render(request, "contacts/duplicates/merge.html", context)


def _values(obj, kind: str) -> dict:
    return {name: getattr(obj, name, "") for name in CHECKED_FIELDS[kind]}
