"""The catalogue: themes and request types (e-services)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.history import history_records


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
    history = history_records(translated=("name", "description"))

    class Meta:
        verbose_name = _("request type")
        verbose_name_plural = _("request types")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.name}"

    def save(self, *args, **kwargs):
        self.code = self.code.upper()
        super().save(*args, **kwargs)
