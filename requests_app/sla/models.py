"""Business calendars, SLA policies, clocks and escalations."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.business_time import Schedule
from crm.history import history_records


def _validate_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone “%(zone)s”."), params={"zone": value}) from exc


class BusinessCalendar(models.Model):
    """When the body is open: weekly slots, public holidays of a country (and subdivision),
    and its own closure days."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="America/Montreal",
        validators=[_validate_zone],
        help_text=_("IANA name, e.g. America/Montreal or Europe/Paris."),
    )
    country = models.CharField(
        _("country of public holidays"),
        max_length=8,
        blank=True,
        help_text=_("ISO code, e.g. CA or FR; empty for no public holidays."),
    )
    subdivision = models.CharField(
        _("subdivision"),
        max_length=16,
        blank=True,
        help_text=_("e.g. QC for Québec, 57 for Moselle; empty for the whole country."),
    )
    is_default = models.BooleanField(
        _("default calendar"),
        default=False,
        help_text=_(
            "The body's calendar: due dates of tasks count its working days when their request "
            "type names no calendar. One calendar at most is the default."
        ),
    )
    history = history_records()

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="calendar_one_default",
                violation_error_message=_("Another calendar is already the default."),
            ),
        ]

    def __str__(self):
        return self.name

    def schedule(self, *, slots=None, closures=None):
        """The pure schedule of this calendar. ``slots`` ((weekday, opens, closes) triples) and
        ``closures`` (days) are given when read apart; otherwise they must be prefetched or
        are fetched here."""
        if slots is None:
            slots = [(slot.weekday, slot.opens, slot.closes) for slot in self.slots.all()]
        if closures is None:
            closures = [c.day for c in self.closures.all()]
        days = [[] for _day in range(7)]
        for weekday, opens, closes in slots:
            days[weekday].append((opens, closes))
        return Schedule(
            zone=self.time_zone,
            slots=tuple(tuple(sorted(day)) for day in days),
            country=self.country.upper(),
            subdivision=self.subdivision.upper() or None,
            closures=frozenset(closures),
        )


class OpeningSlot(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        on_delete=models.CASCADE,
        related_name="slots",
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening slot")
        verbose_name_plural = _("opening slots")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="slot_closes_after_opens"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Closure(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        on_delete=models.CASCADE,
        related_name="closures",
    )
    day = models.DateField(_("day"))
    label = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("closure day")
        verbose_name_plural = _("closure days")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "day"], name="closure_unique_day"),
        ]

    def __str__(self):
        return f"{self.day} {self.label}"


class Priority(models.IntegerChoices):
    CRITICAL = 1, _("1 — critical")
    HIGH = 2, _("2 — high")
    MODERATE = 3, _("3 — moderate")
    LOW = 4, _("4 — low")


class SLAPolicy(models.Model):
    """The promises made for the incidents it matches, in business time of a calendar."""

    class Unit(models.TextChoices):
        HOURS = "hours", _("business hours")
        DAYS = "days", _("business days")

    name = models.CharField(_("name"), max_length=255, unique=True)
    active = models.BooleanField(_("active"), default=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("business calendar"),
        on_delete=models.PROTECT,
        related_name="policies",
    )
    category = models.ForeignKey(
        "requests_app.IncidentCategory",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty: every category."),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        choices=Priority.choices,
        null=True,
        blank=True,
        help_text=_("Empty: every priority."),
    )
    response_value = models.PositiveIntegerField(_("response target"), default=8)
    response_unit = models.CharField(
        _("response unit"), max_length=8, choices=Unit.choices, default=Unit.HOURS
    )
    resolution_value = models.PositiveIntegerField(_("resolution target"), default=3)
    resolution_unit = models.CharField(
        _("resolution unit"), max_length=8, choices=Unit.choices, default=Unit.DAYS
    )
    pause_statuses = models.JSONField(
        _("statuses that pause the clock"),
        default=list,
        blank=True,
        help_text=_('Incident statuses during which the clocks stop, e.g. ["awaiting_requester"].'),
    )
    history = history_records()

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def target(self, kind: str) -> tuple[int, str]:
        if kind == SLAClock.Kind.RESPONSE:
            return self.response_value, self.response_unit
        return self.resolution_value, self.resolution_unit


