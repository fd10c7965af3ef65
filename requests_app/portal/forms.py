from django import forms
from django.utils.translation import gettext_lazy as _

# A message or a reason is a few paragraphs; the cap keeps a pasted book out of the journal.
TEXT_MAX_LENGTH = 5000


class MessageForm(forms.Form):
    """A message from the citizen to the agents, added to the request's thread."""

    body = forms.CharField(
        label=_("Your message"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you cancel it? (optional)"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
