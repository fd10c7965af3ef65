from django.db import migrations

from crm.roles import ADMINISTRATOR, AGENT, ALL_ROLES, MANAGER, grant


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role in ALL_ROLES:
        Group.objects.get_or_create(name=role)
    grant(apps, AGENT, "crm", ["access_backoffice", "view_assignmentgroup"])
    grant(apps, MANAGER, "crm", ["access_backoffice", "view_reports", "view_assignmentgroup"])
    grant(apps, ADMINISTRATOR, "crm")
    grant(apps, ADMINISTRATOR, "auth", ["view_group", "change_group", "view_permission"])
    grant(apps, ADMINISTRATOR, "django_celery_beat")


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ALL_ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("django_celery_beat", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
