"""The daily beat task that deletes old read notifications (crm.retention)."""

import json

from django.db import migrations


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_day, _ = IntervalSchedule.objects.get_or_create(every=1, period="days")
    PeriodicTask.objects.get_or_create(
        name="Notification retention",
        defaults={
            "task": "crm.tasks.notifications_purge",
            "interval": every_day,
            "kwargs": json.dumps({}),
            "enabled": True,
        },
    )


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name="Notification retention").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0005_act_in_backoffice"),
        ("django_celery_beat", "0001_initial"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
