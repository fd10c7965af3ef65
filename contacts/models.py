"""The person served: a Client, with an optional portal account."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from crm.history import history_records

TEXT_MAX_LENGTH = 255


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
    history = history_records(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["last_name", "first_name", "pk"]
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

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
