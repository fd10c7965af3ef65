from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from crm.i18n import localized


class Theme(models.Model):
    """Groups e-services in the catalogue (thématique)."""

    name = models.CharField(_("name (French)"), max_length=255, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    description = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["position", "name"]

    def __str__(self):
        return localized(self, "name")


class RequestType(models.Model):
    """What can be asked for (téléservice, démarche; for the faculty, a teaching approach)."""

    code = models.SlugField(
        _("code"),
        max_length=32,
        unique=True,
        allow_unicode=False,
        help_text=_("Short unique code used by imports and the API, e.g. SYNC."),
    )
    name = models.CharField(_("name (French)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    theme = models.ForeignKey(
        Theme,
        verbose_name=_("theme"),
        on_delete=models.PROTECT,
        related_name="request_types",
        null=True,
        blank=True,
    )
    description = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    default_assignment_group = models.ForeignKey(
        "crm.AssignmentGroup",
        verbose_name=_("default assignment group"),
        on_delete=models.PROTECT,
        related_name="request_types",
        null=True,
        blank=True,
    )
    chain_template = models.ForeignKey(
        "tasks_app.ChainTemplate",
        verbose_name=_("chain template"),
        on_delete=models.PROTECT,
        related_name="request_types",
        null=True,
        blank=True,
        help_text=_("The tasks every new request of this type receives."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("request type")
        verbose_name_plural = _("request types")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {localized(self, 'name')}"

    def save(self, *args, **kwargs):
        self.code = self.code.upper()
        super().save(*args, **kwargs)


class Request(models.Model):
    """A request (RITM): what a citizen asked for, worked through its chain of tasks."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        IN_PROGRESS = "in_progress", _("in progress")
        RESOLVED = "resolved", _("resolved")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", _("cancelled")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("portal")
        PHONE = "phone", _("phone")
        EMAIL = "email", _("e-mail")
        COUNTER = "counter", _("counter")
        API = "api", _("API")
        IMPORT = "import", _("import")

    NUMBER_PREFIX = "REQ"
    OPEN_STATUSES = (Status.SUBMITTED, Status.IN_PROGRESS)

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="requests",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        related_name="requests_filed",
        null=True,
        blank=True,
        help_text=_("The agent who filed the request on the requester's behalf, if any."),
    )
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.PORTAL
    )
    request_type = models.ForeignKey(
        RequestType,
        verbose_name=_("request type"),
        on_delete=models.PROTECT,
        related_name="requests",
    )
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    form_data = models.JSONField(_("form data"), default=dict, blank=True)
    external_key = models.CharField(
        _("external key"),
        max_length=255,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Identifies the request in an imported file, e.g. course|term|approach."),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = FSMField(_("status"), default=Status.DRAFT, choices=Status.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["requester", "-created_at"], name="request_requester_idx"),
            models.Index(fields=["status", "due_date"], name="request_status_due_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("requests:detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"{self.NUMBER_PREFIX}{self.pk:07d}" if self.pk else ""

    @property
    def is_assisted(self) -> bool:
        return self.created_by_id is not None and self.created_by_id != self.requester_id

    @transition(field=status, source=Status.DRAFT, target=Status.SUBMITTED)
    def submit(self):
        pass

    @transition(field=status, source=Status.SUBMITTED, target=Status.IN_PROGRESS)
    def start(self):
        pass

    @transition(field=status, source=[Status.SUBMITTED, Status.IN_PROGRESS], target=Status.RESOLVED)
    def resolve(self, *, when):
        self.resolved_at = when

    @transition(field=status, source=Status.RESOLVED, target=Status.IN_PROGRESS)
    def reopen(self):
        self.resolved_at = None

    @transition(field=status, source=Status.RESOLVED, target=Status.CLOSED)
    def close(self, *, when):
        self.closed_at = when

    @transition(
        field=status,
        source=[Status.DRAFT, Status.SUBMITTED, Status.IN_PROGRESS],
        target=Status.CANCELLED,
    )
    def cancel(self, *, when):
        self.closed_at = when


class JournalEntry(models.Model):
    """A work note (internal) or a comment (shown to the requester) on a request or a task."""

    class Kind(models.TextChoices):
        WORK_NOTE = "work_note", _("work note")
        COMMENT = "comment", _("comment")
        CALL = "call", _("logged call")

    request = models.ForeignKey(
        Request,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="journal",
        null=True,
        blank=True,
    )
    task = models.ForeignKey(
        "tasks_app.Task",
        verbose_name=_("task"),
        on_delete=models.CASCADE,
        related_name="journal",
        null=True,
        blank=True,
    )
    incident = models.ForeignKey(
        "requests_app.Incident",
        verbose_name=_("incident"),
        on_delete=models.CASCADE,
        related_name="journal",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="journal_entries",
    )
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(request__isnull=False)
                | models.Q(task__isnull=False)
                | models.Q(incident__isnull=False),
                name="journal_has_a_subject",
            ),
        ]
        indexes = [models.Index(fields=["request", "created_at"], name="journal_request_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.author}"

    @property
    def is_public(self) -> bool:
        """Comments and logged calls are contacts with the requester; work notes are not."""
        return self.kind in (self.Kind.COMMENT, self.Kind.CALL)


class CourseGridImport(models.Model):
    """One upload of a course grid: its file, its progress and its report."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT
    )
    dry_run = models.BooleanField(_("dry run"), default=True)
    skip_invalid = models.BooleanField(_("skip invalid rows"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed rows"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("course-grid import")
        verbose_name_plural = _("course-grid imports")
        ordering = ["-created_at"]

    def __str__(self):
        return self.original_name

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


# --- Incidents and SLAs ---------------------------------------------------------------------


def _validate_zone(value: str) -> None:
    import zoneinfo

    from django.core.exceptions import ValidationError

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
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def schedule(self):
        """The pure schedule of this calendar (slots and closures must be prefetched or are
        fetched here)."""
        from .business_time import Schedule

        slots = [[] for _day in range(7)]
        for slot in self.slots.all():
            slots[slot.weekday].append((slot.opens, slot.closes))
        return Schedule(
            zone=self.time_zone,
            slots=tuple(tuple(sorted(day)) for day in slots),
            country=self.country.upper(),
            subdivision=self.subdivision.upper() or None,
            closures=frozenset(c.day for c in self.closures.all()),
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


class IncidentCategory(models.Model):
    name = models.CharField(_("name (French)"), max_length=255, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("incident category")
        verbose_name_plural = _("incident categories")
        ordering = ["name"]

    def __str__(self):
        return localized(self, "name")


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
        IncidentCategory,
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
    history = HistoricalRecords()

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


class Incident(models.Model):
    """A help request (INC): someone is stuck and needs an answer, within promised delays."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        IN_PROGRESS = "in_progress", _("in progress")
        AWAITING_REQUESTER = "awaiting_requester", _("awaiting requester")
        RESOLVED = "resolved", _("resolved")
        CLOSED = "closed", _("closed")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("portal")
        PHONE = "phone", _("phone")
        EMAIL = "email", _("e-mail")
        COUNTER = "counter", _("counter")
        API = "api", _("API")

    NUMBER_PREFIX = "INC"
    OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.AWAITING_REQUESTER)

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        related_name="incidents_filed",
        null=True,
        blank=True,
    )
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.PORTAL
    )
    category = models.ForeignKey(
        IncidentCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MODERATE
    )
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    assignment_group = models.ForeignKey(
        "crm.AssignmentGroup",
        verbose_name=_("assignment group"),
        on_delete=models.PROTECT,
        related_name="incidents",
        null=True,
        blank=True,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        related_name="assigned_incidents",
        null=True,
        blank=True,
    )
    related_request = models.ForeignKey(
        Request,
        verbose_name=_("related request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
    )
    status = FSMField(_("status"), default=Status.NEW, choices=Status.choices)
    sla_policy = models.ForeignKey(
        SLAPolicy,
        verbose_name=_("SLA policy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["assignment_group", "status"], name="incident_queue_idx"),
            models.Index(fields=["requester", "-created_at"], name="incident_requester_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("incidents:detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"{self.NUMBER_PREFIX}{self.pk:07d}" if self.pk else ""

    @transition(field=status, source=Status.NEW, target=Status.IN_PROGRESS)
    def start(self):
        pass

    @transition(
        field=status, source=[Status.NEW, Status.IN_PROGRESS], target=Status.AWAITING_REQUESTER
    )
    def await_requester(self):
        pass

    @transition(field=status, source=Status.AWAITING_REQUESTER, target=Status.IN_PROGRESS)
    def requester_replied(self):
        pass

    @transition(
        field=status,
        source=[Status.NEW, Status.IN_PROGRESS, Status.AWAITING_REQUESTER],
        target=Status.RESOLVED,
    )
    def resolve(self, *, when):
        self.resolved_at = when

    @transition(field=status, source=Status.RESOLVED, target=Status.IN_PROGRESS)
    def reopen(self):
        self.resolved_at = None

    @transition(field=status, source=Status.RESOLVED, target=Status.CLOSED)
    def close(self, *, when):
        self.closed_at = when


class SLAClock(models.Model):
    """One promise of one incident: when it started, when it is due, how long it was paused,
    whether it was met, and how far it escalated."""

    class Kind(models.TextChoices):
        RESPONSE = "response", _("first response")
        RESOLUTION = "resolution", _("resolution")

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="clocks"
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
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        ordering = ["incident", "kind"]
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
