from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import CharField, Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .history import history_records
from .permissions import can_read_backoffice


def email_matches(email: str) -> Exact:
    """The condition "this account's e-mail is ``email``, whatever the case", as the unique
    index on Lower(email) answers it."""
    return Exact(Lower("email"), Lower(Value(email, output_field=CharField())))


def user_display_name(first_name: str, last_name: str, email: str) -> str:
    """What ``str(user)`` shows, from its three columns: for list rows read without building a
    user."""
    return f"{first_name} {last_name}".strip() or email


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # E-mail addresses are compared without case: "Ana@X.org" and "ana@x.org" are one login.
        # Lower(email) = lower(typed) is what the unique index crm_user_email_ci_unique holds, so
        # the lookup is an index scan; ``email__iexact`` compares UPPER() and scans every user.
        return self.get(email_matches(username))


class User(AbstractUser):
    """A person who logs in: citizen, agent, administrator or manager (roles are groups)."""

    class Language(models.TextChoices):
        FRENCH = "fr", _("French")
        ENGLISH = "en", _("English")

    class Theme(models.TextChoices):
        LIGHT = "light", _("Light")
        DARK = "dark", _("Dark")

    class Density(models.TextChoices):
        COMFORTABLE = "comfortable", _("Comfortable")
        COMPACT = "compact", _("Compact")

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.FRENCH
    )
    theme = models.CharField(
        _("colour theme"), max_length=16, choices=Theme.choices, default=Theme.LIGHT
    )
    density = models.CharField(
        _("density"), max_length=16, choices=Density.choices, default=Density.COMFORTABLE
    )
    history = history_records(excluded_fields=["password", "last_login"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="crm_user_email_ci_unique"),
        ]
        permissions = [
            ("access_backoffice", _("Can use the agent back office")),
            ("act_in_backoffice", _("Can change things in the agent back office")),
            ("view_reports", _("Can read dashboards and reports")),
        ]

    def __str__(self):
        return user_display_name(self.first_name, self.last_name, self.email)

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    @property
    def is_backoffice_user(self) -> bool:
        return can_read_backoffice(self)


class AssignmentGroup(models.Model):
    """A team that owns a queue of work (e.g. "Technologues")."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        related_name="assignment_groups",
        blank=True,
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead"),
        on_delete=models.PROTECT,
        related_name="led_groups",
        null=True,
        blank=True,
    )
    escalation_group = models.ForeignKey(
        "self",
        verbose_name=_("escalation group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="escalated_from",
        help_text=_("Group that receives this group's work when it is escalated."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = history_records(m2m_fields=[members])

    class Meta:
        verbose_name = _("assignment group")
        verbose_name_plural = _("assignment groups")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(escalation_group=models.F("id")),
                name="crm_assignmentgroup_not_own_escalation",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("agent:group_detail", args=[self.pk])


class Notification(models.Model):
    """An in-app message for one user; the bell shows the unread ones."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                name="crm_notif_unread_idx",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
