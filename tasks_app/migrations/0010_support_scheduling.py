"""Administrators manage the support-task templates and the bookable resources of 0007 in the
admin (their permissions did not exist when 0003 gave administrators every tasks_app right)."""

from django.db import migrations

from crm.roles import ADMINISTRATOR, grant


def grant_permissions(apps, schema_editor):
    grant(apps, ADMINISTRATOR, "tasks_app")


class Migration(migrations.Migration):
    # On merge: after the last tasks_app migration of the other parts (0009 if there is one).
    dependencies = [("tasks_app", "0008_booking_exclusion"), ("crm", "0002_roles")]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]
