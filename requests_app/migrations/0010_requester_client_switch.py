"""The requester becomes a contacts.Client (3 of 3): the account column goes, the client column
takes its name, its constraint and its index."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0009_requester_client_fill"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="servicerequest", name="request_requester_idx"),
        migrations.RemoveIndex(model_name="incident", name="incident_requester_idx"),
        migrations.RemoveField(model_name="servicerequest", name="requester"),
        migrations.RemoveField(model_name="incident", name="requester"),
        migrations.RemoveField(model_name="historicalservicerequest", name="requester"),
        migrations.RemoveField(model_name="historicalincident", name="requester"),
        migrations.RenameField(
            model_name="servicerequest", old_name="requester_client", new_name="requester"
        ),
        migrations.RenameField(
            model_name="incident", old_name="requester_client", new_name="requester"
        ),
        migrations.RenameField(
            model_name="historicalservicerequest",
            old_name="requester_client",
            new_name="requester",
        ),
        migrations.RenameField(
            model_name="historicalincident", old_name="requester_client", new_name="requester"
        ),
        migrations.AlterField(
            model_name="servicerequest",
            name="requester",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="requests",
                to="contacts.client",
                verbose_name="requester",
            ),
        ),
        migrations.AlterField(
            model_name="incident",
            name="requester",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="incidents",
                to="contacts.client",
                verbose_name="requester",
            ),
        ),
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(fields=["requester", "-created_at"], name="request_requester_idx"),
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(fields=["requester", "-created_at"], name="incident_requester_idx"),
        ),
    ]
