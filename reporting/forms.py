"""The filters of the managers' dashboards: a period, a group, a request type, a channel and an
incident category, read from the query string by a Django form (a bad value is a form error
and a 400, never a 500)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from crm.models import AssignmentGroup
from requests_app.models import Incident, IncidentCategory, RequestType, ServiceRequest

DEFAULT_DAYS = 30
# Five years of days: a wider period is refused rather than summed for nothing.
MAX_DAYS = 5 * 366


def _channels() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for value, label in [*ServiceRequest.Channel.choices, *Incident.Channel.choices]:
        seen.setdefault(value, label)
    return [("", _("All channels")), *seen.items()]


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


@dataclass(frozen=True)
class Filters:
    """What a dashboard is asked for, once validated."""

    date_from: date
    date_to: date
    group_id: int | None = None
    type_id: int | None = None
    channel: str = ""
    category_id: int | None = None

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    @property
    def period_label(self) -> str:
        start = formats.date_format(self.date_from, "SHORT_DATE_FORMAT")
        end = formats.date_format(self.date_to, "SHORT_DATE_FORMAT")
        return f"{start} – {end}"

    @property
    def granularity(self) -> str:
        """Buckets of the charts over time: days up to two months, weeks up to a year and a
        half, months beyond."""
        if self.days <= 62:
            return "day"
        if self.days <= 550:
            return "week"
        return "month"

    def querystring(self) -> str:
        params = {
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
            "group": self.group_id or "",
            "request_type": self.type_id or "",
            "channel": self.channel,
            "category": self.category_id or "",
        }
        return urlencode({key: value for key, value in params.items() if value})

    @classmethod
    def for_period(cls, date_from: date, date_to: date) -> Filters:
        return cls(date_from=date_from, date_to=date_to)


def default_period(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


class DashboardFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=_date_widget())
    date_to = forms.DateField(label=_("To"), required=False, widget=_date_widget())
    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=AssignmentGroup.objects.order_by("name"),
        required=False,
        empty_label=_("All groups"),
    )
    request_type = forms.ModelChoiceField(
        label=_("Request type"),
        queryset=RequestType.objects.order_by("name"),
        required=False,
        empty_label=_("All types"),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=_channels, required=False)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=IncidentCategory.objects.order_by("name"),
        required=False,
        empty_label=_("All categories"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if select else "form-control form-control-sm"
            )

    def clean(self):
        data = super().clean()
        if "date_from" in self.errors or "date_to" in self.errors:
            return data
        # Empty: the last 30 days, or the 30 days up to the end given.
        date_to = data.get("date_to") or default_period()[1]
        date_from = data.get("date_from") or date_to - timedelta(days=DEFAULT_DAYS - 1)
        if date_from > date_to:
            self.add_error("date_to", _("The end of the period comes before its start."))
        elif (date_to - date_from).days + 1 > MAX_DAYS:
            self.add_error("date_from", _("The period is too long: five years at most."))
        data["date_from"], data["date_to"] = date_from, date_to
        return data

    def filters(self) -> Filters:
        """The validated filters (call after ``is_valid()``)."""
        data = self.cleaned_data
        return Filters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            group_id=data["group"].pk if data.get("group") else None,
            type_id=data["request_type"].pk if data.get("request_type") else None,
            channel=data.get("channel") or "",
            category_id=data["category"].pk if data.get("category") else None,
        )


class ReportPeriodForm(forms.Form):
    """The period a saved report is read over, on its source's date (a request's filing, a
    call's time…): both ends optional, an empty form is every row."""

    date_from = forms.DateField(label=_("From"), required=False, widget=_date_widget())
    date_to = forms.DateField(label=_("To"), required=False, widget=_date_widget())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control form-control-sm"

    def clean(self):
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return data

    def period(self) -> tuple[date | None, date | None]:
        """The validated ends, or no period at all when the form is not valid (the page then
        shows the errors beside what was typed)."""
        if not self.is_valid():
            return None, None
        return self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
