"""The searched columns of clients, contacts and partners, folded as one stored text
(``search_folded``, ``crm.search.folded_words_column``), each with one trigram index: what
their instant searches, the client picker and the global search compare.

Adding the columns rewrites the three tables (about 10 s at 200,000 clients): run ``ANALYZE``
after it.
"""

from django.db import migrations, models

import crm.search
from crm.search import RunSQLOnPostgreSQL, trigram_index


def _folded(*fields: str) -> models.GeneratedField:
    return models.GeneratedField(
        db_persist=True,
        expression=crm.search.FoldedWords(*fields),
        output_field=models.TextField(),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0006_duplicate_check_indexes"),
    ]

    operations = [
        # As in requests_app/0017: the rewrite keeps the rows in the order they were written.
        RunSQLOnPostgreSQL(
            sql="SET LOCAL synchronize_seqscans = off", reverse_sql=migrations.RunSQL.noop
        ),
        migrations.AddField(
            model_name="client",
            name="search_folded",
            field=_folded("first_name", "last_name", "email"),
        ),
        migrations.AddField(
            model_name="contact",
            name="search_folded",
            field=_folded("first_name", "last_name", "email"),
        ),
        migrations.AddField(
            model_name="partner",
            name="search_folded",
            field=_folded("name", "email"),
        ),
        trigram_index("contacts_client", "client_search_trgm", "search_folded"),
        trigram_index("contacts_contact", "contact_search_trgm", "search_folded"),
        trigram_index("contacts_partner", "partner_search_trgm", "search_folded"),
    ]
