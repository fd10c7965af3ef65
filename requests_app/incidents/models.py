"""Incidents (help requests)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, transition

from crm.history import history_records
from crm.search import folded_column
from crm.workflow import ProtectedStateModel

from ..sla.models import Priority


class IncidentCategory(models.Model):
    name = models.CharField(_("name"), max_length=255, unique=True)

    class Meta:
        verbose_name = _("incident category")
        verbose_name_plural = _("incident categories")
        ordering = ["name"]

    def __str__(self):
        return self.name


# Incident.OPEN_STATUSES as plain values, for the partial indexes (Meta cannot see the class).
_OPEN = ("new", "in_progress", "awaiting_requester")


class Incident(ProtectedStateModel):
    """A help request (INC): someone is stuck and needs an answer, within promised delays."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        IN_PROGRESS = "in_progress", _("in progress")
        AWAITING_REQUESTER = "awaiting_requester", _("awaiting requester")
        # An incident is masculine in French: "résolu", not the request's "résolue".
        RESOLVED = "resolved", pgettext_lazy("incident", "resolved")
        CLOSED = "closed", pgettext_lazy("incident", "closed")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("portal")
        PHONE = "phone", _("phone")
        EMAIL = "email", _("e-mail")
        COUNTER = "counter", _("counter")
        API = "api", _("API")

    NUMBER_PREFIX = "INC"
    OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.AWAITING_REQUESTER)

    requester = models.ForeignKey(
        "contacts.Client",
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
    # guichet_fold(title), written by the database: what the search compares (crm/search.py).
    title_folded = folded_column("title")
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
        "requests_app.ServiceRequest",
        verbose_name=_("related request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
    )
    status = FSMField(_("status"), default=Status.NEW, choices=Status.choices, protected=True)
    sla_policy = models.ForeignKey(
        "requests_app.SLAPolicy",
        verbose_name=_("SLA policy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    # The resolution clock's due time, copied by the clock services in the same transaction as
    # every change of that clock: the lists sort on it through the indexes below, instead of
    # reading the clock of every matching row. Empty when no SLA policy applies.
    resolution_due_at = models.DateTimeField(
        _("resolution due"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    resolved_at = models.DateTimeField(pgettext_lazy("incident", "resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("incident", "closed"), null=True, blank=True)
    # When the requester's last reply by e-mail arrived, until an agent of the incident opens
    # it: the badge of the queue (requests_app/mail). Not a change of the incident: no history.
    unread_reply_at = models.DateTimeField(_("unread reply"), null=True, blank=True, editable=False)
    history = history_records(
        excluded_fields=["updated_at", "resolution_due_at", "title_folded", "unread_reply_at"]
    )

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["assignment_group", "status"], name="incident_queue_idx"),
            models.Index(fields=["requester", "-created_at"], name="incident_requester_idx"),
            # The lists, sorted by due time (ascending, nulls last, then id: an index order).
            # The queue: open and unassigned, per group, and across groups (walked in due order
            # while the agent's groups filter it).
            models.Index(
                fields=["assignment_group", "resolution_due_at", "id"],
                name="incident_queue_due_idx",
                condition=models.Q(status__in=_OPEN, assignee__isnull=True),
            ),
            models.Index(
                fields=["resolution_due_at", "id"],
                name="incident_unassigned_due_idx",
                condition=models.Q(status__in=_OPEN, assignee__isnull=True),
            ),
            # My incidents.
            models.Index(
                fields=["assignee", "resolution_due_at", "id"],
                name="incident_mine_due_idx",
                condition=models.Q(status__in=_OPEN),
            ),
            # All incidents, with or without a status filter.
            models.Index(
                fields=["status", "resolution_due_at", "id"], name="incident_status_due_idx"
            ),
            models.Index(fields=["resolution_due_at", "id"], name="incident_due_idx"),
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
