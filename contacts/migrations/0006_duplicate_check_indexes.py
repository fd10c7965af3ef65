"""Indexes of the duplicate check (contacts/duplicates.py), PostgreSQL only: the same e-mail of a
partner or a contact, and the same phone once reduced to its digits, looked up by b-tree (phone
digits have too few distinct trigrams for the GIN indexes to help: 23–35 ms per lookup against
under 0.1 ms)."""

from django.db import migrations

from crm.search import RunSQLOnPostgreSQL


def btree(table: str, name: str, expression: str) -> RunSQLOnPostgreSQL:
    return RunSQLOnPostgreSQL(
        sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({expression})',
        reverse_sql=f'DROP INDEX IF EXISTS "{name}"',
    )


class Migration(migrations.Migration):
    dependencies = [("contacts", "0005_crm_search_indexes")]

    operations = [
        btree("contacts_partner", "partner_email_lower_idx", "lower(email)"),
        btree("contacts_contact", "contact_email_lower_idx", "lower(email)"),
        btree(
            "contacts_client", "client_phone_digits_idx", "guichet_digits(phone) text_pattern_ops"
        ),
        btree(
            "contacts_partner", "partner_phone_digits_idx", "guichet_digits(phone) text_pattern_ops"
        ),
        btree(
            "contacts_contact", "contact_phone_digits_idx", "guichet_digits(phone) text_pattern_ops"
        ),
        btree(
            "contacts_contact",
            "contact_mobile_digits_idx",
            "guichet_digits(mobile) text_pattern_ops",
        ),
    ]
