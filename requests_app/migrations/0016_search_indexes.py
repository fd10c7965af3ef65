"""Trigram indexes of the request and incident searches (PostgreSQL only; see
``crm/search.py``). Their requesters are searched through the client indexes."""

from django.db import migrations

from crm.search import trigram_index


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0015_incident_resolution_due"),
        ("contacts", "0002_search_indexes"),
    ]

    operations = [
        trigram_index("requests_app_servicerequest", "request_title_trgm", "guichet_fold(title)"),
        trigram_index("requests_app_incident", "incident_title_trgm", "guichet_fold(title)"),
    ]
