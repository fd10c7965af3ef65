"""Template helpers of the documents' fragment (templates/contacts/documents/)."""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from contacts.models import Client, Contact, Partner

register = template.Library()

TARGET_PARAMS = {Client: "client", Contact: "contact", Partner: "partner"}


@register.simple_tag
def document_create_url(target) -> str:
    """The upload form, already linked to ``target`` (a client, contact or partner)."""
    url = reverse("contacts:document_create")
    param = TARGET_PARAMS.get(type(target))
    if param is None or target.pk is None:
        return url
    return f"{url}?{urlencode({param: target.pk})}"
