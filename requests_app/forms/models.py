"""The form factory (seed 003, « usine à formulaires »): one form per request type, made of
ordered steps and fields with display conditions, published as frozen versions.

A request keeps the version it was filled with (``FormSubmission.version``): the form may change
afterwards, its older answers are still read under the labels they were given under.
"""

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.documents import KNOWN_TYPES
from crm.history import history_records

# A field's key names its answer in ``ServiceRequest.form_data``: lower-case letters, digits and
# underscores, as a reader of the data (an export, the API) expects.
KEY_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9_]{0,49}$",
    _("Lower-case letters, digits and underscores, starting with a letter (50 at most)."),
)


class FieldKind(models.TextChoices):
    TEXT = "text", _("text")
    LONG_TEXT = "long_text", _("long text")
    NUMBER = "number", _("number")
    DATE = "date", _("date")
    EMAIL = "email", _("e-mail address")
    PHONE = "phone", _("phone number")
    SINGLE_CHOICE = "single_choice", _("single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("multiple choice")
    CHECKBOX = "checkbox", _("checkbox")
    FILE = "file", _("file")
    ADDRESS = "address", _("postal address")
    CONSENT = "consent", _("consent")


class Prefill(models.TextChoices):
    """Where "tell us once" finds a field's answer before the person types it."""

    NONE = "", _("nothing")
    FIRST_NAME = "first_name", _("first name of the person")
    LAST_NAME = "last_name", _("last name of the person")
    FULL_NAME = "full_name", _("full name of the person")
    EMAIL = "email", _("e-mail address of the person")
    PHONE = "phone", _("phone of the person")
    ADDRESS = "address", _("postal address of the person")
    ORGANISATION = "organisation", _("name of the person's organisation")
    ORGANISATION_ADDRESS = "organisation_address", _("postal address of the organisation")


class FormDefinition(models.Model):
    """The form of one request type, as the administrator edits it. What citizens fill is its
    latest published version."""

    request_type = models.OneToOneField(
        "requests_app.RequestType",
        verbose_name=_("request type"),
        on_delete=models.CASCADE,
        related_name="form_definition",
    )
    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("Shown above the first step: what the person needs before starting."),
    )
    allows_anonymous = models.BooleanField(
        _("may be filed without an account"),
        default=False,
        help_text=_(
            "The person confirms their e-mail address through a link, then receives a link to "
            "follow the request."
        ),
    )
    prefill_from_last_request = models.BooleanField(
        _("pre-fill from the last request of this type"),
        default=True,
        help_text=_("Answers of the person's previous request of this type are offered again."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = history_records(translated=("intro",), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")
        ordering = ["request_type__code"]

    def __str__(self):
        return str(self.request_type)


class Conditional(models.Model):
    """Shown only when another field of the form has a given answer."""

    condition_field = models.ForeignKey(
        "requests_app.FormField",
        verbose_name=_("shown when the field"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    condition_value = models.CharField(
        _("has the answer"),
        max_length=255,
        blank=True,
        help_text=_(
            "The value of a choice, or yes / no for a checkbox. A multiple choice matches when "
            "the value is among the ticked ones."
        ),
    )

    class Meta:
        abstract = True


class FormStep(Conditional):
    form = models.ForeignKey(
        FormDefinition, verbose_name=_("form"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveIntegerField(_("position"), default=0, db_index=True)
    title = models.CharField(_("title"), max_length=255)
    help_text = models.TextField(
        _("help for this step"), blank=True, help_text=_("Contextual help shown beside the step.")
    )

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title

    def clean(self):
        condition = self.condition_field
        if condition is not None and self.form_id is not None:
            if condition.form_id != self.form_id:
                raise ValidationError({"condition_field": _("Pick a field of this form.")})
            if condition.step_id == self.pk or (
                condition.step.position,
                condition.step_id or 0,
            ) >= (self.position, self.pk or 0):
                raise ValidationError(
                    {"condition_field": _("A step depends on a field of an earlier step.")}
                )


class FormField(Conditional):
    form = models.ForeignKey(
        FormDefinition, verbose_name=_("form"), on_delete=models.CASCADE, related_name="fields"
    )
    step = models.ForeignKey(
        FormStep, verbose_name=_("step"), on_delete=models.CASCADE, related_name="fields"
    )
    position = models.PositiveIntegerField(_("position"), default=0, db_index=True)
    key = models.CharField(
        _("key"),
        max_length=50,
        validators=[KEY_VALIDATOR],
        help_text=_("Names the answer in the request's data, e.g. street_number."),
    )
    label = models.CharField(_("label"), max_length=255)
    kind = models.CharField(_("type"), max_length=20, choices=FieldKind.choices)
    required = models.BooleanField(_("required"), default=False)
    help_text = models.TextField(_("help text"), blank=True)
    choices = models.TextField(
        _("choices"),
        blank=True,
        help_text=_(
            "One choice a line, as value|label (e.g. tree|A fallen tree). The values are the "
            "same in every language; the labels are translated."
        ),
    )
    pattern = models.CharField(
        _("pattern"),
        max_length=255,
        blank=True,
        help_text=_("A regular expression the whole answer must match, e.g. [A-Z][0-9][A-Z]."),
    )
    pattern_message = models.CharField(
        _("message when the pattern does not match"), max_length=255, blank=True
    )
    min_value = models.DecimalField(
        _("minimum"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Number: smallest value. Text: fewest characters. Multiple choice: fewest ticks."
        ),
    )
    max_value = models.DecimalField(
        _("maximum"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Number: largest value. Text: most characters. Multiple choice: most ticks."),
    )
    file_types = models.CharField(
        _("accepted file types"),
        max_length=255,
        blank=True,
        help_text=_("Extensions separated by commas, e.g. pdf, jpg, png. Empty: PDF and images."),
    )
    max_file_size_kb = models.PositiveIntegerField(
        _("largest file (KB)"), null=True, blank=True, help_text=_("Empty: 5,000 KB.")
    )
    prefill = models.CharField(
        _("pre-filled with"), max_length=32, choices=Prefill.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "key"],
                name="form_field_key_unique",
                violation_error_message=_("Another field of this form has this key."),
            )
        ]

    def __str__(self):
        return f"{self.label} ({self.key})"

    def clean(self):
        errors = {}
        if (
            self.step_id is not None
            and self.form_id is not None
            and self.step.form_id != self.form_id
        ):
            errors["step"] = _("Pick a step of this form.")
        choices = [line for line in (self.choices or "").splitlines() if line.strip()]
        if self.kind in (FieldKind.SINGLE_CHOICE, FieldKind.MULTIPLE_CHOICE) and not choices:
            errors["choices"] = _("A choice field needs at least one choice.")
        if self.pattern:
            try:
                re.compile(self.pattern)
            except re.error:
                errors["pattern"] = _("This is not a valid regular expression.")
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            errors["max_value"] = _("The maximum is below the minimum.")
        if self.file_types:
            unknown = [ext for ext in split_extensions(self.file_types) if ext not in KNOWN_TYPES]
            if unknown:
                errors["file_types"] = _("Unknown file types: %(types)s. Known: %(known)s.") % {
                    "types": ", ".join(unknown),
                    "known": ", ".join(KNOWN_TYPES),
                }
        condition = self.condition_field
        if condition is not None:
            if condition.form_id != self.form_id:
                errors["condition_field"] = _("Pick a field of this form.")
            elif condition.pk == self.pk:
                errors["condition_field"] = _("A field cannot depend on itself.")
        if errors:
            raise ValidationError(errors)


def split_extensions(text: str) -> list[str]:
    return [
        part.strip().lower().lstrip(".")
        for part in (text or "").replace(";", ",").split(",")
        if part.strip()
    ]


class FormVersion(models.Model):
    """A published, frozen copy of a form: its steps, fields and conditions in both languages
    (``snapshot``, read by ``engine``). Never modified once written."""

    form = models.ForeignKey(
        FormDefinition, verbose_name=_("form"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("snapshot"))
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        ordering = ["form", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="form_version_unique")
        ]

    def __str__(self):
        return f"{self.form} v{self.number}"


def new_token() -> str:
    return uuid.uuid4().hex


class FormDraft(models.Model):
    """What a person typed so far, kept to resume later: one per person and request type."""

    client = models.ForeignKey(
        "contacts.Client",
        verbose_name=_("client"),
        on_delete=models.CASCADE,
        related_name="form_drafts",
    )
    request_type = models.ForeignKey(
        "requests_app.RequestType",
        verbose_name=_("request type"),
        on_delete=models.CASCADE,
        related_name="form_drafts",
    )
    version = models.ForeignKey(
        FormVersion, verbose_name=_("form version"), on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(_("answers"), default=dict, blank=True)
    # The furthest step reached (1-based): a step beyond it is not opened by typing its URL.
    reached = models.PositiveSmallIntegerField(_("step reached"), default=1)
    # Sent with the last step; a second POST with the same one finds the request made by the first.
    token = models.CharField(_("submission token"), max_length=32, default=new_token)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("form draft")
        verbose_name_plural = _("form drafts")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "request_type"], name="form_draft_one_per_client_type"
            )
        ]

    def __str__(self):
        return f"{self.request_type} — {self.client}"


class FormSubmission(models.Model):
    """One filing of a form: the version it was filled with and the request it made.

    Filed without an account, it waits (``request`` empty) until the person confirms their
    e-mail address through the signed link sent to it. The unique ``token`` makes filing
    idempotent: a retried POST finds the row of the first one.
    """

    token = models.CharField(_("submission token"), max_length=32, unique=True)
    version = models.ForeignKey(
        FormVersion,
        verbose_name=_("form version"),
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    request = models.OneToOneField(
        "requests_app.ServiceRequest",
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="form_submission",
        null=True,
        blank=True,
    )
    email = models.EmailField(_("e-mail address to confirm"), max_length=255, blank=True)
    data = models.JSONField(_("answers"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        ordering = ["-created_at"]

    def __str__(self):
        return self.token


def form_document_upload_to(instance, filename):
    # Never the uploader's name: a random one under the month.
    return f"form-documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class FormDocument(models.Model):
    """A file given in a form's file field. Until the request is filed it belongs to the person
    drafting it (``client``) or, filed without an account, to the pending submission."""

    request = models.ForeignKey(
        "requests_app.ServiceRequest",
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="form_documents",
        null=True,
        blank=True,
    )
    client = models.ForeignKey(
        "contacts.Client",
        verbose_name=_("client"),
        on_delete=models.CASCADE,
        related_name="form_documents",
        null=True,
        blank=True,
    )
    field_key = models.CharField(_("field"), max_length=50)
    file = models.FileField(_("file"), upload_to=form_document_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("form document")
        verbose_name_plural = _("form documents")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("portal:form_document", args=[self.pk])
