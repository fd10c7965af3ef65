from django.db import migrations

from crm.roles import ADMINISTRATOR, AGENT, MANAGER, grant


def grant_permissions(apps, schema_editor):
    for app_label in ("requests_app", "tasks_app"):
        grant(apps, ADMINISTRATOR, app_label)
    grant(apps, AGENT, "requests_app", ["view_request", "view_requesttype", "view_theme",
                                         "add_coursegridimport", "view_coursegridimport"])
    grant(apps, AGENT, "tasks_app", ["view_task", "view_chaintemplate", "view_tasktemplate"])
    grant(apps, MANAGER, "requests_app", ["view_request", "view_requesttype", "view_theme"])
    grant(apps, MANAGER, "tasks_app", ["view_task"])


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0002_roles"),
        ("requests_app", "0002_initial"),
        ("tasks_app", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]
