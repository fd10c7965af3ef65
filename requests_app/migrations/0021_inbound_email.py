"""E-mail as a channel (requests_app/mail): a journal entry may be written by a requester
without an account (``author_client``), is claimed when mailed (``emailed_at``) and counts its
files (``attachment_count``); replies received (``InboundEmail``, one per Message-ID) and their
files (``JournalAttachment``); the "new reply" mark of requests and incidents; the beat task
that polls the IMAP mailbox (*Inbound e-mail*, every minute; it does nothing without
``IMAP_HOST``)."""

import json

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import requests_app.mail.models

TASK_NAME = "Inbound e-mail"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "requests_app.tasks.inbound_email_poll",
            "interval": every_minute,
            "kwargs": json.dumps({}),
            "enabled": True,
        },
    )


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0001_initial"),
        ("django_celery_beat", "0001_initial"),
        ("requests_app", "0020_request_organisation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="servicerequest",
            name="unread_reply_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="unread reply"
            ),
        ),
        migrations.AddField(
            model_name="incident",
            name="unread_reply_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="unread reply"
            ),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="author",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="journal_entries",
                to=settings.AUTH_USER_MODEL,
                verbose_name="author",
            ),
        ),
        migrations.AddField(
            model_name="journalentry",
            name="author_client",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="journal_entries",
                to="contacts.client",
                verbose_name="author (requester)",
            ),
        ),
        migrations.AddField(
            model_name="journalentry",
            name="emailed_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="e-mailed"
            ),
        ),
        migrations.AddField(
            model_name="journalentry",
            name="attachment_count",
            field=models.PositiveSmallIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.AddConstraint(
            model_name="journalentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("author__isnull", False), ("author_client__isnull", False), _connector="OR"),
                name="journal_has_an_author",
            ),
        ),
        migrations.CreateModel(
            name="InboundEmail",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("message_id", models.CharField(max_length=255, unique=True, verbose_name="message ID")),
                ("sender", models.EmailField(max_length=255, verbose_name="sender")),
                ("subject", models.CharField(blank=True, max_length=255, verbose_name="subject")),
                ("received_at", models.DateTimeField(auto_now_add=True, verbose_name="received")),
                ("refused_files", models.JSONField(blank=True, default=list, verbose_name="refused files")),
                (
                    "entry",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="inbound_email",
                        to="requests_app.journalentry",
                        verbose_name="journal entry",
                    ),
                ),
            ],
            options={
                "verbose_name": "e-mail received",
                "verbose_name_plural": "e-mails received",
                "ordering": ["-received_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="JournalAttachment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("file", models.FileField(max_length=255, upload_to=requests_app.mail.models.attachment_upload_to, verbose_name="file")),
                ("original_name", models.CharField(max_length=255, verbose_name="file name")),
                ("content_type", models.CharField(blank=True, max_length=255, verbose_name="content type")),
                ("size", models.PositiveBigIntegerField(default=0, verbose_name="size (bytes)")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="requests_app.journalentry",
                        verbose_name="journal entry",
                    ),
                ),
            ],
            options={
                "verbose_name": "attachment",
                "verbose_name_plural": "attachments",
                "ordering": ["entry", "pk"],
            },
        ),
        migrations.RunPython(schedule, unschedule),
    ]
