import math

from allauth.account.internal.flows.email_verification import send_verification_email_for_user
from allauth.account.models import EmailAddress
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from . import throttle
from .errors import DomainError, NotAllowed
from .tasks import password_reset_mail_send


class ThrottledLoginMixin:
    """Refuse a login that crm.throttle forbids before any password is checked; count failures.

    A refused attempt never reaches the password check, so it tells nothing about the password;
    it is answered by the lock-out page (429), the same for an existing and an unknown account.
    """

    throttled_message = ngettext_lazy(
        "Too many attempts: try again in %(minutes)s minute.",
        "Too many attempts: try again in %(minutes)s minutes.",
        "minutes",
    )

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if self.request is None or username is None or not password:
            return super().clean()
        refused_for = throttle.login_refused_for(request=self.request, username=username)
        if refused_for:
            throttle.mark_locked_out(self.request, refused_for)
            raise ValidationError(
                self.throttled_message,
                code="throttled",
                params={"minutes": max(1, math.ceil(refused_for / 60))},
            )
        try:
            return super().clean()
        except ValidationError:
            if self.user_cache is None:
                throttle.login_failed(request=self.request, username=username)
            raise


def awaits_email_verification(user) -> bool:
    """Whether ``user`` signed up on the portal and has not confirmed its address yet.

    Accounts made by an administrator (or before sign-up existed) have no address row: they log
    in as before.
    """
    rows = list(EmailAddress.objects.filter(user_id=user.pk).values_list("verified", flat=True))
    return bool(rows) and not any(rows)


class LoginForm(ThrottledLoginMixin, auth_forms.AuthenticationForm):
    """The login form of everyone (agents and citizens): the e-mail address is the user name.

    A citizen account whose address is not confirmed is refused, with a new link sent (at most
    one every few minutes, allauth's ``confirm_email`` limit).
    """

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _("The e-mail address or the password is incorrect. Please try again."),
        "unverified": _(
            "Your e-mail address is not confirmed yet. Open the link sent to it: a new one has "
            "just been sent if the last one is more than a few minutes old."
        ),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if awaits_email_verification(user):
            if self.request is not None:
                send_verification_email_for_user(self.request, user)
            raise ValidationError(self.error_messages["unverified"], code="unverified")


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The admin's login form, under the same throttle as the portal's."""


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Sends at most the throttle's allowance, after commit, from the worker.

    Whatever happens (unknown address, limit reached), the view answers the same page.
    """

    def save(self, *args, request=None, **kwargs):
        email = self.cleaned_data["email"]
        if not throttle.password_reset_allowed(request=request, email=email):
            return
        with transaction.atomic():
            super().save(*args, request=request, **kwargs)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        # The worker makes the link again from the account's id: no live token in the broker.
        message = {
            "domain": context["domain"],
            "site_name": context["site_name"],
            "protocol": context["protocol"],
            "subject_template_name": subject_template_name,
            "email_template_name": email_template_name,
            "html_email_template_name": html_email_template_name,
            "from_email": from_email,
        }
        user_id = context["user"].pk
        transaction.on_commit(lambda: password_reset_mail_send.delay(user_id, **message))


def submit(form, call) -> bool:
    """Run ``call(form.cleaned_data)`` when ``form`` is valid; True when the service did it.

    A refusal (``NotAllowed``) is a 403. A domain error becomes the form's own error, so the page
    shows it beside what was typed. The view only says what success leads to.
    """
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        form.add_error(None, error.message)
        return False
    return True
