"""The folded title, stored: ``title_folded`` (``guichet_fold(title)``, written by the database)
on requests and incidents, and their title trigram indexes moved onto it under the same names.

A common word is found by reading the list in its order and keeping the rows that match: each
row read folded its title again (2 µs a row). The stored column is compared as it is. On SQLite
the column holds ``LOWER(title)`` and is not searched (``crm/search.py``). Adding the column
rewrites the table: a minute or so at a million rows.
"""

from django.db import migrations, models

import crm.search
from crm.search import RunSQLOnPostgreSQL

INDEXES = [
    ("requests_app_servicerequest", "request_title_trgm"),
    ("requests_app_incident", "incident_title_trgm"),
]


def _moved(table: str, name: str) -> RunSQLOnPostgreSQL:
    return RunSQLOnPostgreSQL(
        sql=[
            f'DROP INDEX IF EXISTS "{name}"',
            f'CREATE INDEX "{name}" ON "{table}" USING gin (title_folded gin_trgm_ops)',
        ],
        reverse_sql=[
            f'DROP INDEX IF EXISTS "{name}"',
            f'CREATE INDEX "{name}" ON "{table}" USING gin (guichet_fold(title) gin_trgm_ops)',
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0016_search_indexes"),
    ]

    operations = [
        # The rewrite reads the table from its first block even if another scan of it is under
        # way (a synchronized scan would start where that one is): rows stay in the order they
        # were written, the order of their ids and times that the lists' plans count on.
        RunSQLOnPostgreSQL(
            sql="SET LOCAL synchronize_seqscans = off", reverse_sql=migrations.RunSQL.noop
        ),
        migrations.AddField(
            model_name="incident",
            name="title_folded",
            field=models.GeneratedField(
                db_persist=True,
                expression=crm.search.Fold("title"),
                output_field=models.TextField(),
            ),
        ),
        migrations.AddField(
            model_name="servicerequest",
            name="title_folded",
            field=models.GeneratedField(
                db_persist=True,
                expression=crm.search.Fold("title"),
                output_field=models.TextField(),
            ),
        ),
        *(_moved(table, name) for table, name in INDEXES),
    ]
