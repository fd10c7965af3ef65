"""Service requests (RITM), their journal and the documents added to them."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from crm.history import history_records
from crm.search import folded_column
from crm.workflow import ProtectedStateModel


class ServiceRequest(ProtectedStateModel):
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
    # Done with for good: no longer modified.
    FINAL_STATUSES = (Status.CLOSED, Status.CANCELLED)

    requester = models.ForeignKey(
        "contacts.Client",
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="requests",
    )
    organisation = models.ForeignKey(
        "contacts.Partner",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="requests",
        null=True,
        blank=True,
        help_text=_(
            "The organisation the request is filed for: all of its members follow it on the portal."
        ),
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
        "requests_app.RequestType",
        verbose_name=_("request type"),
        on_delete=models.PROTECT,
        related_name="requests",
    )
    title = models.CharField(_("title"), max_length=255)
    # guichet_fold(title), written by the database: what the search compares (crm/search.py).
    title_folded = folded_column("title")
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
    status = FSMField(_("status"), default=Status.DRAFT, choices=Status.choices, protected=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # When the requester's last reply by e-mail arrived, until an agent of the request opens
    # it: the badge of the lists (requests_app/mail). Not a change of the request: no history.
    unread_reply_at = models.DateTimeField(_("unread reply"), null=True, blank=True, editable=False)
    history = history_records(excluded_fields=["updated_at", "title_folded", "unread_reply_at"])

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["requester", "-created_at"], name="request_requester_idx"),
            models.Index(fields=["status", "due_date"], name="request_status_due_idx"),
            models.Index(
                fields=["organisation", "-created_at"],
                name="request_organisation_idx",
                condition=models.Q(organisation__isnull=False),
            ),
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
        # request_create records who filed only when it is not the requester's own account (a
        # user's id is never to be compared with a client's, as it was here).
        return self.created_by_id is not None

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
        ServiceRequest,
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
    # Who wrote it: an account (an agent, or a citizen on the portal), or a requester who
    # answered by e-mail (``author_client``, set for those replies only; with an account, the
    # account is the author too).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="journal_entries",
        null=True,
        blank=True,
    )
    author_client = models.ForeignKey(
        "contacts.Client",
        verbose_name=_("author (requester)"),
        on_delete=models.PROTECT,
        related_name="journal_entries",
        null=True,
        blank=True,
    )
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    # A comment mailed to the requester: claimed by the worker that sends it (requests_app/mail).
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True, editable=False)
    # Files kept with it (a reply by e-mail's attachments): the pages read them only when > 0.
    # A default in the database too: bulk writers (COPY) that name no such column still insert.
    attachment_count = models.PositiveSmallIntegerField(default=0, db_default=0, editable=False)

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
            models.CheckConstraint(
                condition=models.Q(author__isnull=False) | models.Q(author_client__isnull=False),
                name="journal_has_an_author",
            ),
        ]
        indexes = [models.Index(fields=["request", "created_at"], name="journal_request_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.author_name}"

    @property
    def author_name(self) -> str:
        """Who wrote it, as the pages name them: the account, else the requester who replied
        by e-mail."""
        if self.author_id is not None:
            return str(self.author)
        return str(self.author_client) if self.author_client_id is not None else ""

    @property
    def via_email(self) -> bool:
        """A requester's reply by e-mail (the only entries written for a client)."""
        return self.author_client_id is not None

    @property
    def files(self) -> list:
        """Its attachments (read with ``mail.selectors.with_attachments``); no query for an
        entry without any."""
        return list(self.attachments.all()) if self.attachment_count else []

    @property
    def is_public(self) -> bool:
        """Comments and logged calls are contacts with the requester; work notes are not."""
        return self.kind in (self.Kind.COMMENT, self.Kind.CALL)


def attachment_upload_to(instance, filename: str) -> str:
    # A random name: the uploader's name is kept on the row, for the download only.
    return f"requests/{instance.request_id}/{uuid.uuid4().hex}"


class RequestAttachment(models.Model):
    """A document added to a request after it was filed, by its requester (or a member of its
    organisation) on the portal. Downloaded only through views that check who may see it."""

    request = models.ForeignKey(
        ServiceRequest,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        related_name="request_attachments",
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("document of a request")
        verbose_name_plural = _("documents of requests")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["request", "created_at"], name="attachment_request_idx")]

    def __str__(self):
        return self.original_name
