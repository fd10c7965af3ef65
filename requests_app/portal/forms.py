from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from contacts.documents import allowed_types

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


class AttachmentForm(forms.Form):
    """A document added to the request; its content is checked by the service."""

    file = forms.FileField(label=_("Document"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Accepted: %(types)s; %(max)s at most.") % {
            "types": ", ".join(str(t.label) for t in allowed_types()),
            "max": filesizeformat(settings.DOCUMENT_MAX_BYTES),
        }
