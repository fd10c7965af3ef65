"""The catalogue: themes and request types (e-services), and each type's procedure page on the
portal (fiche démarche): its steps, documents to provide, launch buttons, contacts and links."""

import os
import uuid

from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from crm.history import history_records

# The icons a tile may show (Bootstrap Icons names, vendored): a short list keeps the catalogue
# consistent and every choice known to exist.
ICONS = [
    ("file-earmark-text", _("document")),
    ("mortarboard", _("education")),
    ("camera-video", _("video")),
    ("record-circle", _("recording")),
    ("easel", _("teaching")),
    ("book", _("book")),
    ("tools", _("works")),
    ("hammer", _("repairs")),
    ("pc-display", _("computers")),
    ("cash-coin", _("financial aid")),
    ("bus-front", _("transport")),
    ("tree", _("environment")),
    ("building", _("building")),
    ("house", _("housing")),
    ("people", _("people")),
    ("calendar-event", _("event")),
    ("heart-pulse", _("health")),
    ("bicycle", _("sport")),
    ("palette", _("culture")),
    ("briefcase", _("employment")),
]
DEFAULT_ICON = "file-earmark-text"


class Theme(models.Model):
    """Groups e-services in the catalogue (thématique)."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = history_records(translated=("name", "description"))

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class RequestType(models.Model):
    """What can be asked for (téléservice, démarche; for the faculty, a teaching approach)."""

    code = models.SlugField(
        _("code"),
        max_length=32,
        unique=True,
        allow_unicode=False,
        help_text=_("Short unique code used by imports and the API, e.g. SYNC."),
    )
    name = models.CharField(_("name"), max_length=255)
    theme = models.ForeignKey(
        Theme,
        verbose_name=_("theme"),
        on_delete=models.PROTECT,
        related_name="request_types",
        null=True,
        blank=True,
    )
    description = models.TextField(_("description"), blank=True)
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
    calendar = models.ForeignKey(
        "requests_app.BusinessCalendar",
        verbose_name=_("business calendar"),
        on_delete=models.PROTECT,
        related_name="request_types",
        null=True,
        blank=True,
        help_text=_(
            "The working days on which the due dates of its tasks are counted. Empty: the "
            "default calendar."
        ),
    )
    # The portal: whether citizens see it, where, and its procedure page's own text.
    published = models.BooleanField(
        _("published on the portal"),
        default=False,
        help_text=_("Shown in the citizens' catalogue, with its procedure page (if also active)."),
    )
    slug = models.SlugField(
        _("address on the portal"),
        max_length=64,
        unique=True,
        blank=True,
        help_text=_(
            "Address of the procedure page: /services/ followed by this. Empty: made from the code."
        ),
    )
    icon = models.CharField(_("icon"), max_length=40, choices=ICONS, default=DEFAULT_ICON)
    summary = models.TextField(
        _("summary"),
        max_length=600,
        blank=True,
        help_text=_("What is offered, in one or two sentences: on the tile and atop the page."),
    )
    eligibility = models.TextField(
        _("eligibility"),
        blank=True,
        help_text=_("Who may ask. One criterion per line becomes a list."),
    )
    processing_time = models.CharField(
        _("processing time"),
        max_length=120,
        blank=True,
        help_text=_("For example: answer within 10 business days."),
    )
    history = history_records(
        translated=("name", "description", "summary", "eligibility", "processing_time")
    )

    class Meta:
        verbose_name = _("request type")
        verbose_name_plural = _("request types")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.name}"

    def save(self, *args, **kwargs):
        self.code = self.code.upper()
        if not self.slug:
            self.slug = slugify(self.code)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("portal:procedure", kwargs={"slug": self.slug})


class ProcedureItem(models.Model):
    """A line of a procedure page, in the order the administrator dragged it to."""

    request_type = models.ForeignKey(
        RequestType, verbose_name=_("request type"), on_delete=models.CASCADE
    )
    position = models.PositiveIntegerField(_("position"), default=0, db_index=True)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]


class ProcedureStep(ProcedureItem):
    """How it works: one step of the procedure, as the citizen lives it."""

    title = models.CharField(_("title"), max_length=255)
    text = models.TextField(_("text"), blank=True)

    class Meta(ProcedureItem.Meta):
        verbose_name = _("step")
        verbose_name_plural = _("how it works (steps)")
        default_related_name = "procedure_steps"

    def __str__(self):
        return self.title


def template_upload_to(instance, filename):
    # The stored name never reuses what the administrator's file was called.
    return f"procedures/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class ProcedureDocument(ProcedureItem):
    """A document to provide, with an optional template to download before starting."""

    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    template = models.FileField(
        _("template to download"),
        upload_to=template_upload_to,
        max_length=255,
        blank=True,
        help_text=_(
            "Optional. PDF, office document, image, text or CSV; checked from its content."
        ),
    )
    # Set when the template is uploaded, from what its content is (catalogue.services).
    template_name = models.CharField(_("template file name"), max_length=255, blank=True)
    template_content_type = models.CharField(_("template type"), max_length=120, blank=True)
    template_size = models.PositiveBigIntegerField(_("template size"), null=True, blank=True)

    class Meta(ProcedureItem.Meta):
        verbose_name = _("document to provide")
        verbose_name_plural = _("documents to provide")
        default_related_name = "procedure_documents"

    def __str__(self):
        return self.name

    @property
    def template_extension(self) -> str:
        """The kind of the template, as its name ends (PDF, DOCX…)."""
        return os.path.splitext(self.template_name)[1].lstrip(".").upper()


class LaunchButton(ProcedureItem):
    """A button that starts the request's form; several let people pick their case."""

    label = models.CharField(_("label"), max_length=120)
    description = models.CharField(
        _("for whom"),
        max_length=255,
        blank=True,
        help_text=_("Optional line under the button, e.g. for schools."),
    )
    variant = models.SlugField(
        _("variant"),
        max_length=40,
        blank=True,
        help_text=_("Optional key given to the form (?variant=…), e.g. to pre-select a case."),
    )

    class Meta(ProcedureItem.Meta):
        verbose_name = _("launch button")
        verbose_name_plural = _("launch buttons")
        default_related_name = "launch_buttons"

    def __str__(self):
        return self.label


class ProcedureContact(ProcedureItem):
    """Whom to ask about the procedure."""

    name = models.CharField(_("name"), max_length=255)
    role = models.CharField(_("role"), max_length=255, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    hours = models.CharField(_("hours"), max_length=255, blank=True)

    class Meta(ProcedureItem.Meta):
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        default_related_name = "procedure_contacts"

    def __str__(self):
        return self.name


class ProcedureLink(ProcedureItem):
    """A link to a FAQ, terms of use or any page that helps (http or https only)."""

    label = models.CharField(_("label"), max_length=255)
    url = models.URLField(
        _("address"), max_length=500, validators=[URLValidator(schemes=["http", "https"])]
    )

    class Meta(ProcedureItem.Meta):
        verbose_name = _("link (FAQ, terms…)")
        verbose_name_plural = _("links (FAQ, terms…)")
        default_related_name = "procedure_links"

    def __str__(self):
        return self.label
