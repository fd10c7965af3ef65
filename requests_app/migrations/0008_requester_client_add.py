"""The requester becomes a contacts.Client (1 of 3): a column for the client next to the account."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _client_fk(**kwargs):
    return models.ForeignKey(
        null=True,
        blank=True,
        related_name="+",
        to="contacts.client",
        verbose_name="requester",
        **kwargs,
    )


def _historical_client_fk():
    return _client_fk(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING)


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0007_servicerequest"),
        ("contacts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Nullable, so that the migration can be reversed on a database that has requests.
        migrations.AlterField(
            model_name="servicerequest",
            name="requester",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="requests",
                to=settings.AUTH_USER_MODEL,
                verbose_name="requester",
            ),
        ),
        migrations.AlterField(
            model_name="incident",
            name="requester",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="incidents",
                to=settings.AUTH_USER_MODEL,
                verbose_name="requester",
            ),
        ),
        migrations.AddField(
            model_name="servicerequest",
            name="requester_client",
            field=_client_fk(on_delete=django.db.models.deletion.PROTECT),
        ),
        migrations.AddField(
            model_name="incident",
            name="requester_client",
            field=_client_fk(on_delete=django.db.models.deletion.PROTECT),
        ),
        migrations.AddField(
            model_name="historicalservicerequest",
            name="requester_client",
            field=_historical_client_fk(),
        ),
        migrations.AddField(
            model_name="historicalincident",
            name="requester_client",
            field=_historical_client_fk(),
        ),
    ]
