"""The person served: a Client, with an optional portal account."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.history import history_records
from crm.search import folded_words_column

from .recurrence import validate_rrule, validate_series_end

TEXT_MAX_LENGTH = 255


class ClientType(models.TextChoices):
    NEWCOMER = "newcomer", _("newcomer")
    PERMANENT_RESIDENT = "permanent_resident", _("permanent resident")
    JOB_SEEKER = "job_seeker", _("job seeker")
    STUDENT = "student", _("student")
    CITIZEN = "citizen", _("citizen")
    OTHER = "other", _("other")


class Client(models.Model):
    """Whoever a request or an incident is for: a citizen of the portal, a teacher named in a
    course grid, a newcomer helped at the counter. Most have no portal account."""

    first_name = models.CharField(_("first name"), max_length=TEXT_MAX_LENGTH, blank=True)
    last_name = models.CharField(_("last name"), max_length=TEXT_MAX_LENGTH, blank=True)
    email = models.EmailField(
        _("e-mail address"), max_length=TEXT_MAX_LENGTH, null=True, blank=True
    )
    phone = models.CharField(_("phone"), max_length=TEXT_MAX_LENGTH, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    street = models.CharField(_("street address"), max_length=TEXT_MAX_LENGTH, blank=True)
    street_2 = models.CharField(_("address line 2"), max_length=TEXT_MAX_LENGTH, blank=True)
    city = models.CharField(_("city"), max_length=TEXT_MAX_LENGTH, blank=True)
    region = models.CharField(_("province or region"), max_length=TEXT_MAX_LENGTH, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=TEXT_MAX_LENGTH, blank=True)
    country = models.CharField(_("country"), max_length=TEXT_MAX_LENGTH, blank=True)
    client_type = models.CharField(
        _("client type"),
        max_length=32,
        choices=ClientType.choices,
        blank=True,
        default="",
        db_default="",
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    arrival_date = models.DateField(_("date of arrival in the country"), null=True, blank=True)
    country_of_origin = models.CharField(
        _("country of origin"), max_length=TEXT_MAX_LENGTH, blank=True, default="", db_default=""
    )
    languages_spoken = models.CharField(
        _("languages spoken"), max_length=TEXT_MAX_LENGTH, blank=True, default="", db_default=""
    )
    education_level = models.CharField(
        _("education level"), max_length=TEXT_MAX_LENGTH, blank=True, default="", db_default=""
    )
    employment_status = models.CharField(
        _("employment status"), max_length=TEXT_MAX_LENGTH, blank=True, default="", db_default=""
    )
    target_occupation = models.CharField(
        _("occupation sought"), max_length=TEXT_MAX_LENGTH, blank=True, default="", db_default=""
    )
    description = models.TextField(
        _("description"), blank=True, max_length=10_000, default="", db_default=""
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counsellor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_clients",
        help_text=_("The staff member who follows this client."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="client",
        help_text=_("The account this person logs in to the portal with, if any."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The searched columns folded as one text, written by the database (crm/search.py).
    search_folded = folded_words_column("first_name", "last_name", "email")
    history = history_records(excluded_fields=["updated_at", "search_folded"])

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [models.Index(fields=["owner", "last_name"], name="client_owner_idx")]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="contacts_client_email_ci_unique",
                condition=models.Q(email__isnull=False) & ~models.Q(email=""),
                violation_error_message=_("A client with this e-mail address already exists."),
            ),
        ]

    def __str__(self):
        return self.full_name or self.email or f"#{self.pk}"

    def save(self, *args, **kwargs):
        # One spelling per address: compared and stored in lower case, "" stored as NULL.
        self.email = (self.email or "").strip().lower() or None
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("contacts:client_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


# --- The CRM of seed 002: partners, contacts, activities, records -----------------------------

DESCRIPTION_MAX_LENGTH = 10_000


def short_text(label, **kwargs):
    """A text field of the CRM: 255 characters at most (seed 002, annex)."""
    kwargs.setdefault("blank", True)
    return models.CharField(label, max_length=TEXT_MAX_LENGTH, **kwargs)


def description_field():
    return models.TextField(_("description"), blank=True, max_length=DESCRIPTION_MAX_LENGTH)


def owner_field(related_name: str, label=None):
    """The staff member a record or an activity is assigned to ("my items")."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label or _("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
    )


