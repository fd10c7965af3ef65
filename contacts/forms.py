"""The client part of the agents' forms: pick a client found by the search box, or type a new
one's names, e-mail and phone in the same form."""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from crm.errors import DomainError, NotAllowed
from crm.models import User

from .models import TEXT_MAX_LENGTH, Client
from .services import client_create

T = TypeVar("T")

NAME_MAX_LENGTH = 150
SEARCH_MAX_LENGTH = 100


class ClientSearchForm(forms.Form):
    q = forms.CharField(max_length=SEARCH_MAX_LENGTH, required=False, strip=True)

    def clean_q(self):
        q = self.cleaned_data["q"]
        if "\x00" in q:
            raise ValidationError(_("The search contains a character that is not allowed."))
        return q


class ClientChoiceForm(forms.Form):
    """A base for forms that say who the request or incident is for."""

    NEW_CLIENT_FIELDS = ("new_first_name", "new_last_name", "new_email", "new_phone")
    CLIENT_FIELDS = ("client_q", "client", *NEW_CLIENT_FIELDS)

    client_q = forms.CharField(
        label=_("Find a client"),
        max_length=SEARCH_MAX_LENGTH,
        required=False,
        help_text=_("Type a name, an e-mail address or a phone number, then pick the person."),
    )
    client = forms.ModelChoiceField(
        label=_("Client"),
        queryset=Client.objects.all(),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("This client no longer exists: search again.")},
    )
    new_first_name = forms.CharField(
        label=_("First name"), max_length=NAME_MAX_LENGTH, required=False
    )
    new_last_name = forms.CharField(
        label=_("Last name"), max_length=NAME_MAX_LENGTH, required=False
    )
    new_email = forms.EmailField(
        label=_("E-mail address"), max_length=TEXT_MAX_LENGTH, required=False
    )
    new_phone = forms.CharField(label=_("Phone"), max_length=30, required=False)

    def clean(self):
        cleaned = super().clean()
        picked = cleaned.get("client")
        typed = {name: cleaned.get(name) for name in self.NEW_CLIENT_FIELDS}
        has_new = any(typed.values())
        if any(name in self.errors for name in ("client", *self.NEW_CLIENT_FIELDS)):
            return cleaned
        if picked is not None and has_new:
            raise ValidationError(
                _("Either pick a client from the search or type a new one, not both.")
            )
        if picked is None and not has_new:
            raise ValidationError(_("Say who this is for: pick a client or type a new one."))
        if picked is None:
            if not typed["new_first_name"] or not typed["new_last_name"]:
                raise ValidationError(_("A new client needs a first name and a last name."))
            email = (typed["new_email"] or "").strip().lower()
            if email and Client.objects.alias(e=Lower("email")).filter(e=email).exists():
                self.add_error(
                    "new_email",
                    _("A client already has this e-mail address: find them with the search."),
                )
        return cleaned

    @cached_property
    def picked(self) -> list[Client]:
        """The client picked in the search results, as a list of one (or none), to show it again
        when the form comes back with errors."""
        if self.is_bound:
            value = self.data.get(self.add_prefix("client"))
            # isascii: "²".isdigit() is true but int("²") fails.
            if value and str(value).isascii() and str(value).isdigit():
                return list(Client.objects.filter(pk=int(value)))
        return []

    def client_for(self, *, by: User) -> Client:
        """The picked client, or the new one created now (call inside the caller's
        transaction, after ``is_valid``)."""
        if self.cleaned_data.get("client") is not None:
            return self.cleaned_data["client"]
        return client_create(
            by=by,
            first_name=self.cleaned_data["new_first_name"],
            last_name=self.cleaned_data["new_last_name"],
            email=self.cleaned_data["new_email"] or None,
            phone=self.cleaned_data["new_phone"],
        )

    def create_for_client(self, *, by: User, create: Callable[[Client], T]) -> T | None:
        """In one transaction, the client (picked or new) then ``create(client)``: a request or
        an incident filed for them. A refusal raises ``PermissionDenied``; a domain or
        validation error becomes a form error (nothing is written) and None is returned."""
        try:
            with transaction.atomic():
                return create(self.client_for(by=by))
        except NotAllowed as error:
            raise PermissionDenied(error.message) from error
        except DomainError as error:
            self.add_error(None, error.message)
        except ValidationError as error:
            self.add_error(None, error.messages)
        return None
