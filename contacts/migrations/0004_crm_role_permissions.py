"""The roles' permissions on the CRM records of 0003: agents read, create and change them (and
delete documents and notes they filed by mistake, and records when they merge duplicates);
managers read them; administrators hold them all."""

from django.db import migrations

from crm.roles import ADMINISTRATOR, AGENT, MANAGER, grant

RECORDS = [
    "client",
    "partner",
    "contact",
    "call",
    "meeting",
    "note",
    "document",
    "programenrolment",
    "servicerecord",
    "saefile",
]
CONFIGURATION = ["program", "service"]
OWN_ITEMS = ["favourite", "recentview", "savedfilter", "calendarsettings"]


def grant_permissions(apps, schema_editor):
    grant(apps, ADMINISTRATOR, "contacts")
    agent = [f"{verb}_{name}" for name in RECORDS for verb in ("view", "add", "change")]
    agent += [f"delete_{name}" for name in RECORDS]
    agent += [f"view_{name}" for name in CONFIGURATION]
    agent += [f"{verb}_{name}" for name in OWN_ITEMS for verb in ("view", "add", "change", "delete")]
    grant(apps, AGENT, "contacts", agent)
    manager = [f"view_{name}" for name in RECORDS + CONFIGURATION]
    manager += [f"{verb}_{name}" for name in OWN_ITEMS for verb in ("view", "add", "change", "delete")]
    grant(apps, MANAGER, "contacts", manager)
    grant(apps, AGENT, "tasks_app", ["view_supporttasktemplate", "view_bookableresource"])
    grant(apps, MANAGER, "tasks_app", ["view_supporttasktemplate", "view_bookableresource"])


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0003_crm_records"),
        ("tasks_app", "0007_todos_and_support_scheduling"),
        ("crm", "0005_act_in_backoffice"),
    ]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]
