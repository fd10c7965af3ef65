import json
from datetime import time

from django.db import migrations

from crm.roles import ADMINISTRATOR, AGENT, MANAGER, grant


def seed(apps, schema_editor):
    BusinessCalendar = apps.get_model("requests_app", "BusinessCalendar")
    OpeningSlot = apps.get_model("requests_app", "OpeningSlot")
    SLAPolicy = apps.get_model("requests_app", "SLAPolicy")
    EscalationLevel = apps.get_model("requests_app", "EscalationLevel")
    calendar, created = BusinessCalendar.objects.get_or_create(
        name="Faculté",
        defaults={"time_zone": "America/Montreal", "country": "CA", "subdivision": "QC"},
    )
    if created:
        OpeningSlot.objects.bulk_create(
            OpeningSlot(calendar=calendar, weekday=day, opens=time(8, 30), closes=time(16, 30))
            for day in range(5)
        )
    policy, created = SLAPolicy.objects.get_or_create(
        name="Demandes d'aide — défaut",
        defaults={
            "calendar": calendar,
            "response_value": 8,
            "response_unit": "hours",
            "resolution_value": 3,
            "resolution_unit": "days",
            "pause_statuses": ["awaiting_requester"],
        },
    )
    if created:
        EscalationLevel.objects.bulk_create([
            EscalationLevel(policy=policy, percent=50, notify_assignee=True),
            EscalationLevel(policy=policy, percent=75, notify_assignee=True,
                            notify_group_lead=True),
            EscalationLevel(policy=policy, percent=100, notify_assignee=True,
                            notify_group_lead=True, notify_escalation_group=True,
                            raise_priority=True),
        ])

    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="SLA escalation sweep",
        defaults={"task": "requests_app.tasks.sla_sweep_run", "interval": every_minute,
                  "kwargs": json.dumps({}), "enabled": True},
    )

    grant(apps, ADMINISTRATOR, "requests_app")
    grant(apps, AGENT, "requests_app", ["view_incident", "add_incident"])
    grant(apps, MANAGER, "requests_app", ["view_incident"])


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0004_incidents_and_sla"),
        ("django_celery_beat", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
