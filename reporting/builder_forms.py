"""The report builder's forms: the source, then the report (name, columns, filters, grouping,
sort, sharing). Only the fields the author may see are offered; the form's choices refuse any
other (a forged field is named in the error), and builder.parse_definition checks the whole
definition again for the reader."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm.models import AssignmentGroup

from . import builder, permissions, sources
from .models import ReportSubscription

FILTER_ROWS = 5
FORBIDDEN_CHOICE = _(
    "“%(value)s” is not a field you may use in this report: only the fields you may see are "
    "offered."
)


class SourceForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [
            (s.name, s.label)
            for s in sources.SOURCES.values()
            if permissions.can_read_source(user, s)
        ]

    def clean_source(self):
        return sources.source(self.cleaned_data["source"])


def _choice(label, choices, *, required=False):
    field = forms.ChoiceField(label=label, choices=choices, required=required)
    field.error_messages["invalid_choice"] = FORBIDDEN_CHOICE
    return field


class ReportForm(forms.Form):
    """A report over ``source`` for ``user``. ``cleaned_data["definition"]`` is the checked
    definition (JSON)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea({"rows": 2})
    )
    columns = forms.MultipleChoiceField(
        label=_("Columns"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    group_1 = forms.ChoiceField(label=_("Group by"), required=False)
    group_2 = forms.ChoiceField(label=_("then by"), required=False)
    aggregate_fn = forms.ChoiceField(
        label=_("Figure of each group"),
        choices=list(builder.AGGREGATES.items()),
        initial="count",
        required=False,
    )
    aggregate_field = forms.ChoiceField(label=_("of the field"), required=False)
    sort_field = forms.ChoiceField(label=_("Sort by"), required=False)
    sort_desc = forms.TypedChoiceField(
        label=_("Order"),
        choices=[("0", _("ascending")), ("1", _("descending"))],
        coerce=lambda value: value == "1",
        initial="0",
        required=False,
    )
    shared_with = forms.ModelMultipleChoiceField(
        label=_("Share with the groups"),
        queryset=AssignmentGroup.objects.filter(is_active=True).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("The managers of these groups may read the report."),
    )

    def __init__(self, *args, source: sources.Source, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        self.user = user
        visible = builder.visible_fields(source, user)
        self.visible = visible
        choices = [(f.name, f.label) for f in visible]
        optional = [("", "—"), *choices]
        self.fields["columns"].choices = choices
        self.fields["columns"].error_messages["invalid_choice"] = FORBIDDEN_CHOICE
        for name in ("group_1", "group_2"):
            self.fields[name].choices = optional
            self.fields[name].error_messages["invalid_choice"] = FORBIDDEN_CHOICE
        self.fields["aggregate_field"].choices = [("", "—")] + [
            (f.name, f.label) for f in visible if f.aggregatable
        ]
        self.fields["aggregate_field"].error_messages["invalid_choice"] = FORBIDDEN_CHOICE
        self.fields["sort_field"].choices = [
            *optional,
            (builder.AGGREGATE_KEY, _("the figure (grouped reports)")),
        ]
        self.fields["sort_field"].error_messages["invalid_choice"] = FORBIDDEN_CHOICE
        operators = [("", "—"), *builder.OPERATORS.items()]
        for index in range(FILTER_ROWS):
            self.fields[f"filter_{index}_field"] = _choice(_("Field"), optional)
            self.fields[f"filter_{index}_op"] = _choice(_("Operator"), operators)
            self.fields[f"filter_{index}_value"] = forms.CharField(
                label=_("Value"), max_length=255, required=False
            )
        if not self.is_bound and not self.initial.get("columns"):
            self.initial["columns"] = [
                name for name in source.default_columns if source.field(name) in visible
            ]

    @property
    def filter_rows(self):
        return [
            (self[f"filter_{i}_field"], self[f"filter_{i}_op"], self[f"filter_{i}_value"])
            for i in range(FILTER_ROWS)
        ]

    @property
    def operators_by_type(self) -> dict:
        """For the page's help: the operators each field accepts."""
        return {
            f.name: [str(builder.OPERATORS[op]) for op in builder.OPERATORS_BY_TYPE[f.type]]
            for f in self.visible
        }

    def definition_data(self) -> dict:
        data = self.cleaned_data
        filters = []
        for index in range(FILTER_ROWS):
            name = data.get(f"filter_{index}_field")
            op = data.get(f"filter_{index}_op")
            value = data.get(f"filter_{index}_value", "")
            if not name and not op and not value:
                continue
            if not name or not op:
                raise ValidationError(
                    _("Filter %(n)d: choose a field and an operator (or leave it empty)."),
                    params={"n": index + 1},
                )
            filters.append({"field": name, "op": op, "value": value})
        group_by = [data[name] for name in ("group_1", "group_2") if data.get(name)]
        sort = []
        if data.get("sort_field"):
            sort.append({"field": data["sort_field"], "desc": bool(data.get("sort_desc"))})
        return {
            "columns": list(data.get("columns") or []),
            "filters": filters,
            "group_by": group_by,
            "aggregate": {
                "fn": data.get("aggregate_fn") or "count",
                "field": data.get("aggregate_field") or None,
            },
            "sort": sort,
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            definition = builder.parse_definition(
                self.source, self.definition_data(), user=self.user
            )
        except ValidationError as error:
            for message in error.messages:
                self.add_error(None, message)
            return cleaned
        cleaned["definition"] = definition.as_json()
        return cleaned


def initial_from(report) -> dict:
    """The form's initial values for a saved report."""
    definition = report.definition or {}
    initial = {
        "name": report.name,
        "description": report.description,
        "columns": definition.get("columns", []),
        "shared_with": list(report.shared_with.all()),
    }
    for index, name in enumerate((definition.get("group_by") or [])[:2]):
        initial[f"group_{index + 1}"] = name
    aggregate = definition.get("aggregate") or {}
    initial["aggregate_fn"] = aggregate.get("fn") or "count"
    initial["aggregate_field"] = aggregate.get("field") or ""
    sort = (definition.get("sort") or [{}])[0] if definition.get("sort") else {}
    initial["sort_field"] = sort.get("field", "")
    initial["sort_desc"] = "1" if sort.get("desc") else "0"
    for index, row in enumerate((definition.get("filters") or [])[:FILTER_ROWS]):
        initial[f"filter_{index}_field"] = row.get("field", "")
        initial[f"filter_{index}_op"] = row.get("op", "")
        value = row.get("value")
        initial[f"filter_{index}_value"] = "" if value is None else value
    return initial


class SubscriptionForm(forms.ModelForm):
    class Meta:
        model = ReportSubscription
        fields = ["frequency", "format", "group", "addresses", "only_period"]
        widgets = {"addresses": forms.Textarea({"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = AssignmentGroup.objects.filter(is_active=True).order_by(
            "name"
        )
        self.fields["group"].required = False

    def clean(self):
        cleaned = super().clean()
        recipients = cleaned.get("group") or (cleaned.get("addresses") or "").strip()
        if not recipients and not self.errors:
            raise ValidationError(_("Choose a group or give at least one address."))
        return cleaned