class EscalationLevel(models.Model):
    """What happens when a share of a target has elapsed."""

    class Applies(models.TextChoices):
        BOTH = "both", _("response and resolution")
        RESPONSE = "response", _("response only")
        RESOLUTION = "resolution", _("resolution only")

    policy = models.ForeignKey(
        SLAPolicy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="levels"
    )
    percent = models.PositiveSmallIntegerField(
        _("percent of the target elapsed"),
        help_text=_("e.g. 50, 75, 100 (100 = the target is breached)."),
    )
    applies_to = models.CharField(
        _("applies to"), max_length=16, choices=Applies.choices, default=Applies.BOTH
    )
    notify_assignee = models.BooleanField(_("notify the assignee"), default=True)
    notify_group_lead = models.BooleanField(_("notify the group lead"), default=False)
    notify_escalation_group = models.BooleanField(_("notify the escalation group"), default=False)
    raise_priority = models.BooleanField(_("raise the priority"), default=False)
    reassign_to_escalation_group = models.BooleanField(
        _("reassign to the escalation group"), default=False
    )

    class Meta:
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")
        ordering = ["policy", "percent"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "percent", "applies_to"], name="level_unique_percent"
            ),
            models.CheckConstraint(
                condition=models.Q(percent__gt=0, percent__lte=1000), name="level_percent_range"
            ),
        ]

    def __str__(self):
        return f"{self.percent} %"

    def applies(self, kind: str) -> bool:
        return self.applies_to in (self.Applies.BOTH, kind)


class SLAClock(models.Model):
    """One promise of one incident: when it started, when it is due, how long it was paused,
    whether it was met, and how far it escalated."""

    class Kind(models.TextChoices):
        RESPONSE = "response", _("first response")
        RESOLUTION = "resolution", _("resolution")

    incident = models.ForeignKey(
        "requests_app.Incident",
        verbose_name=_("incident"),
        on_delete=models.CASCADE,
        related_name="clocks",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    policy = models.ForeignKey(
        SLAPolicy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="clocks"
    )
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"))
    target_seconds = models.FloatField(_("target (business seconds)"))
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_seconds = models.FloatField(_("paused (business seconds)"), default=0)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    met = models.BooleanField(_("met"), null=True, blank=True)
    level_reached = models.PositiveSmallIntegerField(_("level reached (%)"), default=0)
    next_level_at = models.DateTimeField(_("next escalation"), null=True, blank=True)
    history = history_records()

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        # By column, not by the incident: ordering by the relation would join the incidents to
        # sort by their own ordering.
        ordering = ["incident_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind"], name="clock_unique_kind"),
        ]
        indexes = [
            models.Index(
                fields=["next_level_at"],
                name="clock_sweep_idx",
                condition=models.Q(
                    stopped_at__isnull=True, paused_since__isnull=True, next_level_at__isnull=False
                ),
            ),
            models.Index(fields=["due_at"], name="clock_due_idx"),
        ]

    def __str__(self):
        return f"{self.incident_id} {self.kind}"


class SLAEscalation(models.Model):
    """A level reached by a clock: recorded once (unique), its actions run once (claimed)."""

    clock = models.ForeignKey(
        SLAClock, verbose_name=_("clock"), on_delete=models.CASCADE, related_name="escalations"
    )
    percent = models.PositiveSmallIntegerField(_("level (%)"))
    level = models.ForeignKey(
        EscalationLevel, verbose_name=_("level"), on_delete=models.SET_NULL, null=True
    )
    reached_at = models.DateTimeField(_("reached"))
    executed_at = models.DateTimeField(_("actions run"), null=True, blank=True)
    requeued_at = models.DateTimeField(
        _("queued again"),
        null=True,
        blank=True,
        help_text=_("Last time a sweep queued its actions again because they had not run."),
    )

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["reached_at"]
        constraints = [
            models.UniqueConstraint(fields=["clock", "percent"], name="escalation_once"),
        ]
        indexes = [
            models.Index(
                fields=["reached_at"],
                name="escalation_pending_idx",
                condition=models.Q(executed_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.clock} {self.percent} %"
