"""Reporting's own data: the reports managers build and save, their scheduled deliveries (one
claim row per subscription and period, so that a period is sent once), and each back-office
user's arrangement of their home's dashlets."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.history import history_records

from . import sources
from .builder import parse_definition

ADDRESSES_MAX = 20
ADDRESSES_MAX_LENGTH = 2000


class SavedReport(models.Model):
    """A report built by a manager or an administrator: a source and a definition (columns,
    filters, grouping, sort; see builder.py), shared with assignment groups."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_reports",
    )
    source = models.CharField(_("source"), max_length=32, choices=sources.source_choices)
    definition = models.JSONField(_("definition"), default=dict)
    shared_with = models.ManyToManyField(
        "crm.AssignmentGroup",
        verbose_name=_("shared with"),
        blank=True,
        related_name="shared_reports",
        help_text=_("The managers of these groups may read the report too."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = history_records(excluded_fields=["updated_at"], m2m_fields=[shared_with])

    class Meta:
        verbose_name = _("saved report")
        verbose_name_plural = _("saved reports")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                name="savedreport_name_once_per_owner",
                violation_error_message=_("You already have a report with this name."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("report_builder:detail", args=[self.pk])

    def clean(self):
        super().clean()
        source = sources.source(self.source)
        if source is None:
            return  # the field's choices say so
        try:
            parse_definition(source, self.definition)
        except ValidationError as error:
            raise ValidationError({"definition": error.messages}) from error

    @property
    def source_spec(self):
        return sources.source(self.source)

    @property
    def export_name(self) -> str:
        """Its name for ``manage.py export_report``."""
        return f"report-{self.pk}"


def split_addresses(text: str) -> list[str]:
    """The e-mail addresses of a subscription's text (one per line, or separated by commas or
    semicolons), lower case, each once."""
    found = []
    for part in text.replace(";", ",").replace("\n", ",").split(","):
        address = part.strip().lower()
        if address and address not in found:
            found.append(address)
    return found


def validate_addresses(text: str) -> None:
    addresses = split_addresses(text)
    if len(addresses) > ADDRESSES_MAX:
        raise ValidationError(
            _("At most %(max)d addresses."), params={"max": ADDRESSES_MAX}, code="too_many"
        )
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError as error:
            raise ValidationError(
                _("“%(address)s” is not an e-mail address."),
                params={"address": address[:80]},
                code="invalid",
            ) from error


class ReportSubscription(models.Model):
    """A report sent by mail every day, week or month, to a group's members or to addresses."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")
        MONTHLY = "monthly", _("monthly")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        CSV = "csv", "CSV"

    report = models.ForeignKey(
        SavedReport,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("subscribed by"),
        on_delete=models.CASCADE,
        related_name="report_subscriptions",
    )
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices, default=Format.PDF)
    group = models.ForeignKey(
        "crm.AssignmentGroup",
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_subscriptions",
        help_text=_("Its members receive the report."),
    )
    addresses = models.TextField(
        _("addresses"),
        blank=True,
        max_length=ADDRESSES_MAX_LENGTH,
        validators=[validate_addresses],
        help_text=_("One e-mail address per line."),
    )
    only_period = models.BooleanField(
        _("only the records of the period"),
        default=False,
        help_text=_("Otherwise the report is sent as it stands at the time of sending."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        ordering = ["report", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(group__isnull=False) | ~models.Q(addresses=""),
                name="reportsubscription_has_recipients",
                violation_error_message=_("Choose a group or give at least one address."),
            )
        ]

    def __str__(self):
        return f"{self.report} ({self.get_frequency_display()}, {self.get_format_display()})"


class ReportDelivery(models.Model):
    """The sending of one subscription for one period: created once (unique), claimed by one
    worker with a conditional update, marked sent when the mail has gone."""

    subscription = models.ForeignKey(
        ReportSubscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    period_start = models.DateField(_("period start"))
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("report delivery")
        verbose_name_plural = _("report deliveries")
        ordering = ["-period_start", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period_start"], name="reportdelivery_once_per_period"
            )
        ]

    def __str__(self):
        return f"{self.subscription} {self.period_start}"


class DashletLayout(models.Model):
    """Which dashlets a back-office user shows on their home, in their order (keys of
    ``dashlets.DASHLETS``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="dashlet_layout",
    )
    dashlets = models.JSONField(_("dashlets"), default=list)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("dashlet layout")
        verbose_name_plural = _("dashlet layouts")

    def __str__(self):
        return str(self.user)
