"""The requester becomes a contacts.Client (2 of 3): one client per account that is or was a
requester, linked to it; every request and incident (and their history rows) points to it.

Set-based: a few INSERT … SELECT and UPDATE … FROM statements, whatever the number of rows.
"""

from django.db import migrations
from django.utils import timezone

HISTORY_REASON = "created"  # crm.history.ChangeReason.CREATED
CLIENT_COLUMNS = (
    "first_name, last_name, email, phone, language, street, street_2, city, region, "
    "postal_code, country, user_id, created_at"
)


def _tables(apps):
    return {
        "client": apps.get_model("contacts", "Client")._meta.db_table,
        "client_history": apps.get_model("contacts", "HistoricalClient")._meta.db_table,
        "user": apps.get_model("crm", "User")._meta.db_table,
        "subjects": [
            apps.get_model("requests_app", name)._meta.db_table
            for name in (
                "ServiceRequest",
                "Incident",
                "HistoricalServiceRequest",
                "HistoricalIncident",
            )
        ],
    }


def requesters_to_clients(apps, schema_editor):
    t = _tables(apps)
    now = timezone.now()
    requesters = " UNION ".join(
        f"SELECT requester_id FROM {table} WHERE requester_id IS NOT NULL"
        for table in t["subjects"]
    )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {t['client']} ({CLIENT_COLUMNS}, updated_at) "
            f"SELECT u.first_name, u.last_name, LOWER(u.email), '', u.language, '', '', '', '', "
            f"'', '', u.id, %s, %s FROM {t['user']} u "
            f"WHERE u.id IN ({requesters}) "
            f"AND NOT EXISTS (SELECT 1 FROM {t['client']} c WHERE c.user_id = u.id)",
            [now, now],
        )
        cursor.execute(
            f"INSERT INTO {t['client_history']} (id, {CLIENT_COLUMNS}, history_date, "
            f"history_reason_code, history_change_reason, history_type, history_user_id) "
            f"SELECT id, {CLIENT_COLUMNS}, %s, %s, '', '+', NULL FROM {t['client']} c "
            f"WHERE NOT EXISTS (SELECT 1 FROM {t['client_history']} h WHERE h.id = c.id)",
            [now, HISTORY_REASON],
        )
        for table in t["subjects"]:
            cursor.execute(
                f"UPDATE {table} SET requester_client_id = c.id FROM {t['client']} c "
                f"WHERE c.user_id = {table}.requester_id"
            )


def clients_to_requesters(apps, schema_editor):
    """Back to accounts: a request of a client with no portal account cannot go back."""
    t = _tables(apps)
    with schema_editor.connection.cursor() as cursor:
        for table in t["subjects"]:
            cursor.execute(
                f"UPDATE {table} SET requester_id = c.user_id FROM {t['client']} c "
                f"WHERE c.id = {table}.requester_client_id"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0008_requester_client_add"),
    ]

    operations = [migrations.RunPython(requesters_to_clients, clients_to_requesters)]
