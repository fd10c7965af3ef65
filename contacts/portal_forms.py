from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import TEXT_MAX_LENGTH, PartnerMembership


class ProfileForm(forms.Form):
    """What a citizen keeps up to date about themselves (their Client record)."""

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
    phone = forms.CharField(
        label=_("Phone"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    street = forms.CharField(
        label=_("Street address"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    street_2 = forms.CharField(
        label=_("Address line 2"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    city = forms.CharField(
        label=_("City"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    region = forms.CharField(
        label=_("Province or region"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level1"}),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    country = forms.CharField(
        label=_("Country"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "country-name"}),
    )
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of the person to invite"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=PartnerMembership.Role.choices,
        initial=PartnerMembership.Role.MEMBER,
        help_text=_("A manager also invites and removes members."),
    )
