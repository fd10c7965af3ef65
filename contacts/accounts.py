"""Citizen accounts made on the portal (django-allauth): the sign-up form and the adapter that
turns a confirmed address into a Client.

- Sign-up asks for the person's names, e-mail address and password; the account gets the
  Citizen role and the language of the page it signed up on. It cannot log in until its address
  is confirmed (``ACCOUNT_EMAIL_VERIFICATION = "mandatory"``, and crm.forms.LoginForm refuses
  an unconfirmed account).
- Confirming the address links the account to the Client with that address (a teacher known
  from a course grid, a person helped at the counter) or creates one
  (``contacts.services.client_for_user``), and then a pending invitation to an organisation, if
  the link came with one, is accepted (contacts.organisations).
"""

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from crm import roles
from crm.models import User

from .models import TEXT_MAX_LENGTH
from .organisations import invitation_accept_pending
from .services import client_for_user


class SignupForm(forms.Form):
    """What allauth's sign-up form asks besides e-mail and password
    (``ACCOUNT_SIGNUP_FORM_CLASS``)."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    field_order = ["first_name", "last_name", "email", "password1", "password2"]

    def signup(self, request, user):
        """allauth calls it once the account is saved; the adapter did the work."""


def _model_backend() -> str:
    """The dotted path of the first model backend in ``AUTHENTICATION_BACKENDS``."""
    for path in settings.AUTHENTICATION_BACKENDS:
        backend = import_string(path)
        if isinstance(backend, type) and issubclass(backend, ModelBackend):
            return path
    raise LookupError("AUTHENTICATION_BACKENDS lists no model backend")


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user.language = translation.get_language() or User.Language.FRENCH
        if user.language not in User.Language.values:
            user.language = User.Language.FRENCH
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=commit)
            if commit:
                user.groups.add(Group.objects.get(name=roles.CITIZEN))
        return user

    def login(self, request, user):
        # The session remembers the model backend listed in the settings: allauth would
        # otherwise pick the first backend listed, django-axes', which finds no user from a
        # session; and a backend not listed there logs the person out on the next page.
        user.backend = _model_backend()
        super().login(request, user)

    def confirm_email(self, request, email_address) -> bool:
        """The address is the person's: the account gets its Client, and the invitation it
        signed up through, if any, makes it a member of the organisation."""
        with transaction.atomic():
            confirmed = super().confirm_email(request, email_address)
            user = email_address.user
            if confirmed and user.email.lower() == email_address.email.lower():
                client_for_user(user=user)
                if request is not None:
                    invitation_accept_pending(request=request, user=user)
        return confirmed
