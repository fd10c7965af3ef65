"""Request becomes ServiceRequest, so that it never collides with Django's request."""

from django.conf import settings
from django.db import migrations


def rename_permissions(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for action in ("add", "change", "delete", "view"):
        for old, new in (
            ("request", "servicerequest"),
            ("historicalrequest", "historicalservicerequest"),
        ):
            Permission.objects.filter(
                content_type__app_label="requests_app", codename=f"{action}_{old}"
            ).update(codename=f"{action}_{new}")


def restore_permissions(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for action in ("add", "change", "delete", "view"):
        for old, new in (
            ("request", "servicerequest"),
            ("historicalrequest", "historicalservicerequest"),
        ):
            Permission.objects.filter(
                content_type__app_label="requests_app", codename=f"{action}_{new}"
            ).update(codename=f"{action}_{old}")


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0006_import_started_at"),
        ("tasks_app", "0002_agent_page_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RenameModel("Request", "ServiceRequest"),
        migrations.RenameModel("HistoricalRequest", "HistoricalServiceRequest"),
        migrations.RunPython(rename_permissions, restore_permissions),
    ]
