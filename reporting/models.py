"""Reporting's own data: the reports managers build and save, their scheduled deliveries (one
claim row per subscription and period, so that a period is sent once), and each back-office
user's arrangement of their home's dashlets.

Summary tables of the managers' dashboards, refreshed incrementally by Celery beat
(reporting/summaries.py) so that a dashboard reads a few thousand summed rows, not millions of
requests, tasks, incidents and activities.

The dimensions are plain integers, not foreign keys: a summary row outlives nothing and
constrains nothing, and ``0`` means "none" (no group, no type…). ``group_key = 0`` has a second
meaning in ``ItemDaily``: *every group*. A request has no group of its own; it is counted once
in the rows of each group that holds one of its tasks, and once more in the ``0`` rows, which
give the totals. Incidents and tasks have one group each and are counted the same way (their
group's rows and the ``0`` rows), so that a dashboard always reads ``group_key = <filter or
0>``.

Days are local days of the body's time zone (``TIME_ZONE``): a request filed on 1 March at
23:30 in Montréal is of 1 March, whatever UTC says.
"""

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


# --- Summary tables of the managers' dashboards ---------------------------------------------


class SummaryState(models.Model):
    """How fresh a family of summaries is: the watermark the next refresh starts from."""

    name = models.CharField(_("name"), max_length=32, unique=True)
    watermark = models.DateTimeField(_("changes read up to"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("refreshed"), null=True, blank=True)
    days_refreshed = models.PositiveIntegerField(_("days refreshed"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    seconds = models.FloatField(_("duration (s)"), default=0)

    class Meta:
        verbose_name = _("summary state")
        verbose_name_plural = _("summary states")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SummaryRow(models.Model):
    """A row of figures: named by its table and dimensions where it is shown (the admin,
    a shell)."""

    class Meta:
        abstract = True

    def __str__(self):
        fields = [f.name for f in self._meta.fields if f.name not in ("id",)]
        return " ".join(str(getattr(self, name)) for name in fields[:4])


class Kind(models.TextChoices):
    REQUEST = "request", _("requests")
    INCIDENT = "incident", _("incidents")
    TASK = "task", _("tasks")


class ItemDaily(SummaryRow):
    """Per local day and dimensions: items received that day (by their current status), and
    items resolved and finished (resolved, closed or cancelled) that day."""

    kind = models.CharField(max_length=16, choices=Kind.choices)
    day = models.DateField()
    group_key = models.BigIntegerField(default=0)
    type_key = models.BigIntegerField(default=0)
    category_key = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=16, blank=True, default="")
    status = models.CharField(max_length=32)
    received = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    finished = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "kind",
                    "day",
                    "group_key",
                    "type_key",
                    "category_key",
                    "channel",
                    "status",
                ],
                name="itemdaily_unique",
            )
        ]
        indexes = [
            models.Index(fields=["group_key", "day"], name="itemdaily_read_idx"),
            # Open items now: their received rows of every day, by current status.
            models.Index(fields=["group_key", "status"], name="itemdaily_status_idx"),
        ]


class ItemMonthly(SummaryRow):
    """``ItemDaily`` summed per calendar month (``day`` is the month's first day): a period of
    a year reads its whole months here, twelve rows where the daily table has 365."""

    kind = models.CharField(max_length=16, choices=Kind.choices)
    day = models.DateField()
    group_key = models.BigIntegerField(default=0)
    type_key = models.BigIntegerField(default=0)
    category_key = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=16, blank=True, default="")
    status = models.CharField(max_length=32)
    received = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    finished = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "kind",
                    "day",
                    "group_key",
                    "type_key",
                    "category_key",
                    "channel",
                    "status",
                ],
                name="itemmonthly_unique",
            )
        ]
        indexes = [models.Index(fields=["group_key", "day"], name="itemmonthly_read_idx")]


class AssigneeDaily(SummaryRow):
    """Tasks and incidents closed (or resolved) per local day, per assignee (0: nobody) and
    group (0: none)."""

    kind = models.CharField(max_length=16, choices=Kind.choices)
    day = models.DateField()
    user_key = models.BigIntegerField(default=0)
    group_key = models.BigIntegerField(default=0)
    type_key = models.BigIntegerField(default=0)
    category_key = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=16, blank=True, default="")
    closed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "kind",
                    "day",
                    "user_key",
                    "group_key",
                    "type_key",
                    "category_key",
                    "channel",
                ],
                name="assigneedaily_unique",
            )
        ]
        indexes = [models.Index(fields=["kind", "day"], name="assigneedaily_day_idx")]


class AssigneeOpen(SummaryRow):
    """A snapshot, replaced at each refresh: open tasks and incidents per assignee and group."""

    kind = models.CharField(max_length=16, choices=Kind.choices)
    user_key = models.BigIntegerField(default=0)
    group_key = models.BigIntegerField(default=0)
    type_key = models.BigIntegerField(default=0)
    category_key = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=16, blank=True, default="")
    open = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "user_key", "group_key", "type_key", "category_key", "channel"],
                name="assigneeopen_unique",
            )
        ]


