# Agents and administrators act in the back office; managers only read it.

from django.db import migrations

from crm.roles import ADMINISTRATOR, AGENT, grant


def grant_act_in_backoffice(apps, schema_editor):
    for role in (AGENT, ADMINISTRATOR):
        grant(apps, role, "crm", ["act_in_backoffice"])


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0004_history_reason_code'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='user',
            options={'ordering': ['last_name', 'first_name', 'email'], 'permissions': [('access_backoffice', 'Can use the agent back office'), ('act_in_backoffice', 'Can change things in the agent back office'), ('view_reports', 'Can read dashboards and reports')], 'verbose_name': 'user', 'verbose_name_plural': 'users'},
        ),
        migrations.RunPython(grant_act_in_backoffice, migrations.RunPython.noop),
    ]
