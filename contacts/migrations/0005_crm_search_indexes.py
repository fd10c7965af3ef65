"""Indexes of the CRM's lists and of the global search.

- Trigram indexes (PostgreSQL only; see ``crm/search.py``) of what the lists' instant search and
  the global search look in: partners' name, e-mail and phone digits; contacts' names, e-mail
  and phone digits; the subject of calls, meetings and notes; documents' titles.
- B-tree indexes in the lists' default order (name then id, or date then id), so that the first
  page of an unfiltered list and its capped count walk an index instead of sorting every row.
  Written as SQL (as the trigram ones), they are no part of the models' state.
"""

from django.db import migrations

from crm.search import trigram_index


def btree_index(table: str, name: str, columns: str) -> migrations.RunSQL:
    return migrations.RunSQL(
        sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns})',
        reverse_sql=f'DROP INDEX IF EXISTS "{name}"',
    )


class Migration(migrations.Migration):
    dependencies = [("contacts", "0004_crm_role_permissions"), ("crm", "0007_search_extensions")]

    operations = [
        trigram_index("contacts_partner", "partner_name_trgm", "guichet_fold(name)"),
        trigram_index("contacts_partner", "partner_email_trgm", "guichet_fold(email)"),
        trigram_index("contacts_partner", "partner_phone_trgm", "guichet_digits(phone)"),
        trigram_index("contacts_contact", "contact_first_name_trgm", "guichet_fold(first_name)"),
        trigram_index("contacts_contact", "contact_last_name_trgm", "guichet_fold(last_name)"),
        trigram_index("contacts_contact", "contact_email_trgm", "guichet_fold(email)"),
        trigram_index("contacts_contact", "contact_phone_trgm", "guichet_digits(phone)"),
        trigram_index("contacts_contact", "contact_mobile_trgm", "guichet_digits(mobile)"),
        trigram_index("contacts_call", "call_subject_trgm", "guichet_fold(subject)"),
        trigram_index("contacts_meeting", "meeting_subject_trgm", "guichet_fold(subject)"),
        trigram_index("contacts_note", "note_subject_trgm", "guichet_fold(subject)"),
        trigram_index("contacts_document", "document_title_trgm", "guichet_fold(title)"),
        btree_index("contacts_client", "client_name_order_idx", "last_name, first_name, id"),
        btree_index("contacts_partner", "partner_name_order_idx", "name, id"),
        btree_index("contacts_contact", "contact_name_order_idx", "last_name, first_name, id"),
        btree_index("contacts_call", "call_starts_order_idx", "starts_at, id"),
        btree_index("contacts_meeting", "meeting_starts_order_idx", "starts_at, id"),
        btree_index("contacts_note", "note_created_order_idx", "created_at, id"),
        btree_index("contacts_document", "document_created_order_idx", "created_at, id"),
    ]
