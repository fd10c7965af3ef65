"""Trigram indexes of the client search (PostgreSQL only; see ``crm/search.py``)."""

from django.db import migrations

from crm.search import trigram_index

TABLE = "contacts_client"


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial"), ("crm", "0007_search_extensions")]

    operations = [
        trigram_index(TABLE, "client_first_name_trgm", "guichet_fold(first_name)"),
        trigram_index(TABLE, "client_last_name_trgm", "guichet_fold(last_name)"),
        trigram_index(TABLE, "client_email_trgm", "guichet_fold(email)"),
        trigram_index(TABLE, "client_phone_trgm", "guichet_digits(phone)"),
    ]