class Partner(models.Model):
    """A company, consultant, organisation or school the body works with."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("company")
        CONSULTANT = "consultant", _("consultant")
        ORGANISATION = "organisation", _("organisation")
        SCHOOL = "school", _("school")

    name = models.CharField(_("name"), max_length=TEXT_MAX_LENGTH)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.COMPANY)
    email = models.EmailField(_("e-mail address"), max_length=TEXT_MAX_LENGTH, blank=True)
    phone = short_text(_("phone"))
    website = models.URLField(_("website"), max_length=TEXT_MAX_LENGTH, blank=True)
    industry = short_text(_("sector of activity"))
    street = short_text(_("street address"))
    city = short_text(_("city"))
    region = short_text(_("province or region"))
    postal_code = short_text(_("postal code"))
    country = short_text(_("country"))
    description = description_field()
    owner = owner_field("owned_partners")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The searched columns folded as one text, written by the database (crm/search.py).
    search_folded = folded_words_column("name", "email")
    history = history_records(excluded_fields=["updated_at", "search_folded"])

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["owner", "name"], name="partner_owner_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("contacts:partner_detail", args=[self.pk])


class Contact(models.Model):
    """A person of one Partner (seed 002: a contact belongs to one partner only)."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="contacts"
    )
    first_name = short_text(_("first name"))
    last_name = models.CharField(_("last name"), max_length=TEXT_MAX_LENGTH)
    job_title = short_text(_("job title"))
    email = models.EmailField(_("e-mail address"), max_length=TEXT_MAX_LENGTH, blank=True)
    phone = short_text(_("phone"))
    mobile = short_text(_("mobile phone"))
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    description = description_field()
    owner = owner_field("owned_contacts")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The searched columns folded as one text, written by the database (crm/search.py).
    search_folded = folded_words_column("first_name", "last_name", "email")
    history = history_records(excluded_fields=["updated_at", "search_folded"])

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [models.Index(fields=["owner", "last_name"], name="contact_owner_idx")]

    def __str__(self):
        return self.full_name or f"#{self.pk}"

    def get_absolute_url(self):
        return reverse("contacts:contact_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def exactly_one_of(*fields: str) -> models.Q:
    """A check that exactly one of the nullable foreign keys ``fields`` is set."""
    options = models.Q()
    for chosen in fields:
        term = models.Q(**{f"{chosen}__isnull": False})
        for other in fields:
            if other != chosen:
                term &= models.Q(**{f"{other}__isnull": True})
        options |= term
    return options


ACTIVITY_TARGETS = ("client", "contact", "partner")


def target_fk(model: str, related_name: str, label):
    return models.ForeignKey(
        model,
        verbose_name=label,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name=related_name,
    )


class Activity(models.Model):
    """What every activity has: exactly one Client, Contact or Partner it concerns (explicit
    foreign keys and a check constraint), the user it is assigned to, a description."""

    client = target_fk("contacts.Client", "%(class)ss", _("client"))
    contact = target_fk("contacts.Contact", "%(class)ss", _("contact"))
    partner = target_fk("contacts.Partner", "%(class)ss", _("partner"))
    assigned_to = owner_field("assigned_%(class)ss")
    description = description_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    @property
    def target(self):
        return self.client or self.contact or self.partner


def activity_constraints(prefix: str) -> list:
    return [
        models.CheckConstraint(
            condition=exactly_one_of(*ACTIVITY_TARGETS),
            name=f"{prefix}_one_target",
            violation_error_message=_("Link it to exactly one client, contact or partner."),
        )
    ]


def activity_indexes(prefix: str, when: str) -> list:
    return [
        models.Index(fields=["client", when], name=f"{prefix}_client_idx"),
        models.Index(fields=["contact", when], name=f"{prefix}_contact_idx"),
        models.Index(fields=["partner", when], name=f"{prefix}_partner_idx"),
        models.Index(fields=["assigned_to", when], name=f"{prefix}_assignee_idx"),
    ]


class Recurrence(models.Model):
    """An RFC 5545 recurrence: ``rrule`` (FREQ=WEEKLY;UNTIL=… or COUNT=…) on the series' first
    row; an occurrence edited on its own is a row of its own that names its series and the start
    it replaces (RECURRENCE-ID); a removed occurrence is an exception date of the series."""

    rrule = models.CharField(
        _("recurrence rule"),
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        help_text=_("An iCalendar rule, for example FREQ=WEEKLY;UNTIL=20270630T000000Z."),
    )
    exdates = models.JSONField(_("removed occurrences"), default=list, blank=True)
    recurrence_of = models.ForeignKey(
        "self",
        verbose_name=_("series"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="occurrence_overrides",
    )
    recurrence_id = models.DateTimeField(
        _("original start of the occurrence"), null=True, blank=True
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if not self.rrule:
            return
        try:
            if self.recurrence_of_id is not None:
                raise ValidationError(
                    _("An occurrence edited on its own does not repeat."), code="override"
                )
            self.rrule = validate_rrule(self.rrule)
            if getattr(self, "starts_at", None) is not None:
                validate_series_end(self.rrule, self.starts_at)
        except ValidationError as error:
            raise ValidationError({"rrule": error.messages}) from error

    @property
    def is_series(self) -> bool:
        return bool(self.rrule) and self.recurrence_of_id is None


class Call(Activity, Recurrence):
    class Direction(models.TextChoices):
        INBOUND = "inbound", _("inbound")
        OUTBOUND = "outbound", _("outbound")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        POSTPONED = "postponed", _("postponed")

    subject = models.CharField(_("subject"), max_length=TEXT_MAX_LENGTH)
    starts_at = models.DateTimeField(_("date and time"))
    direction = models.CharField(
        _("direction"), max_length=16, choices=Direction.choices, default=Direction.OUTBOUND
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=15)
    history = history_records(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            *activity_constraints("call"),
            models.UniqueConstraint(
                fields=["recurrence_of", "recurrence_id"],
                name="call_one_override_per_occurrence",
                condition=models.Q(recurrence_of__isnull=False),
            ),
        ]
        indexes = activity_indexes("call", "starts_at")

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("contacts:call_detail", args=[self.pk])


class Meeting(Activity, Recurrence):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        POSTPONED = "postponed", _("postponed")
        CANCELLED = "cancelled", _("cancelled")

    subject = models.CharField(_("subject"), max_length=TEXT_MAX_LENGTH)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    location = short_text(_("location"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff attending"),
        blank=True,
        related_name="meetings_attended",
    )
    contacts_attending = models.ManyToManyField(
        Contact, verbose_name=_("contacts attending"), blank=True, related_name="meetings_attended"
    )
    clients_attending = models.ManyToManyField(
        Client, verbose_name=_("clients attending"), blank=True, related_name="meetings_attended"
    )
    history = history_records(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            *activity_constraints("meeting"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message=_("A meeting must end after it starts."),
            ),
            models.UniqueConstraint(
                fields=["recurrence_of", "recurrence_id"],
                name="meeting_one_override_per_occurrence",
                condition=models.Q(recurrence_of__isnull=False),
            ),
        ]
        indexes = activity_indexes("meeting", "starts_at")

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("contacts:meeting_detail", args=[self.pk])


class Note(Activity):
    subject = models.CharField(_("subject"), max_length=TEXT_MAX_LENGTH)
    history = history_records(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at", "-pk"]
        constraints = activity_constraints("note")
        indexes = activity_indexes("note", "created_at")

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("contacts:note_detail", args=[self.pk])


def document_upload_to(instance, filename):
    # The stored name never reuses what the uploader typed: a random name under the month.
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Document(Activity):
    class Type(models.TextChoices):
        CV = "cv", _("CV")
        COVER_LETTER = "cover_letter", _("cover letter")
        IDENTITY = "identity", _("identity document")
        DIPLOMA = "diploma", _("diploma")
        CONTRACT = "contract", _("contract")
        FORM = "form", _("form")
        OTHER = "other", _("other")

    title = models.CharField(_("title"), max_length=TEXT_MAX_LENGTH)
    doc_type = models.CharField(_("type"), max_length=16, choices=Type.choices, default=Type.OTHER)
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=TEXT_MAX_LENGTH)
    original_name = short_text(_("file name"))
    content_type = models.CharField(_("content type"), max_length=TEXT_MAX_LENGTH, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    history = history_records(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-pk"]
        constraints = [
            *activity_constraints("document"),
            models.CheckConstraint(
                condition=~models.Q(doc_type="cv") | models.Q(client__isnull=False),
                name="document_cv_on_client",
                violation_error_message=_("A CV belongs to a client."),
            ),
        ]
        indexes = activity_indexes("document", "created_at")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("contacts:document_detail", args=[self.pk])


class Program(models.Model):
    """A programme people take part in (configured by an administrator)."""

    name = models.CharField(_("name"), max_length=TEXT_MAX_LENGTH, unique=True)
    description = description_field()
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Service(models.Model):
    """A service a client or a partner can obtain (configured by an administrator)."""

    name = models.CharField(_("name"), max_length=TEXT_MAX_LENGTH, unique=True)
    description = description_field()
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]

    def __str__(self):
        return self.name


def period_constraint(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
        name=f"{prefix}_ends_after_start",
        violation_error_message=_("The end date cannot be before the start date."),
    )


def holder_constraint(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=exactly_one_of("client", "partner"),
        name=f"{prefix}_one_holder",
        violation_error_message=_("Link it to exactly one client or partner."),
    )


class ProgramEnrolment(models.Model):
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="enrolments"
    )
    client = target_fk("contacts.Client", "program_enrolments", _("client"))
    partner = target_fk("contacts.Partner", "program_enrolments", _("partner"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    created_by = owner_field("+", _("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = history_records()

    class Meta:
        verbose_name = _("program enrolment")
        verbose_name_plural = _("program enrolments")
        ordering = ["-start_date", "-pk"]
        constraints = [period_constraint("enrolment"), holder_constraint("enrolment")]

    def __str__(self):
        return f"{self.program} ({self.start_date})"

    def get_absolute_url(self):
        return reverse("contacts:programenrolment_detail", args=[self.pk])


class ServiceRecord(models.Model):
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="records"
    )
    client = target_fk("contacts.Client", "service_records", _("client"))
    partner = target_fk("contacts.Partner", "service_records", _("partner"))
    activity_number = models.CharField(
        _("activity number"),
        max_length=TEXT_MAX_LENGTH,
        unique=True,
        error_messages={"unique": _("This activity number is already used.")},
        help_text=_("A distinct number for each activity; ask your manager for the numbers."),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    created_by = owner_field("+", _("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = history_records()

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-start_date", "-pk"]
        constraints = [period_constraint("servicerecord"), holder_constraint("servicerecord")]

    def __str__(self):
        return f"{self.activity_number} {self.service}"

    def get_absolute_url(self):
        return reverse("contacts:servicerecord_detail", args=[self.pk])


class SAEFile(models.Model):
    """An employment-aid file (service d'aide à l'emploi) of a client."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")
        CLOSED = "closed", _("closed")

    file_identifier = models.CharField(
        _("file identifier"),
        max_length=TEXT_MAX_LENGTH,
        unique=True,
        error_messages={"unique": _("This file identifier is already used.")},
    )
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="sae_files"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    counsellor = owner_field("sae_files", _("counsellor"))
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    description = description_field()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = history_records(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("SAE employment-aid file")
        verbose_name_plural = _("SAE employment-aid files")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(closed_on__gte=models.F("opened_on")),
                name="saefile_closed_after_opened",
                violation_error_message=_("The closing date cannot be before the opening date."),
            )
        ]

    def __str__(self):
        return self.file_identifier

    def get_absolute_url(self):
        return reverse("contacts:saefile_detail", args=[self.pk])


# --- The agent's own things: favourites, recently viewed, saved filters, calendar settings ----


class Favourite(models.Model):
    """A record an agent starred. Records of several apps can be starred (clients, partners,
    contacts, requests, incidents…), so it names the record by content type and id."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourites"
    )
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    label = models.CharField(_("label"), max_length=TEXT_MAX_LENGTH)
    url = models.CharField(max_length=TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("favourite")
        verbose_name_plural = _("favourites")
        ordering = ["label", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="favourite_once_per_user"
            )
        ]

    def __str__(self):
        return self.label


class RecentView(models.Model):
    """A record an agent opened; the ten most recent are kept per agent."""

    KEEP = 10

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recent_views"
    )
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    label = models.CharField(_("label"), max_length=TEXT_MAX_LENGTH)
    url = models.CharField(max_length=TEXT_MAX_LENGTH)
    viewed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("recently viewed record")
        verbose_name_plural = _("recently viewed records")
        ordering = ["-viewed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="recentview_once_per_user"
            )
        ]
        indexes = [models.Index(fields=["user", "-viewed_at"], name="recentview_user_idx")]

    def __str__(self):
        return self.label


class SavedFilter(models.Model):
    """A list's filter saved under a name by an agent, re-applied in one click."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    list_name = models.CharField(_("list"), max_length=64)
    name = models.CharField(_("name"), max_length=120)
    query = models.CharField(_("filter"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "list_name", "name"],
                name="savedfilter_name_once_per_list",
                violation_error_message=_("You already have a filter with this name."),
            )
        ]

    def __str__(self):
        return self.name


class CalendarSettings(models.Model):
    """An agent's calendar choices: whether colleagues see it, and the secret of its private
    iCalendar feed (renewable)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_settings"
    )
    shared = models.BooleanField(
        _("share my calendar with my colleagues"),
        default=False,
        help_text=_("Colleagues then see your calls, meetings and to-dos in their calendar."),
    )
    feed_token = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("calendar settings")
        verbose_name_plural = _("calendar settings")

    def __str__(self):
        return str(self.user)


# --- Organisations on the portal (seed 003: the authorised members of an establishment) -------


class PartnerMembership(models.Model):
    """A portal account authorised for a partner: it files requests for the organisation and
    follows all of them; a manager also invites and removes members."""

    class Role(models.TextChoices):
        MEMBER = "member", _("member")
        MANAGER = "manager", _("manager")

    partner = models.ForeignKey(
        Partner, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("member since"), auto_now_add=True)
    history = history_records()

    class Meta:
        verbose_name = _("organisation member")
        verbose_name_plural = _("organisation members")
        ordering = ["partner", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "user"],
                name="membership_once_per_partner",
                violation_error_message=_("This account is already a member."),
            ),
        ]
        indexes = [models.Index(fields=["user", "partner"], name="membership_user_idx")]

    def __str__(self):
        return f"{self.user} — {self.partner} ({self.get_role_display()})"

    @property
    def is_manager(self) -> bool:
        return self.role == self.Role.MANAGER


class PartnerInvitation(models.Model):
    """An invitation, sent by e-mail with a signed link, to join an organisation; accepted once,
    by the account with that address."""

    partner = models.ForeignKey(
        Partner,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("e-mail address"), max_length=TEXT_MAX_LENGTH)
    role = models.CharField(
        _("role"),
        max_length=16,
        choices=PartnerMembership.Role.choices,
        default=PartnerMembership.Role.MEMBER,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["partner", "created_at"],
                name="invitation_pending_idx",
                condition=models.Q(accepted_at__isnull=True, cancelled_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.email} → {self.partner}"

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.cancelled_at is None
