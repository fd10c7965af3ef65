"""The filters of the CRM's lists: one FilterSet per record type, on a common base that has the
instant search (``q``), the "my items" toggle (``mine``) and, for calls and meetings, the
"upcoming / history" tabs (``view``). The other fields make the advanced filter panel."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.search import contains
from crm.validation import QUERY_MAX_LENGTH
from crm.widgets import LongSelect

from .models import (
    Call,
    Client,
    ClientType,
    Contact,
    Document,
    Meeting,
    Note,
    Partner,
    Program,
    ProgramEnrolment,
    SAEFile,
    Service,
    ServiceRecord,
)
from .record_forms import staff_queryset
from .record_search import record_search

# What a choice left empty reads.
ALL = pgettext_lazy("filter", "All")

# Not a filter: the sort of the list (django-tables2's parameter), kept in a saved filter.
SORT_PARAM = "sort"


def date_range(label, field_name: str | None = None) -> django_filters.DateFromToRangeFilter:
    """Two date pickers, ``<name>_after`` and ``<name>_before``, both days included."""
    return django_filters.DateFromToRangeFilter(
        label=label,
        field_name=field_name,
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )


def staff(label, field_name: str) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        label=label,
        field_name=field_name,
        queryset=staff_queryset(),
        empty_label=ALL,
        widget=LongSelect,
    )


def statuses(label, choices) -> django_filters.MultipleChoiceFilter:
    """A box per status; several ticked find any of them (a row has one status: no DISTINCT)."""
    return django_filters.MultipleChoiceFilter(
        label=label,
        choices=choices,
        distinct=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )


def one_of(label, choices) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(label=label, choices=choices, empty_label=ALL)


def folded(label, field_name: str) -> django_filters.CharFilter:
    """Text contained in the column, accents and case ignored (a city, a partner's name)."""
    return django_filters.CharFilter(
        label=label,
        field_name=field_name,
        method="filter_contains",
        max_length=QUERY_MAX_LENGTH,
    )


class CRMFilter(django_filters.FilterSet):
    """What every list has. ``record_kind`` is the record type (``RECORD_TYPES``);
    ``mine_field`` the user foreign key that "my items" means; ``advanced`` the fields of the
    advanced panel."""

    record_kind: str = ""
    mine_field: str = ""
    advanced: tuple[str, ...] = ()

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=QUERY_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    mine = django_filters.BooleanFilter(
        label=_("My items"),
        method="filter_mine",
        widget=forms.CheckboxInput(attrs={"role": "switch"}),
    )

    def __init__(self, data=None, queryset=None, *, user=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.user = user

    def search(self, queryset, name, value):
        return record_search(self.record_kind, queryset, value)

    def filter_mine(self, queryset, name, value):
        if not value or self.user is None or not self.user.is_authenticated:
            return queryset
        return queryset.filter(**{self.mine_field: self.user})

    def filter_contains(self, queryset, name, value):
        value = " ".join(value.split())
        return queryset.filter(contains(name, value)) if value else queryset

    @property
    def advanced_fields(self) -> list:
        return [self.form[name] for name in self.advanced]

    @property
    def is_advanced(self) -> bool:
        """Whether one of the advanced fields is set (the panel then opens by itself)."""
        data = self.data or {}
        return any(
            data.get(key) for name in self.advanced for key in param_names_of(self.form, name)
        )

    @classmethod
    def param_names(cls) -> set[str]:
        """The query parameters the filter reads (a date range reads two), and the sort."""
        form = cls().form
        names = {SORT_PARAM}
        for name in form.fields:
            names.update(param_names_of(form, name))
        return names


def param_names_of(form, name: str) -> list[str]:
    widget = form.fields[name].widget
    if isinstance(widget, django_filters.widgets.SuffixedMultiWidget):
        return [widget.suffixed(name, suffix) for suffix in widget.suffixes]
    if isinstance(widget, forms.MultiWidget):
        return [f"{name}{suffix}" for suffix in widget.widgets_names]
    return [name]


class ActivityViewFilter(CRMFilter):
    """Calls and meetings: "upcoming" are those still to hold (planned or postponed, the next
    first), "history" those held (or cancelled), the latest first. Completed calls and meetings
    stay reachable there (seed 002)."""

    done_statuses: tuple[str, ...] = ()

    view = django_filters.ChoiceFilter(
        label=_("Show"),
        method="filter_view",
        empty_label=ALL,
        choices=[("upcoming", _("Upcoming")), ("history", _("History"))],
    )

    def filter_view(self, queryset, name, value):
        if value == "upcoming":
            return queryset.exclude(status__in=self.done_statuses).order_by("starts_at", "pk")
        if value == "history":
            return queryset.filter(status__in=self.done_statuses).order_by("-starts_at", "-pk")
        return queryset


class ClientFilter(CRMFilter):
    record_kind = "client"
    mine_field = "owner"
    advanced = ("client_type", "owner", "city", "created")

    client_type = one_of(_("Client type"), ClientType.choices)
    owner = staff(_("Counsellor"), "owner")
    city = folded(_("City"), "city")
    created = date_range(_("Created"), "created_at")

    class Meta:
        model = Client
        fields: list[str] = []


class PartnerFilter(CRMFilter):
    record_kind = "partner"
    mine_field = "owner"
    advanced = ("kind", "city", "owner")

    kind = one_of(_("Kind"), Partner.Kind.choices)
    city = folded(_("City"), "city")
    owner = staff(_("Assigned to"), "owner")

    class Meta:
        model = Partner
        fields: list[str] = []


class ContactFilter(CRMFilter):
    record_kind = "contact"
    mine_field = "owner"
    advanced = ("partner", "partner_name", "owner")

    partner = django_filters.NumberFilter(
        label=_("Partner number"),
        field_name="partner_id",
        widget=forms.NumberInput(attrs={"min": 1}),
    )
    partner_name = folded(_("Partner"), "partner__name")
    owner = staff(_("Assigned to"), "owner")

    class Meta:
        model = Contact
        fields: list[str] = []


class CallFilter(ActivityViewFilter):
    record_kind = "call"
    mine_field = "assigned_to"
    done_statuses = (Call.Status.HELD,)
    advanced = ("direction", "status", "starts_at", "assigned_to")

    direction = one_of(_("Direction"), Call.Direction.choices)
    status = statuses(_("Status"), Call.Status.choices)
    starts_at = date_range(_("Date"))
    assigned_to = staff(_("Assigned to"), "assigned_to")

    class Meta:
        model = Call
        fields: list[str] = []


class MeetingFilter(ActivityViewFilter):
    record_kind = "meeting"
    mine_field = "assigned_to"
    done_statuses = (Meeting.Status.HELD, Meeting.Status.CANCELLED)
    advanced = ("status", "starts_at", "location", "assigned_to")

    status = statuses(_("Status"), Meeting.Status.choices)
    starts_at = date_range(_("Date"))
    location = folded(_("Location"), "location")
    assigned_to = staff(_("Assigned to"), "assigned_to")

    class Meta:
        model = Meeting
        fields: list[str] = []


class NoteFilter(CRMFilter):
    record_kind = "note"
    mine_field = "created_by"
    advanced = ("created", "created_by")

    created = date_range(_("Created"), "created_at")
    created_by = staff(_("Written by"), "created_by")

    class Meta:
        model = Note
        fields: list[str] = []


class DocumentFilter(CRMFilter):
    record_kind = "document"
    mine_field = "assigned_to"
    advanced = ("doc_type", "created", "assigned_to")

    doc_type = one_of(_("Type"), Document.Type.choices)
    created = date_range(_("Added"), "created_at")
    assigned_to = staff(_("Assigned to"), "assigned_to")

    class Meta:
        model = Document
        fields: list[str] = []


class EnrolmentFilter(CRMFilter):
    record_kind = "programenrolment"
    mine_field = "created_by"
    advanced = ("program", "start_date", "current")

    program = django_filters.ModelChoiceFilter(
        label=_("Program"), queryset=Program.objects.order_by("name"), empty_label=ALL
    )
    start_date = date_range(_("Start"))
    current = django_filters.BooleanFilter(
        label=_("Current only"), method="filter_current", widget=forms.CheckboxInput
    )

    class Meta:
        model = ProgramEnrolment
        fields: list[str] = []

    def filter_current(self, queryset, name, value):
        return (
            queryset.filter(Q(end_date__isnull=True) | Q(end_date__gte=timezone.localdate()))
            if value
            else queryset
        )


class ServiceRecordFilter(CRMFilter):
    record_kind = "servicerecord"
    mine_field = "created_by"
    advanced = ("service", "start_date")

    service = django_filters.ModelChoiceFilter(
        label=_("Service"), queryset=Service.objects.order_by("name"), empty_label=ALL
    )
    start_date = date_range(_("Start"))

    class Meta:
        model = ServiceRecord
        fields: list[str] = []


class SAEFileFilter(CRMFilter):
    record_kind = "saefile"
    mine_field = "counsellor"
    advanced = ("status", "counsellor", "opened_on")

    status = statuses(_("Status"), SAEFile.Status.choices)
    counsellor = staff(_("Counsellor"), "counsellor")
    opened_on = date_range(_("Opened"))

    class Meta:
        model = SAEFile
        fields: list[str] = []


FILTERS: dict[str, type[CRMFilter]] = {
    f.record_kind: f
    for f in (
        ClientFilter,
        PartnerFilter,
        ContactFilter,
        CallFilter,
        MeetingFilter,
        NoteFilter,
        DocumentFilter,
        EnrolmentFilter,
        ServiceRecordFilter,
        SAEFileFilter,
    )
}
