"""What the e-mail channel keeps: the replies received (one row per message, so that a message
delivered twice lands once) and the files they brought."""

import uuid

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def attachment_upload_to(instance, filename: str) -> str:
    # A random name: the sender's file name is kept on the row, for the download only.
    return f"journal/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class InboundEmail(models.Model):
    """A reply by e-mail that landed in a thread as the comment ``entry``. Messages refused or
    ignored (forged token, auto-reply, loop) are logged, never stored."""

    message_id = models.CharField(_("message ID"), max_length=255, unique=True)
    entry = models.OneToOneField(
        "requests_app.JournalEntry",
        verbose_name=_("journal entry"),
        on_delete=models.CASCADE,
        related_name="inbound_email",
    )
    sender = models.EmailField(_("sender"), max_length=255)
    subject = models.CharField(pgettext_lazy("e-mail", "subject"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    # The attachments left out (type not accepted, too large…): name and why, for the agents.
    refused_files = models.JSONField(_("refused files"), default=list, blank=True)

    class Meta:
        verbose_name = _("e-mail received")
        verbose_name_plural = _("e-mails received")
        ordering = ["-received_at", "-pk"]

    def __str__(self):
        return self.message_id


class JournalAttachment(models.Model):
    """A file that came with a journal entry (an attachment of a reply by e-mail), checked by
    its content as the CRM's documents are (contacts/documents.py) and downloaded only through
    ``journal_files:download``."""

    entry = models.ForeignKey(
        "requests_app.JournalEntry",
        verbose_name=_("journal entry"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["entry", "pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("journal_files:download", args=[self.pk])
