from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from contacts.models import exactly_one_of
from crm.history import history_records
from crm.workflow import ProtectedStateModel


class ChainTemplate(models.Model):
    """The plan of action of a request type: a DAG of task templates."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    description = models.TextField(_("description"), blank=True)
    history = history_records(translated=("name", "description"))

    class Meta:
        verbose_name = _("chain template")
        verbose_name_plural = _("chain templates")
        ordering = ["name"]

    def __str__(self):
        return self.name


class TaskTemplate(models.Model):
    """One step of a chain: the task that each new request of the type receives."""

    chain = models.ForeignKey(
        ChainTemplate, verbose_name=_("chain"), on_delete=models.CASCADE, related_name="steps"
    )
    sequence = models.CharField(
        _("sequence"), max_length=16, help_text=_('Label of the step, such as "1" or "2.1".')
    )
    name = models.CharField(_("name"), max_length=255)
    instructions = models.TextField(_("instructions"), blank=True)
    assignment_group = models.ForeignKey(
        "crm.AssignmentGroup",
        verbose_name=_("assignment group"),
        on_delete=models.PROTECT,
        related_name="task_templates",
    )
    due_offset_days = models.PositiveSmallIntegerField(
        _("due in (business days)"),
        default=5,
        help_text=_("Business days between the request's creation and this task's due date."),
    )
    prerequisites = models.ManyToManyField(
        "self",
        verbose_name=_("prerequisites"),
        symmetrical=False,
        blank=True,
        related_name="successors",
        help_text=_("Steps of the same chain that must be closed before this one opens."),
    )
    visible_to_requester = models.BooleanField(_("visible to the requester"), default=True)
    history = history_records(translated=("name", "instructions"), m2m_fields=[prerequisites])

    class Meta:
        verbose_name = _("task template")
        verbose_name_plural = _("task templates")
        ordering = ["chain", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "sequence"], name="tasktemplate_unique_seq"),
        ]

    def __str__(self):
        return f"{self.sequence} {self.name}"


class BookableResource(models.Model):
    """A room, a recording cubicle or a virtual room that support tasks book; a resource is never
    booked twice for overlapping times (an exclusion constraint on PostgreSQL)."""

    class Kind(models.TextChoices):
        ROOM = "room", _("room")
        CUBICLE = "cubicle", _("recording cubicle")
        VIRTUAL = "virtual", _("virtual room")
        EQUIPMENT = "equipment", _("equipment")

    name = models.CharField(_("name"), max_length=255, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ROOM)
    location = models.CharField(_("location"), max_length=255, blank=True)
    url = models.URLField(_("link to the virtual room"), max_length=255, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("bookable resource")
        verbose_name_plural = _("bookable resources")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class SupportTaskTemplate(models.Model):
    """A kind of support task an agent creates under a service task, such as "Soutien technique
    — classe virtuelle en salle": its instructions, its group and its usual duration."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    instructions = models.TextField(_("instructions"), blank=True)
    assignment_group = models.ForeignKey(
        "crm.AssignmentGroup",
        verbose_name=_("assignment group"),
        on_delete=models.PROTECT,
        related_name="support_task_templates",
    )
    default_duration_minutes = models.PositiveIntegerField(
        _("default duration (minutes)"), default=60
    )
    resource_kind = models.CharField(
        _("resource it usually books"),
        max_length=16,
        choices=BookableResource.Kind.choices,
        blank=True,
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("support task template")
        verbose_name_plural = _("support task templates")
        ordering = ["name"]

    def __str__(self):
        return self.name


class TaskQuerySet(models.QuerySet):
    def not_done(self):
        # The statuses of work not done are named rather than the done ones excluded, so that
        # the (assignee, status, due_date) index reads only open work, not every task an agent
        # ever closed (120,000 rows for a two-year veteran at 4M tasks).
        return self.filter(status__in=Task.NOT_DONE_STATUSES)

    def in_groups_of(self, user):
        return self.filter(assignment_group__members=user)


class Task(ProtectedStateModel):
    class Kind(models.TextChoices):
        SERVICE = "service", _("service task")
        SUPPORT = "support", _("support task")
        TODO = "todo", _("to-do")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        ON_HOLD = "on_hold", _("on hold")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", _("cancelled")

    class DueState(models.TextChoices):
        """The badge beside a due date, the same words as the incidents' SLA badge."""

        OVERDUE = "overdue", _("overdue")
        DUE_TODAY = "due_today", _("due today")
        ON_TRACK = "on_track", _("on track")

    class Priority(models.TextChoices):
        HIGH = "high", _("high")
        MEDIUM = "medium", _("medium")
        LOW = "low", _("low")

    DONE_STATUSES = (Status.CLOSED, Status.CANCELLED)
    NOT_DONE_STATUSES = (Status.PENDING, Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD)
    # Work someone can do now: not waiting for a prerequisite (pending), not done.
    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD)
    NUMBER_PREFIX = "TASK"

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SERVICE)
    request = models.ForeignKey(
        "requests_app.ServiceRequest",
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="tasks",
        null=True,
        blank=True,
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent task"),
        on_delete=models.CASCADE,
        related_name="support_tasks",
        null=True,
        blank=True,
    )
    template = models.ForeignKey(
        TaskTemplate,
        verbose_name=_("template"),
        on_delete=models.SET_NULL,
        related_name="tasks",
        null=True,
        blank=True,
    )
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    assignment_group = models.ForeignKey(
        "crm.AssignmentGroup",
        verbose_name=_("assignment group"),
        on_delete=models.PROTECT,
        related_name="tasks",
        null=True,
        blank=True,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        related_name="assigned_tasks",
        null=True,
        blank=True,
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # A to-do (seed 002): what it concerns (exactly one client, contact or partner), when it
    # starts, how urgent it is.
    client = models.ForeignKey(
        "contacts.Client",
        verbose_name=_("client"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="todos",
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="todos",
    )
    partner = models.ForeignKey(
        "contacts.Partner",
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="todos",
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.MEDIUM
    )
    # A scheduled support task (seed 001): when, where, with whom.
    support_template = models.ForeignKey(
        SupportTaskTemplate,
        verbose_name=_("support task template"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    scheduled_start = models.DateTimeField(_("scheduled start"), null=True, blank=True)
    scheduled_end = models.DateTimeField(_("scheduled end"), null=True, blank=True)
    resource = models.ForeignKey(
        BookableResource,
        verbose_name=_("resource booked"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
    )
    place = models.CharField(_("place"), max_length=255, blank=True)
    virtual_room_url = models.URLField(_("link to the virtual room"), max_length=255, blank=True)
    attendees = models.ManyToManyField(
        "contacts.Client",
        verbose_name=_("attendees"),
        blank=True,
        related_name="support_tasks_attended",
    )
    # Written by its transitions only (and as initial rows by the course-grid import, see
    # tasks_app.chain).
    status = FSMField(_("status"), default=Status.OPEN, choices=Status.choices, protected=True)
    visible_to_requester = models.BooleanField(_("visible to the requester"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    history = history_records(excluded_fields=["updated_at"])

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_date"], name="task_assignee_idx"),
            # "My groups' queue" in due-date order: the scan stops after a page whatever the
            # number of groups (leading with the group read and sorted the whole queue).
            models.Index(
                fields=["due_date", "id", "assignment_group"],
                name="task_queue_due_idx",
                condition=models.Q(assignee__isnull=True, status__in=["open", "in_progress"]),
            ),
            # The Kanban's closed column, most recently closed first.
            models.Index(
                fields=["closed_at", "id"],
                name="task_recently_closed_idx",
                condition=models.Q(status="closed"),
            ),
            models.Index(fields=["status", "due_date"], name="task_status_due_idx"),
            models.Index(fields=["client", "due_date"], name="task_client_idx"),
            models.Index(fields=["contact", "due_date"], name="task_contact_idx"),
            models.Index(fields=["partner", "due_date"], name="task_partner_idx"),
            models.Index(
                fields=["assignee", "scheduled_start"],
                name="task_scheduled_idx",
                condition=models.Q(scheduled_start__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="support") | models.Q(parent__isnull=False),
                name="task_support_has_parent",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="todo") | exactly_one_of("client", "contact", "partner"),
                name="task_todo_one_target",
                violation_error_message=_(
                    "Link the to-do to exactly one client, contact or partner."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(scheduled_start__isnull=True, scheduled_end__isnull=True)
                | models.Q(scheduled_end__gt=models.F("scheduled_start")),
                name="task_schedule_ends_after_start",
                violation_error_message=_("The end must come after the start."),
            ),
            models.CheckConstraint(
                condition=models.Q(resource__isnull=True) | models.Q(scheduled_start__isnull=False),
                name="task_booking_is_scheduled",
                violation_error_message=_("A resource is booked for a start and an end."),
            ),
        ]
        permissions = [("work_any_task", _("Can work on any group's tasks"))]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("tasks:detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"{self.NUMBER_PREFIX}{self.pk:07d}" if self.pk else ""

    @property
    def is_done(self) -> bool:
        return self.status in self.DONE_STATUSES

    @property
    def due_state(self) -> "Task.DueState | None":
        """Overdue, due today or on track, against today in the body's time zone (an agent
        working late in another zone sees the body's day); none for done or undated work.
        Reads only the row's own fields: a list pays no query for it."""
        if self.due_date is None or self.is_done:
            return None
        today = timezone.localdate(timezone=timezone.get_default_timezone())
        if self.due_date < today:
            return self.DueState.OVERDUE
        if self.due_date == today:
            return self.DueState.DUE_TODAY
        return self.DueState.ON_TRACK

    # Transitions: guards and fields only; services lock, save, record and notify.
    @transition(field=status, source=Status.PENDING, target=Status.OPEN)
    def open(self, *, when):
        self.opened_at = when

    @transition(field=status, source=Status.OPEN, target=Status.IN_PROGRESS)
    def start(self):
        pass

    @transition(field=status, source=Status.IN_PROGRESS, target=Status.ON_HOLD)
    def hold(self):
        pass

    @transition(field=status, source=Status.ON_HOLD, target=Status.IN_PROGRESS)
    def resume(self):
        pass

    @transition(
        field=status, source=[Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD], target=Status.CLOSED
    )
    def close(self, *, when):
        self.closed_at = when

    @transition(
        field=status,
        source=[Status.PENDING, Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD],
        target=Status.CANCELLED,
    )
    def cancel(self, *, when):
        self.closed_at = when