class ClockOutcome(SummaryRow):
    """One stopped SLA clock: met or breached, and how long it ran in business seconds of its
    policy's calendar (pauses taken out)."""

    clock_id = models.BigIntegerField(unique=True)
    incident_id = models.BigIntegerField()
    kind = models.CharField(max_length=16)
    day = models.DateField()
    group_key = models.BigIntegerField(default=0)
    category_key = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=16, blank=True, default="")
    met = models.BooleanField()
    business_seconds = models.FloatField()

    class Meta:
        indexes = [
            models.Index(fields=["kind", "day"], name="clockoutcome_day_idx"),
            # A group's dashboard: its outcomes of the period, not every group's.
            models.Index(fields=["group_key", "day"], name="clockoutcome_group_idx"),
        ]


class ClockDaily(SummaryRow):
    """Stopped SLA clocks per local day, kind and group of their incident: how many, how many
    met. Derived from ClockOutcome for the days it changed; what the service-level dashboard
    counts when it is not filtered by category or channel (a year is some thousands of rows
    instead of a million outcomes)."""

    day = models.DateField()
    kind = models.CharField(max_length=16)
    group_key = models.BigIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    met_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "kind"], name="clockdaily_day_idx")]


class _ClockBuckets(SummaryRow):
    day = models.DateField()
    kind = models.CharField(max_length=16)
    bucket = models.FloatField()
    n = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class ClockHistogram(_ClockBuckets):
    """Stopped SLA clocks per local day and kind, counted by business duration rounded down to
    its bucket (``summaries.CLOCK_BUCKETS``: the minute under a day, the quarter of an hour
    under 30 days, the hour beyond): the median and the 90th percentile of a long unfiltered
    period are read from these counts, to the bucket's width."""

    class Meta:
        indexes = [models.Index(fields=["day", "kind"], name="clockhistogram_day_idx")]


class ClockHistogramMonthly(_ClockBuckets):
    """``ClockHistogram`` summed per calendar month (``day`` is the month's first day): a year
    reads its whole months here, a few thousand rows where the daily table has 200,000."""

    class Meta:
        indexes = [models.Index(fields=["day", "kind"], name="clockhistogram_month_idx")]


class OverdueClock(SummaryRow):
    """A snapshot: SLA clocks still running and already past due, per kind and the group,
    category and channel of their incident: breaches in the making."""

    kind = models.CharField(max_length=16)
    group_key = models.BigIntegerField(default=0)
    category_key = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=16, blank=True, default="")
    overdue = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "group_key", "category_key", "channel"],
                name="overdueclock_unique",
            )
        ]


class StepDaily(SummaryRow):
    """Service tasks of a chain step closed per local day: how many, and their time open in
    seconds (opened to closed), summed."""

    day = models.DateField()
    template_key = models.BigIntegerField()
    group_key = models.BigIntegerField(default=0)
    type_key = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=16, blank=True, default="")
    closed = models.PositiveIntegerField(default=0)
    open_seconds = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "template_key", "group_key", "type_key", "channel"],
                name="stepdaily_unique",
            )
        ]
        indexes = [models.Index(fields=["day"], name="stepdaily_day_idx")]


class StepOpen(SummaryRow):
    """A snapshot: service tasks of a chain step open now (or pending), how many, and since
    when (the sum and the minimum of their opening times, as epoch seconds)."""

    template_key = models.BigIntegerField()
    group_key = models.BigIntegerField(default=0)
    type_key = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=16, blank=True, default="")
    waiting = models.PositiveIntegerField(default=0)
    since_sum = models.FloatField(default=0)
    since_min = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["template_key", "group_key", "type_key", "channel"],
                name="stepopen_unique",
            )
        ]


class ActivityDaily(SummaryRow):
    """Calls, meetings and to-dos per local day and agent (0: nobody)."""

    class ActivityKind(models.TextChoices):
        CALL = "call", _("calls")
        MEETING = "meeting", _("meetings")
        TODO = "todo", _("to-dos")

    kind = models.CharField(max_length=16, choices=ActivityKind.choices)
    day = models.DateField()
    user_key = models.BigIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "day", "user_key"], name="activitydaily_unique")
        ]
        indexes = [models.Index(fields=["day"], name="activitydaily_day_idx")]


class OldestOpen(SummaryRow):
    """A snapshot: the oldest open items of each kind, per group (0: every group), so that the
    backlog lists them without sorting every open item."""

    kind = models.CharField(max_length=16, choices=Kind.choices)
    group_key = models.BigIntegerField(default=0)
    rank = models.PositiveIntegerField()
    item_id = models.BigIntegerField()
    type_key = models.BigIntegerField(default=0)
    category_key = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=16, blank=True, default="")
    title = models.CharField(max_length=255)
    status = models.CharField(max_length=32)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "group_key", "rank"], name="oldestopen_unique")
        ]
